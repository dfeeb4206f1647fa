#include "support/real_proxies.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "support/text_checks.hpp"

namespace wsprobe::test {
namespace {

using namespace std::chrono_literals;
constexpr auto kReadyWithin = 10s;
constexpr auto kReapWithin = 2s;  // after SIGTERM, then after SIGKILL

std::optional<std::string> find_binary(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream stream(path);
    for (std::string dir; std::getline(stream, dir, ':');)
      if (!dir.empty()) dirs.push_back(dir);
  }
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"}) dirs.push_back(dir);
  for (const auto& dir : dirs) {
    const auto candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto address = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// Waits for `pid` up to `grace`; true when it was reaped.
bool reap_within(pid_t pid, std::chrono::milliseconds grace) {
  const auto until = std::chrono::steady_clock::now() + grace;
  do {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

}  // namespace

ProxyDaemon::~ProxyDaemon() { stop(); }

void ProxyDaemon::reserve_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  auto address = loopback(0);
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  socklen_t size = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  port_ = ntohs(address.sin_port);
  ::close(fd);
}

std::string ProxyDaemon::log() const { return read_file(files_.path() / "daemon.log"); }

void ProxyDaemon::start(const std::string& binary, const std::string& package, const std::vector<std::string>& args) {
  const auto program = find_binary(binary);
  if (!program)
    FAIL(binary << " not found (PATH, /usr/sbin, /usr/bin): install the Debian package " << package
                << " (scripts/setup.sh installs the test packages)");

  std::vector<std::string> strings{*program};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const auto log_path = (files_.path() / "daemon.log").string();
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(log_fd >= 0);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(null_fd >= 0);

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Async-signal-safe calls only. Its own process group, so stop() reaches the workers Dante forks.
    ::setpgid(0, 0);
    if (::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) ::_exit(126);
    if (::close_range(3, ~0U, 0) != 0)
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so the group exists whichever runs first
  ::close(log_fd);
  ::close(null_fd);
  pid_ = pid;

  const auto until = std::chrono::steady_clock::now() + kReadyWithin;
  while (!accepts(port_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL(binary << " exited before accepting on 127.0.0.1:" << port_ << " (status " << status << "); its log:\n"
                  << log());
    }
    if (std::chrono::steady_clock::now() >= until)
      FAIL(binary << " did not accept on 127.0.0.1:" << port_ << " within 10 s; its log:\n" << log());
    std::this_thread::sleep_for(20ms);
  }
}

void ProxyDaemon::stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);
  if (!reap_within(pid_, kReapWithin)) {
    ::kill(-pid_, SIGKILL);
    reap_within(pid_, kReapWithin);
  }
  ::kill(-pid_, SIGKILL);  // workers that outlived their parent
  pid_ = -1;
}

Tinyproxy::Tinyproxy(TinyproxyOptions options) {
  reserve_port();
  std::string config = "Port " + std::to_string(port()) +
                       "\nListen 127.0.0.1\nTimeout " + std::to_string(options.idle_timeout_s) +
                       "\nMaxClients 20\nLogLevel Info\nAllow 127.0.0.1\nDisableViaHeader Yes\n";
  if (options.basic_auth) config += "BasicAuth " + options.basic_auth->first + " " + options.basic_auth->second + "\n";
  for (const auto connect_port : options.connect_ports) config += "ConnectPort " + std::to_string(connect_port) + "\n";
  const auto path = files().write("tinyproxy.conf", config);
  // -d: stay in the foreground.
  start("tinyproxy", "tinyproxy", {"-d", "-c", path.string()});
}

std::string Tinyproxy::url(const std::optional<std::pair<std::string, std::string>>& credentials) const {
  const auto userinfo = credentials ? credentials->first + ":" + credentials->second + "@" : std::string();
  return "http://" + userinfo + "127.0.0.1:" + std::to_string(port());
}

Dante::Dante(DanteOptions options) {
  reserve_port();
  std::string config = "logoutput: stderr\ninternal: 127.0.0.1 port = " + std::to_string(port()) +
                       "\nexternal: 127.0.0.1\nclientmethod: none\nsocksmethod: none\n";
  // Dante insists on these users only when it starts as root; as another user it stays that user.
  if (::geteuid() == 0) config += "user.privileged: root\nuser.unprivileged: nobody\n";
  config += "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n";
  for (const auto blocked : options.blocked_ports)
    config += "socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = " + std::to_string(blocked) + " }\n";
  config += "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }\n";
  const auto path = files().write("danted.conf", config);
  const auto pid_file = (files().path() / "danted.pid").string();
  // No -D: stay in the foreground; -N 1: one worker set.
  start("danted", "dante-server", {"-f", path.string(), "-N", "1", "-p", pid_file});
}

std::string Dante::url(bool remote_dns) const {
  return std::string(remote_dns ? "socks5h" : "socks5") + "://127.0.0.1:" + std::to_string(port());
}

}  // namespace wsprobe::test

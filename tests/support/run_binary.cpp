#include "support/run_binary.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace wsprobe::test {
namespace {

using Clock = std::chrono::steady_clock;

std::runtime_error os_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

std::vector<std::string> child_environment(const BinaryOptions& options) {
  std::vector<std::pair<std::string, std::optional<std::string>>> changes{{"NO_COLOR", std::nullopt}};
  changes.insert(changes.end(), options.env.begin(), options.env.end());
  std::vector<std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string text = *entry;
    const auto name = text.substr(0, text.find('='));
    const bool changed = std::any_of(changes.begin(), changes.end(), [&](const auto& c) { return c.first == name; });
    if (!changed) out.push_back(text);
  }
  // The last change to a name wins.
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    const bool later = std::any_of(changes.rbegin(), it, [&](const auto& c) { return c.first == it->first; });
    if (!later && it->second) out.push_back(it->first + "=" + *it->second);
  }
  return out;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(int in, int out, int err, const char* program, char* const* argv, char* const* envp) {
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
  // Sockets of the test's own lab servers must not live on in the child (an inherited accepted
  // socket would keep a connection open after the peer closed it).
  if (::close_range(3, ~0U, 0) != 0) {
    for (int fd = 3; fd < 4096; ++fd) ::close(fd);
  }
  ::execve(program, argv, envp);
  ::_exit(127);
}

void append_available(int& fd, std::string& sink) {
  char buffer[8192];
  const auto n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    sink.append(buffer, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close_fd(fd);
  }
}

std::string excerpt(const std::string& text) {
  constexpr std::size_t kMax = 6000;
  if (text.size() <= kMax) return text;
  return text.substr(0, kMax) + "\n...(" + std::to_string(text.size() - kMax) + " more bytes)";
}

}  // namespace

std::string BinaryRun::describe() const {
  std::string text = "wsprobe";
  for (const auto& arg : args) text += " '" + arg + "'";
  text += "\n  exit " + std::to_string(exit_code);
  if (signal) text += ", signal " + std::to_string(signal);
  if (timed_out) text += ", TIMED OUT (killed)";
  text += ", " + std::to_string(elapsed.count()) + " ms";
  text += "\n--- stdout ---\n" + excerpt(out) + "\n--- stderr ---\n" + excerpt(err);
  return text;
}

BinaryOptions without_proxy_variables() {
  BinaryOptions options;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                           "no_proxy", "NO_PROXY"})
    options.env.emplace_back(name, std::nullopt);
  return options;
}

std::vector<std::string> with_short_budgets(std::vector<std::string> args) {
  static const std::vector<std::string> budgets{"--timeout", "20s", "--connect-timeout", "3s", "--tls-timeout", "3s",
                                                "--upgrade-timeout", "3s", "--echo-timeout", "3s", "--count", "3"};
  args.insert(args.begin(), budgets.begin(), budgets.end());
  return args;
}

std::string wsprobe_binary() {
  // The sanitized suite runs the sanitized executable (tests/CMakeLists.txt sets this).
  const char* under_test = std::getenv("WSPROBE_BINARY_UNDER_TEST");
  return under_test && *under_test ? under_test : WSPROBE_BINARY;
}

BinaryRun run_binary(const std::string& program, const std::vector<std::string>& args, const BinaryOptions& options) {
  BinaryRun run;
  run.args = args;

  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto env_strings = child_environment(options);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);

  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) throw os_error("open /dev/null");
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const auto error = os_error("pipe2");
    close_fd(null_fd);
    close_fd(out_pipe[0]);
    close_fd(out_pipe[1]);
    throw error;
  }

  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const auto error = os_error("fork");
    for (int* fd : {&null_fd, &out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1]}) close_fd(*fd);
    throw error;
  }
  if (pid == 0) exec_child(null_fd, out_pipe[1], err_pipe[1], program.c_str(), argv.data(), envp.data());

  close_fd(null_fd);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  int out_fd = out_pipe[0];
  int err_fd = err_pipe[0];
  const auto deadline = start + options.timeout;

  // Read both streams until the child closes them (a full pipe would otherwise stall it).
  while (out_fd >= 0 || err_fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 && !run.timed_out) {
      run.timed_out = true;
      ::kill(pid, SIGKILL);  // the pipes close when it dies; keep reading what is left
    }
    pollfd fds[2];
    nfds_t count = 0;
    if (out_fd >= 0) fds[count++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[count++] = {err_fd, POLLIN, 0};
    int wait_ms = run.timed_out ? 1000 : static_cast<int>(std::max<long long>(1, left.count()));
    if (options.while_running && !run.timed_out) {
      options.while_running(pid);
      wait_ms = std::min(wait_ms, 20);
    }
    const int ready = ::poll(fds, count, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < count && ready > 0; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == out_fd) append_available(out_fd, run.out);
      else append_available(err_fd, run.err);
    }
    // A killed child whose streams stay open (a grandchild holding them) must not hold us either.
    if (run.timed_out && Clock::now() > deadline + std::chrono::seconds(5)) break;
  }
  close_fd(out_fd);
  close_fd(err_fd);

  // The streams closed; the child normally exits right after. Bound that too.
  int status = 0;
  struct rusage usage {};
  for (;;) {
    const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw os_error("wait4");
    if (Clock::now() > deadline && !run.timed_out) {
      run.timed_out = true;
      ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  run.max_rss_kib = usage.ru_maxrss;  // Linux: kilobytes
  return run;
}

BinaryRun run_wsprobe(const std::vector<std::string>& args, const BinaryOptions& options) {
  return run_binary(wsprobe_binary(), args, options);
}

}  // namespace wsprobe::test

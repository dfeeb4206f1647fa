#pragma once
// Real forward proxies from Debian packages, started by the tests on loopback: tinyproxy (HTTP
// CONNECT, optional Basic credentials, a CONNECT port list that makes it answer 403) and Dante
// (danted, SOCKS5 without authentication, optional block rules that make it answer REP 2).
//
//   wsprobe::test::Tinyproxy proxy({.basic_auth = {{"alice", "s3cret"}}});
//   options.proxy = ... "http://alice:s3cret@127.0.0.1:" + std::to_string(proxy.port()) ...
//
// Each daemon needs a port in its configuration: a loopback port is picked by binding port 0 and
// releasing it, the configuration goes to a temporary directory, and the daemon runs in the
// foreground in its own process group. The constructor waits (bounded) until the port accepts and
// FAILs the test, with the daemon's log, if it does not or if the binary is missing (CI installs
// both packages: scripts/setup.sh). The destructor sends SIGTERM to the group, then SIGKILL.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "probe/lab/certs.hpp"

namespace wsprobe::test {

// A daemon process started from a configuration written to a temporary directory.
class ProxyDaemon {
 public:
  ProxyDaemon() = default;
  ~ProxyDaemon();
  ProxyDaemon(const ProxyDaemon&) = delete;
  ProxyDaemon& operator=(const ProxyDaemon&) = delete;

  std::uint16_t port() const { return port_; }
  // What the daemon wrote to stdout and stderr so far, for INFO().
  std::string log() const;

 protected:
  // Picks the port; call before writing the configuration.
  void reserve_port();
  // Starts `binary` (a name looked up in PATH, /usr/sbin, /usr/bin, /sbin) with `args`, and waits
  // until port() accepts connections.
  void start(const std::string& binary, const std::string& package, const std::vector<std::string>& args);
  const lab::TempDir& files() const { return files_; }

 private:
  void stop();

  lab::TempDir files_;
  std::uint16_t port_ = 0;
  int pid_ = -1;
};

struct TinyproxyOptions {
  std::optional<std::pair<std::string, std::string>> basic_auth;  // BasicAuth user password
  // ConnectPort lines: CONNECT to any other port gets "403 Access violation". Empty: every port.
  std::vector<std::uint16_t> connect_ports;
  // Timeout: seconds a tunnel may stay idle before tinyproxy closes it (FIN both ways, no close
  // frame): a real idle timeout on the path for the hold tests.
  int idle_timeout_s = 30;
};

class Tinyproxy : public ProxyDaemon {
 public:
  explicit Tinyproxy(TinyproxyOptions options = {});
  // "http://127.0.0.1:PORT" (with user:pass@ when given).
  std::string url(const std::optional<std::pair<std::string, std::string>>& credentials = std::nullopt) const;
};

struct DanteOptions {
  std::vector<std::uint16_t> blocked_ports;  // socks block rules for 127.0.0.1 on these ports
};

class Dante : public ProxyDaemon {
 public:
  explicit Dante(DanteOptions options = {});
  // "socks5://127.0.0.1:PORT" or "socks5h://...".
  std::string url(bool remote_dns = false) const;
};

}  // namespace wsprobe::test

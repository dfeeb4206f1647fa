#pragma once
// An in-process SOCKS5 proxy (RFC 1928) for the cases Dante cannot play without system users:
// username/password (RFC 1929) that it can demand and check, and any REP code on demand. On
// success it connects to the requested IPv4/IPv6 address or "localhost" and relays bytes both
// ways. Listens on 127.0.0.1, a port the kernel picks, on its own io_context and thread; the
// destructor closes every socket and joins.
//
//   wsprobe::test::Socks5Server proxy({.credentials = {{"alice", "s3cret"}}});
//   ... "socks5h://alice:s3cret@127.0.0.1:" + std::to_string(proxy.port()) ...
//   CHECK(proxy.requests().at(0) == "localhost:8080");
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wsprobe::test {

struct Socks5ServerOptions {
  // Demand method 2 (username/password) and accept only these; a client that does not offer
  // method 2 gets 0xFF (no acceptable methods). Empty: method 0 (no authentication).
  std::optional<std::pair<std::string, std::string>> credentials;
  int reply = 0;  // REP for every CONNECT; 0: connect to the target (REP 5 if refused) and relay
};

namespace detail {
struct Socks5ServerState;
}

class Socks5Server {
 public:
  explicit Socks5Server(Socks5ServerOptions options = {});
  ~Socks5Server();
  Socks5Server(const Socks5Server&) = delete;
  Socks5Server& operator=(const Socks5Server&) = delete;

  std::uint16_t port() const;
  std::size_t connections() const;
  // Every CONNECT target asked for, as "host:port" ("[v6]:port"), in order.
  std::vector<std::string> requests() const;
  // Every RFC 1929 user name received, in order.
  std::vector<std::string> usernames() const;

 private:
  std::unique_ptr<detail::Socks5ServerState> state_;
};

}  // namespace wsprobe::test

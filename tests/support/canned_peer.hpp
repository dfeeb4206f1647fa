#pragma once
// A loopback TCP peer that plays a script, for probe tests of any stage: a silent port, a port
// that closes or resets, a "server" that answers whatever arrives with canned bytes (an HTTP 403,
// garbage, a TLS alert record), optionally behind TLS.
//
//   using namespace wsprobe::test;
//   CannedPeer peer(CannedScript::answer_http("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
//   ... connect to 127.0.0.1:peer.port(), run the stage under test with ioc.run_for(...) ...
//   peer.wait_for_received(1, 2s);
//   CHECK(peer.received().at(0).starts_with("GET / HTTP/1.1\r\n"));
//
// Every accepted connection plays the same script, on the peer's own io_context and thread.
// The destructor closes the listener and every connection and joins; it never waits on the
// client (a stalled connection is cut after a short grace period).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/lab/certs.hpp"

namespace wsprobe::test {

// What the peer waits for before it sends its reply.
enum class ReadFirst {
  nothing,    // reply at once, before the client says anything
  any_bytes,  // one read: whatever arrives first (a ClientHello, say)
  http_head,  // read until "\r\n\r\n" (an HTTP request head)
};

// How the connection goes on after the reply.
enum class Then {
  close,   // TCP FIN (shutdown(SHUT_WR)), then read and record until the client closes: a FIN the
           // client sees as eof, never turned into an RST by unread bytes. Under TLS: no close_notify.
  reset,   // RST: SO_LINGER {on, 0}, then close
  hold,    // keep the connection open and silent, reading and recording until the client closes
  silent,  // keep the connection open and never read again (the client's bytes stay unread)
};

struct CannedScript {
  ReadFirst read_first = ReadFirst::nothing;
  std::chrono::milliseconds delay{0};  // pause between the read and the reply
  std::string reply;                   // bytes sent as they are; empty: send nothing
  Then then = Then::close;

  // Accepts and never reads or writes: a blackholed port, a stuck backend.
  static CannedScript silent() { return {ReadFirst::nothing, {}, {}, Then::silent}; }
  // FIN right after accept.
  static CannedScript close_immediately() { return {ReadFirst::nothing, {}, {}, Then::close}; }
  // RST right after accept.
  static CannedScript reset_immediately() { return {ReadFirst::nothing, {}, {}, Then::reset}; }
  // Reads a request head, answers `reply`, then `then`.
  static CannedScript answer_http(std::string reply, Then then = Then::close) {
    return {ReadFirst::http_head, {}, std::move(reply), then};
  }
  // Reads whatever comes first, answers `reply`, then `then`.
  static CannedScript answer_any(std::string reply, Then then = Then::close) {
    return {ReadFirst::any_bytes, {}, std::move(reply), then};
  }
};

namespace detail {
struct CannedPeerState;
}

class CannedPeer {
 public:
  // Listens on 127.0.0.1, a port the kernel picks. With `tls`, each connection first completes a
  // TLS handshake as a server (ALPN http/1.1 when offered) and the script runs inside TLS: reads
  // see decrypted bytes, the reply is encrypted. A failed handshake ends that connection.
  explicit CannedPeer(CannedScript script, std::optional<lab::CertifiedKey> tls = std::nullopt);
  ~CannedPeer();
  CannedPeer(const CannedPeer&) = delete;
  CannedPeer& operator=(const CannedPeer&) = delete;

  std::uint16_t port() const;
  std::size_t connections() const;
  // What each connection received so far, in accept order (decrypted under TLS).
  std::vector<std::string> received() const;
  // Waits until the connections received `bytes` in total, up to `timeout`; true if they did.
  bool wait_for_received(std::size_t bytes, std::chrono::milliseconds timeout) const;
  // Waits until `count` connections were accepted, up to `timeout`; true if they were.
  bool wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  std::unique_ptr<detail::CannedPeerState> state_;
};

// The TLS alert record a server sends to refuse a handshake: RFC 8446 §5.1 record header
// (type 21 alert, legacy version 3.3, length 2) and §6 body (level 2 fatal, description).
inline std::string tls_alert_record(unsigned char description) {
  return std::string{'\x15', '\x03', '\x03', '\x00', '\x02', '\x02', static_cast<char>(description)};
}

}  // namespace wsprobe::test

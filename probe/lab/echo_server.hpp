#pragma once
// A real WebSocket echo server (Beast) for `wsprobe demo` and the tests: listens on loopback,
// plain (ws://) or TLS (wss://), on its own io_context and thread. Beast and Asio stay out of this
// header: the server's translation unit is the expensive one, and includers should not pay for it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probe/lab/certs.hpp"

namespace wsprobe::lab {

namespace detail {
struct EchoServerState;
}

struct EchoServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the kernel picks; read it back with EchoServer::port()
  // TLS identity; empty: plain ws://. cert_pem may carry intermediates after the leaf.
  std::optional<CertifiedKey> tls{};
  // mTLS: require a client certificate that chains to this CA (PEM), as nginx's
  // `ssl_verify_client on` + `ssl_client_certificate`. A client without one, or with another CA's,
  // fails the handshake (TLS 1.3: with an alert after the client's Finished). Needs `tls`.
  std::optional<std::string> client_ca_pem{};
  // ALPN protocols the server accepts, in preference order. A client that offers ALPN but none
  // of these gets the fatal alert 120 no_application_protocol (RFC 7301 §3.2), as an h2-only
  // edge would; a client that offers none proceeds without ALPN.
  std::vector<std::string> alpn{"http/1.1"};
  // false: accept and read messages but never reply ("a server that accepts but never echoes").
  bool echo = true;
  // true: answer with the first subprotocol the client offered (Sec-WebSocket-Protocol).
  bool select_first_subprotocol = false;
  // true: accept a permessage-deflate offer (RFC 7692, Beast's implementation) and compress every
  // message it sends back.
  bool deflate = false;
  // The largest message the server reads (Beast's read_message_max); a larger one is answered with
  // close 1009 "message too big" and the connection is closed. Empty: Beast's default (16 MiB).
  std::optional<std::size_t> read_message_max{};
};

// Starts listening and serving in the constructor (throws std::system_error if it cannot bind);
// the destructor closes the listener and every connection, then joins the thread.
//
// Each connection: TLS handshake when configured, the HTTP Upgrade (a request that is not an
// upgrade gets Beast's 400), then every text/binary message is echoed as received (same opcode);
// pings are answered and a close is answered with a close (Beast does both).
class EchoServer {
 public:
  explicit EchoServer(EchoServerOptions options = {});
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  std::uint16_t port() const;
  // "ws://127.0.0.1:PORT/" or "wss://..." (IPv6 addresses in brackets).
  std::string url() const;
  // Connections accepted so far, and WebSocket messages received (echoed or not).
  std::size_t connections_accepted() const;
  std::size_t messages_received() const;

 private:
  std::unique_ptr<detail::EchoServerState> impl_;
};

}  // namespace wsprobe::lab

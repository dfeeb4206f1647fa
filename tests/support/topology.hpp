#pragma once
// Loopback topologies for follow-up tests: the hops that make two causes look alike from the
// client. Each listens on 127.0.0.1 with a port the kernel picks, serves on its own io_context and
// thread, and its destructor closes the listener and every connection and joins (a connection
// that lingers is cut after a short grace; it never waits on the client).
//
//   lab::EchoServer backend({.tls = pki.leaf()});          // a backend that serves wss
//   TlsTerminator edge(pki.leaf(), backend.port());        // an NLB TLS listener, TCP target group
//   ... probe wss://localhost:edge.port()/ ...
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "probe/lab/certs.hpp"

namespace wsprobe::test {

namespace detail {
struct TopologyState;
}

// Accepts TLS with `identity` (ALPN http/1.1 when offered), then opens a plain TCP connection to
// 127.0.0.1:backend_port and pipes the decrypted bytes both ways: an edge that terminates TLS and
// forwards plaintext (knowledge base: tls_terminated_twice, nlb_tls_tg_plain_target). When one
// side ends, the other is closed.
class TlsTerminator {
 public:
  TlsTerminator(lab::CertifiedKey identity, std::uint16_t backend_port);
  ~TlsTerminator();
  TlsTerminator(const TlsTerminator&) = delete;
  TlsTerminator& operator=(const TlsTerminator&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;

 private:
  std::unique_ptr<detail::TopologyState> state_;
};

// A TLS server that speaks only HTTP/2: selects ALPN h2 when the client offers it and no ALPN
// otherwise (a client offering only http/1.1 proceeds without one), then reads what the client
// sends and closes the connection without a byte (knowledge base: h2_only_alpn_no_overlap's
// lenient sibling).
class H2OnlyServer {
 public:
  explicit H2OnlyServer(lab::CertifiedKey identity);
  ~H2OnlyServer();
  H2OnlyServer(const H2OnlyServer&) = delete;
  H2OnlyServer& operator=(const H2OnlyServer&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;

 private:
  std::unique_ptr<detail::TopologyState> state_;
};

// A listener that requires a PROXY protocol header (v1 or v2, wire/proxy_protocol.hpp), as nginx's
// `listen ... proxy_protocol`: when the first bytes are not one, it closes with zero bytes;
// after a header it forwards the rest of the stream to 127.0.0.1:backend_port and pipes both ways.
class ProxyProtocolGate {
 public:
  explicit ProxyProtocolGate(std::uint16_t backend_port);
  ~ProxyProtocolGate();
  ProxyProtocolGate(const ProxyProtocolGate&) = delete;
  ProxyProtocolGate& operator=(const ProxyProtocolGate&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;
  // Each accepted header, as received (v1 without its CRLF, v2 in hex).
  std::vector<std::string> headers() const;

 private:
  std::unique_ptr<detail::TopologyState> state_;
};

}  // namespace wsprobe::test

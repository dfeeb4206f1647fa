#pragma once
// Loopback peers for the diagnosis tests (tests/probe/diagnosis_test.cpp): an L7 proxy that drops the
// upgrade headers, an L4 proxy that prepends a PROXY v2 header, a strict HTTP/1.1 server, and TLS
// servers with a policy (SNI required, client certificate required, narrow versions or ciphers).
// Each listens on 127.0.0.1 with a port the kernel picks, serves on its own io_context and thread,
// and its destructor closes the listener and every connection and joins (a connection that lingers
// is cut after a short grace; it never waits on the client).
//
//   lab::EchoServer backend;                         // Beast: answers a non-upgrade with 400
//   HeaderStrippingProxy proxy(backend.port());       // nginx without proxy_set_header Upgrade
//   ... probe ws://127.0.0.1:proxy.port()/ ...
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "probe/lab/certs.hpp"

namespace wsprobe::test {

namespace detail {
struct L7State;
}

// An HTTP/1.1 reverse proxy without WebSocket support, as nginx with `proxy_http_version 1.1` but no
// `proxy_set_header Upgrade/Connection`: reads each request head, removes the hop-by-hop `Upgrade`
// and `Connection` headers, adds `Connection: close` (nginx's default towards upstreams), sends the
// request to 127.0.0.1:backend_port and relays the backend's answer until the backend closes.
class HeaderStrippingProxy {
 public:
  explicit HeaderStrippingProxy(std::uint16_t backend_port);
  ~HeaderStrippingProxy();
  HeaderStrippingProxy(const HeaderStrippingProxy&) = delete;
  HeaderStrippingProxy& operator=(const HeaderStrippingProxy&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;
  // Each request head as forwarded to the backend, in accept order.
  std::vector<std::string> forwarded() const;

 private:
  std::unique_ptr<detail::L7State> state_;
};

// An L4 proxy that sends a PROXY protocol v2 header (wire/proxy_protocol.hpp; the client's and the
// listener's real addresses) to 127.0.0.1:backend_port before the client's first byte, then pipes
// both ways: an NLB target group with proxy_protocol_v2 enabled.
class ProxyHeaderSender {
 public:
  explicit ProxyHeaderSender(std::uint16_t backend_port);
  ~ProxyHeaderSender();
  ProxyHeaderSender(const ProxyHeaderSender&) = delete;
  ProxyHeaderSender& operator=(const ProxyHeaderSender&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;

 private:
  std::unique_ptr<detail::L7State> state_;
};

// A plain HTTP/1.1 server that does not parse PROXY headers, as nginx without `proxy_protocol` or
// Go's net/http: leading empty lines are skipped (RFC 9112 §2.2), then a first line that is not
// "METHOD SP target SP HTTP/d.d" gets "400 Bad Request" (decided as soon as a byte disagrees) and the
// connection closes; a valid request gets "200 OK" with a short text body and the connection closes.
class StrictHttpServer {
 public:
  StrictHttpServer();
  ~StrictHttpServer();
  StrictHttpServer(const StrictHttpServer&) = delete;
  StrictHttpServer& operator=(const StrictHttpServer&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;
  // The status each connection was answered with (400 or 200), in order.
  std::vector<int> statuses() const;

 private:
  std::unique_ptr<detail::L7State> state_;
};

// tls1_1 runs the server at OpenSSL security level 0 (level 1 and above refuse TLS 1.0/1.1).
enum class TlsVersionLimit { none, tls1_2, tls1_3, tls1_1 };

struct TlsPolicy {
  lab::CertifiedKey identity;
  // No SNI in the ClientHello: fatal alert 112 unrecognized_name from the servername callback, as
  // a strict SNI-routed nginx (`ssl_reject_handshake on` in the default server) does.
  bool require_sni = false;
  // SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT: a CertificateRequest, and an empty client
  // Certificate is refused (TLS 1.3: alert 116 after the client's Finished; TLS 1.2: alert 40).
  bool require_client_cert = false;
  TlsVersionLimit min_version = TlsVersionLimit::none;
  TlsVersionLimit max_version = TlsVersionLimit::none;
  std::string tls13_ciphersuites{};  // SSL_CTX_set_ciphersuites; empty: OpenSSL's default
  // With require_client_cert: the CA (PEM) client certificates must chain to; empty: none is
  // trusted, so any certificate is refused (alert 48 unknown_ca).
  std::string client_ca_pem{};
  std::string tls12_ciphers{};  // SSL_CTX_set_cipher_list (TLS 1.2 and below); empty: OpenSSL's default
};

// A TLS server with `policy`. A handshake that fails ends with the server's alert, a FIN, and reads
// until the client closes (nginx's lingering close: the client's bytes never turn the FIN into an
// RST); one that succeeds reads a request head and answers "200 OK" (ALPN http/1.1 when offered).
class TlsPolicyServer {
 public:
  explicit TlsPolicyServer(TlsPolicy policy);
  ~TlsPolicyServer();
  TlsPolicyServer(const TlsPolicyServer&) = delete;
  TlsPolicyServer& operator=(const TlsPolicyServer&) = delete;
  std::uint16_t port() const;
  std::size_t connections() const;
  // Handshakes that failed / completed on the server's side.
  std::size_t handshakes_failed() const;
  std::size_t handshakes_completed() const;

 private:
  std::unique_ptr<detail::L7State> state_;
};

}  // namespace wsprobe::test

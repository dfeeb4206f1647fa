#include "support/l7_topology.hpp"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "probe/asio.hpp"
#include "support/loopback_server.hpp"
#include "wire/http_response.hpp"
#include "wire/proxy_protocol.hpp"

namespace wsprobe::test {
namespace {
namespace ssl = net::ssl;
}  // namespace

namespace detail {

enum class L7Role { stripping_proxy, header_sender, strict_http, tls_policy };

struct L7State {
  L7State(L7Role r, std::uint16_t backend) : role(r), backend_port(backend) {}

  const L7Role role;
  const std::uint16_t backend_port;
  std::optional<ssl::context> tls;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> handshakes_failed{0};
  std::atomic<std::size_t> handshakes_completed{0};
  mutable std::mutex mutex;  // guards forwarded and statuses
  std::vector<std::string> forwarded;
  std::vector<int> statuses;
  // Last: it stops and joins before the rest goes.
  LoopbackServer server;
};

}  // namespace detail

// This file's helpers, in a namespace of their own: the tests are compiled in unity batches
// (CMakeLists.txt), where every loopback server's State, session and pump would meet.
namespace l7_topology_impl {
namespace {

constexpr std::size_t kMaxHead = 16 * 1024;

using State = detail::L7State;
using Role = detail::L7Role;

void close_socket(tcp::socket& socket) {
  error_code ignored;
  socket.close(ignored);
}

// FIN, then read until the client closes, so bytes it still sends never turn the FIN into an RST
// (nginx's lingering close). The destructor's close_all ends a client that never closes.
net::awaitable<void> lingering_close(std::shared_ptr<tcp::socket> socket) {
  error_code ignored;
  socket->shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 4096> buffer{};
  for (;;) {
    auto [ec, n] = co_await socket->async_read_some(net::buffer(buffer), use_nothrow);
    if (ec) break;
  }
  socket->close(ignored);
}

// Client to backend (the backend sees our FIN when the client is done); backend to client (both
// close when the backend is done).
void start_pipes(State* state, const std::shared_ptr<tcp::socket>& client, const std::shared_ptr<tcp::socket>& backend) {
  net::co_spawn(state->server.io_context(), relay_sockets(client, backend, RelayEnd::fin), net::detached);
  net::co_spawn(state->server.io_context(), relay_sockets(backend, client, RelayEnd::close_both), net::detached);
}

net::awaitable<std::shared_ptr<tcp::socket>> connect_backend(State* state) {
  auto backend = state->server.track(tcp::socket(state->server.io_context()));
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), state->backend_port);
  auto [ec] = co_await backend->async_connect(endpoint, use_nothrow);
  if (ec) co_return nullptr;
  co_return backend;
}

// Reads until a blank line ends a request head; false when the client ends first or sends too much.
net::awaitable<bool> read_head(tcp::socket& socket, std::string& received) {
  std::array<char, 4096> buffer{};
  while (received.find("\r\n\r\n") == std::string::npos) {
    if (received.size() > kMaxHead) co_return false;
    auto [ec, n] = co_await socket.async_read_some(net::buffer(buffer), use_nothrow);
    received.append(buffer.data(), n);
    if (ec) co_return received.find("\r\n\r\n") != std::string::npos;
  }
  co_return true;
}

// RFC 9110 §7.6.1: Connection and the headers it names are hop-by-hop; a proxy that does not
// implement the upgrade drops Upgrade with them and speaks its own Connection to the upstream.
std::string strip_upgrade(std::string_view head) {
  std::string out;
  std::size_t start = 0;
  bool first = true;
  while (start < head.size()) {
    std::size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(start, end - start);
    start = end + 2;
    if (line.empty()) break;
    if (!first) {
      const std::string_view name = line.substr(0, line.find(':'));
      if (iequals(name, "Upgrade") || iequals(name, "Connection")) continue;
    }
    first = false;
    out.append(line);
    out += "\r\n";
  }
  out += "Connection: close\r\n\r\n";
  return out;
}

net::awaitable<void> stripping_session(State* state, std::shared_ptr<tcp::socket> client) {
  std::string received;
  if (!co_await read_head(*client, received)) {
    close_socket(*client);
    co_return;
  }
  const std::size_t head_end = received.find("\r\n\r\n") + 4;
  const std::string request = strip_upgrade(std::string_view(received).substr(0, head_end)) + received.substr(head_end);
  {
    std::lock_guard lock(state->mutex);
    state->forwarded.push_back(request.substr(0, request.find("\r\n\r\n") + 4));
  }
  auto backend = co_await connect_backend(state);
  if (!backend) {
    // nginx's own answer when the upstream refuses; not what these tests exercise.
    co_await net::async_write(*client, net::buffer(std::string_view("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                                                                    "Connection: close\r\n\r\n")),
                              use_nothrow);
    co_await lingering_close(client);
    co_return;
  }
  auto [ec, n] = co_await net::async_write(*backend, net::buffer(request), use_nothrow);
  if (ec) {
    close_socket(*client);
    close_socket(*backend);
    co_return;
  }
  start_pipes(state, client, backend);
}

net::awaitable<void> header_sender_session(State* state, std::shared_ptr<tcp::socket> client) {
  auto backend = co_await connect_backend(state);
  error_code ec;
  const auto remote = client->remote_endpoint(ec);
  const auto local = client->local_endpoint(ec);
  if (!backend || ec) {
    close_socket(*client);
    co_return;
  }
  const auto header = proxy_v2_header({remote.address().to_string(), remote.port(), local.address().to_string(),
                                       local.port()});
  if (!header) {
    close_socket(*client);
    close_socket(*backend);
    co_return;
  }
  auto [write_ec, n] = co_await net::async_write(*backend, net::buffer(*header), use_nothrow);
  if (write_ec) {
    close_socket(*client);
    close_socket(*backend);
    co_return;
  }
  start_pipes(state, client, backend);
}

bool is_tchar(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

enum class LineCheck { incomplete, valid, invalid };

// RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF, after any empty lines
// (§2.2). Decides as soon as a byte disagrees, as nginx's ngx_http_parse_request_line does.
LineCheck check_request_line(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && (bytes[i] == '\r' || bytes[i] == '\n')) ++i;
  enum { method, target, version } part = method;
  std::size_t part_start = i;
  for (; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    switch (part) {
      case method:
        if (c == ' ' && i > part_start) {
          part = target;
          part_start = i + 1;
        } else if (!is_tchar(c)) {
          return LineCheck::invalid;
        }
        break;
      case target:
        if (c == ' ' && i > part_start) {
          part = version;
          part_start = i + 1;
        } else if (c <= 0x20 || c == 0x7f) {
          return LineCheck::invalid;
        }
        break;
      case version: {
        constexpr std::string_view kShape = "HTTP/d.d";
        const std::size_t at = i - part_start;
        if (at < kShape.size()) {
          const bool ok = kShape[at] == 'd' ? std::isdigit(c) != 0 : c == static_cast<unsigned char>(kShape[at]);
          if (!ok) return LineCheck::invalid;
        } else if (at == kShape.size() && c == '\r') {
          continue;
        } else if ((at == kShape.size() || at == kShape.size() + 1) && c == '\n') {
          return LineCheck::valid;
        } else {
          return LineCheck::invalid;
        }
        break;
      }
    }
  }
  return LineCheck::incomplete;
}

net::awaitable<void> strict_http_session(State* state, std::shared_ptr<tcp::socket> client) {
  std::string received;
  std::array<char, 4096> buffer{};
  LineCheck check = LineCheck::incomplete;
  while (check == LineCheck::incomplete && received.size() <= kMaxHead) {
    auto [ec, n] = co_await client->async_read_some(net::buffer(buffer), use_nothrow);
    received.append(buffer.data(), n);
    check = check_request_line(received);
    if (ec) break;
  }
  if (check == LineCheck::incomplete) {
    close_socket(*client);
    co_return;
  }
  std::string reply;
  int status = 400;
  if (check == LineCheck::valid && co_await read_head(*client, received)) {
    status = 200;
    reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
  } else {
    // The generic page of a server that never got as far as the request's headers.
    constexpr std::string_view kPage =
        "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1>"
        "</center>\r\n</body>\r\n</html>\r\n";
    reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: " + std::to_string(kPage.size()) +
            "\r\nConnection: close\r\n\r\n" + std::string(kPage);
  }
  {
    std::lock_guard lock(state->mutex);
    state->statuses.push_back(status);
  }
  // A failed write ends the session the same way: the client sees what it sees.
  co_await net::async_write(*client, net::buffer(reply), use_nothrow);
  co_await lingering_close(client);
}

net::awaitable<void> tls_policy_session(State* state, std::shared_ptr<tcp::socket> client) {
  ssl::stream<tcp::socket&> stream(*client, *state->tls);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
  if (ec) {
    // The alert went out with the failed handshake (asio writes pending output before completing).
    ++state->handshakes_failed;
    co_await lingering_close(client);
    co_return;
  }
  ++state->handshakes_completed;
  std::string received;
  std::array<char, 4096> buffer{};
  while (received.find("\r\n\r\n") == std::string::npos && received.size() <= kMaxHead) {
    auto [read_ec, n] = co_await stream.async_read_some(net::buffer(buffer), use_nothrow);
    received.append(buffer.data(), n);
    if (read_ec) break;
  }
  constexpr std::string_view kReply =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
  co_await net::async_write(stream, net::buffer(kReply), use_nothrow);
  co_await lingering_close(client);
}

// The session coroutine for an accepted connection, by role.
net::awaitable<void> session_for(State* state, tcp::socket socket) {
  ++state->accepted;
  auto client = state->server.track(std::move(socket));
  switch (state->role) {
    case Role::stripping_proxy: return stripping_session(state, client);
    case Role::header_sender: return header_sender_session(state, client);
    case Role::strict_http: return strict_http_session(state, client);
    case Role::tls_policy: break;
  }
  return tls_policy_session(state, client);
}

// RFC 6066 §3: a server that cannot serve a ClientHello without a name may refuse it with the
// fatal alert unrecognized_name (112). OpenSSL calls this whether or not SNI was sent.
int require_server_name(SSL* ssl, int* alert, void*) {
  if (SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) return SSL_TLSEXT_ERR_OK;
  *alert = SSL_AD_UNRECOGNIZED_NAME;
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

int openssl_version(TlsVersionLimit limit) {
  switch (limit) {
    case TlsVersionLimit::tls1_1: return TLS1_1_VERSION;
    case TlsVersionLimit::tls1_2: return TLS1_2_VERSION;
    case TlsVersionLimit::tls1_3: return TLS1_3_VERSION;
    default: return 0;
  }
}

void configure(ssl::context& context, const TlsPolicy& policy) {
  SSL_CTX* ctx = context.native_handle();
  bool ok = SSL_CTX_set_min_proto_version(ctx, openssl_version(policy.min_version)) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, openssl_version(policy.max_version)) == 1;
  if (!policy.tls13_ciphersuites.empty())
    ok = ok && SSL_CTX_set_ciphersuites(ctx, policy.tls13_ciphersuites.c_str()) == 1;
  if (!policy.tls12_ciphers.empty()) ok = ok && SSL_CTX_set_cipher_list(ctx, policy.tls12_ciphers.c_str()) == 1;
  if (!ok) throw std::runtime_error("TlsPolicyServer: OpenSSL refused the policy");
  // OpenSSL 3 negotiates TLS 1.0/1.1 only at security level 0 (their signatures use SHA-1).
  if (policy.max_version == TlsVersionLimit::tls1_1) SSL_CTX_set_security_level(ctx, 0);
  if (policy.require_sni) SSL_CTX_set_tlsext_servername_callback(ctx, &require_server_name);
  if (policy.require_client_cert)
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if (!policy.client_ca_pem.empty()) context.add_certificate_authority(net::buffer(policy.client_ca_pem));
}

std::unique_ptr<State> start(Role role, std::uint16_t backend_port, const TlsPolicy* policy = nullptr) {
  auto state = std::make_unique<State>(role, backend_port);
  if (policy) {
    state->tls.emplace(server_tls_context(policy->identity));
    configure(*state->tls, *policy);
  }
  state->server.start([raw = state.get()](tcp::socket socket) { return session_for(raw, std::move(socket)); });
  return state;
}

}  // namespace
}  // namespace l7_topology_impl

HeaderStrippingProxy::HeaderStrippingProxy(std::uint16_t backend_port)
    : state_(l7_topology_impl::start(detail::L7Role::stripping_proxy, backend_port)) {}
HeaderStrippingProxy::~HeaderStrippingProxy() { state_->server.stop(); }
std::uint16_t HeaderStrippingProxy::port() const { return state_->server.port(); }
std::size_t HeaderStrippingProxy::connections() const { return state_->accepted; }
std::vector<std::string> HeaderStrippingProxy::forwarded() const {
  std::lock_guard lock(state_->mutex);
  return state_->forwarded;
}

ProxyHeaderSender::ProxyHeaderSender(std::uint16_t backend_port)
    : state_(l7_topology_impl::start(detail::L7Role::header_sender, backend_port)) {}
ProxyHeaderSender::~ProxyHeaderSender() { state_->server.stop(); }
std::uint16_t ProxyHeaderSender::port() const { return state_->server.port(); }
std::size_t ProxyHeaderSender::connections() const { return state_->accepted; }

StrictHttpServer::StrictHttpServer() : state_(l7_topology_impl::start(detail::L7Role::strict_http, 0)) {}
StrictHttpServer::~StrictHttpServer() { state_->server.stop(); }
std::uint16_t StrictHttpServer::port() const { return state_->server.port(); }
std::size_t StrictHttpServer::connections() const { return state_->accepted; }
std::vector<int> StrictHttpServer::statuses() const {
  std::lock_guard lock(state_->mutex);
  return state_->statuses;
}

TlsPolicyServer::TlsPolicyServer(TlsPolicy policy)
    : state_(l7_topology_impl::start(detail::L7Role::tls_policy, 0, &policy)) {}
TlsPolicyServer::~TlsPolicyServer() { state_->server.stop(); }
std::uint16_t TlsPolicyServer::port() const { return state_->server.port(); }
std::size_t TlsPolicyServer::connections() const { return state_->accepted; }
std::size_t TlsPolicyServer::handshakes_failed() const { return state_->handshakes_failed; }
std::size_t TlsPolicyServer::handshakes_completed() const { return state_->handshakes_completed; }

}  // namespace wsprobe::test

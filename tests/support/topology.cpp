#include "support/topology.hpp"

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <optional>

#include "probe/asio.hpp"
#include "support/loopback_server.hpp"
#include "wire/hex.hpp"
#include "wire/proxy_protocol.hpp"

namespace wsprobe::test {
namespace {
namespace ssl = net::ssl;
}  // namespace

namespace detail {

enum class TopologyRole { terminator, h2_only, proxy_gate };

struct TopologyState {
  TopologyState(TopologyRole r, std::uint16_t backend) : role(r), backend_port(backend) {}

  const TopologyRole role;
  const std::uint16_t backend_port;
  std::optional<ssl::context> tls;
  std::atomic<std::size_t> accepted{0};
  mutable std::mutex mutex;  // guards headers
  std::vector<std::string> headers;
  // Last: it stops and joins before the rest goes.
  LoopbackServer server;
};

}  // namespace detail

// This file's helpers, in a namespace of their own: the tests are compiled in unity batches
// (CMakeLists.txt), where every loopback server's State, session and pump would meet.
namespace topology_impl {
namespace {

constexpr std::string_view kH2 = "h2";  // ALPN; a constant, as server_tls_context asks

using State = detail::TopologyState;
using Role = detail::TopologyRole;

// One proxied connection: the client's side (TLS when the topology terminates it) and the backend's.
struct Session {
  explicit Session(State* s, std::shared_ptr<tcp::socket> c)
      : state(s), client(std::move(c)), backend(std::make_shared<tcp::socket>(s->server.io_context())) {}
  State* state;
  std::shared_ptr<tcp::socket> client;
  std::shared_ptr<tcp::socket> backend;
  std::optional<ssl::stream<tcp::socket&>> tls;
};

void close_both(Session& session) {
  error_code ignored;
  session.client->close(ignored);
  session.backend->close(ignored);
}

// Client to backend; when the client is done, the backend sees a FIN.
net::awaitable<void> upstream(std::shared_ptr<Session> session) {
  if (session->tls)
    co_await relay(*session->tls, *session->backend);
  else
    co_await relay(*session->client, *session->backend);
  error_code ignored;
  session->backend->shutdown(tcp::socket::shutdown_send, ignored);
}

// Backend to client; when the backend is done, so is the client's connection.
net::awaitable<void> downstream(std::shared_ptr<Session> session) {
  if (session->tls)
    co_await relay(*session->backend, *session->tls);
  else
    co_await relay(*session->backend, *session->client);
  close_both(*session);
}

net::awaitable<bool> connect_backend(Session& session) {
  session.state->server.track(session.backend);
  const tcp::endpoint backend(net::ip::make_address("127.0.0.1"), session.state->backend_port);
  auto [ec] = co_await session.backend->async_connect(backend, use_nothrow);
  co_return !ec;
}

void start_pipes(State* state, const std::shared_ptr<Session>& session) {
  net::co_spawn(state->server.io_context(), upstream(session), net::detached);
  net::co_spawn(state->server.io_context(), downstream(session), net::detached);
}

net::awaitable<void> terminator_session(State* state, std::shared_ptr<tcp::socket> client) {
  auto session = std::make_shared<Session>(state, client);
  session->tls.emplace(*client, *state->tls);
  auto [ec] = co_await session->tls->async_handshake(ssl::stream_base::server, use_nothrow);
  if (ec || !co_await connect_backend(*session)) {
    close_both(*session);
    co_return;
  }
  start_pipes(state, session);
}

net::awaitable<void> h2_only_session(State* state, std::shared_ptr<tcp::socket> client) {
  ssl::stream<tcp::socket&> stream(*client, *state->tls);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
  if (!ec) {
    // Whatever arrives (an HTTP/1.1 request) gets no answer: a FIN, no byte.
    std::array<char, 4096> buffer{};
    co_await stream.async_read_some(net::buffer(buffer), use_nothrow);
  }
  error_code ignored;
  client->shutdown(tcp::socket::shutdown_both, ignored);
  client->close(ignored);
}

net::awaitable<void> proxy_gate_session(State* state, std::shared_ptr<tcp::socket> client) {
  std::string received;
  std::array<char, 4096> buffer{};
  ProxyHeaderParse parse;
  while (parse.state == ProxyHeaderState::incomplete) {
    auto [ec, n] = co_await client->async_read_some(net::buffer(buffer), use_nothrow);
    received.append(buffer.data(), n);
    parse = parse_proxy_header(received);
    if (ec && parse.state != ProxyHeaderState::complete) {
      error_code ignored;
      client->close(ignored);
      co_return;
    }
  }
  error_code ignored;
  if (parse.state == ProxyHeaderState::invalid) {
    // nginx's "broken header": the connection ends without a byte. FIN, then drain until the
    // client closes, so unread bytes never turn the FIN into an RST.
    client->shutdown(tcp::socket::shutdown_send, ignored);
    for (;;) {
      auto [ec, n] = co_await client->async_read_some(net::buffer(buffer), use_nothrow);
      if (ec) break;
    }
    client->close(ignored);
    co_return;
  }
  {
    const auto header = received.substr(0, parse.length);
    std::lock_guard lock(state->mutex);
    state->headers.push_back(parse.version == 1 ? header.substr(0, header.size() - 2) : to_hex(header, 256));
  }
  auto session = std::make_shared<Session>(state, client);
  if (!co_await connect_backend(*session)) {
    close_both(*session);
    co_return;
  }
  const std::string rest = received.substr(parse.length);
  if (!rest.empty()) {
    auto [ec, n] = co_await net::async_write(*session->backend, net::buffer(rest), use_nothrow);
    if (ec) {
      close_both(*session);
      co_return;
    }
  }
  start_pipes(state, session);
}

// The session coroutine for an accepted connection, by role.
net::awaitable<void> session_for(State* state, tcp::socket socket) {
  ++state->accepted;
  auto client = state->server.track(std::move(socket));
  switch (state->role) {
    case Role::terminator: return terminator_session(state, client);
    case Role::h2_only: return h2_only_session(state, client);
    case Role::proxy_gate: break;
  }
  return proxy_gate_session(state, client);
}

std::unique_ptr<State> start(Role role, std::uint16_t backend_port, const std::optional<lab::CertifiedKey>& identity,
                             const std::string_view* alpn) {
  auto state = std::make_unique<State>(role, backend_port);
  if (identity) state->tls.emplace(server_tls_context(*identity, alpn));
  state->server.start([raw = state.get()](tcp::socket socket) { return session_for(raw, std::move(socket)); });
  return state;
}

}  // namespace
}  // namespace topology_impl

TlsTerminator::TlsTerminator(lab::CertifiedKey identity, std::uint16_t backend_port)
    : state_(topology_impl::start(detail::TopologyRole::terminator, backend_port, identity, &kAlpnHttp11)) {}
TlsTerminator::~TlsTerminator() { state_->server.stop(); }
std::uint16_t TlsTerminator::port() const { return state_->server.port(); }
std::size_t TlsTerminator::connections() const { return state_->accepted; }

H2OnlyServer::H2OnlyServer(lab::CertifiedKey identity)
    : state_(topology_impl::start(detail::TopologyRole::h2_only, 0, identity, &topology_impl::kH2)) {}
H2OnlyServer::~H2OnlyServer() { state_->server.stop(); }
std::uint16_t H2OnlyServer::port() const { return state_->server.port(); }
std::size_t H2OnlyServer::connections() const { return state_->accepted; }

ProxyProtocolGate::ProxyProtocolGate(std::uint16_t backend_port)
    : state_(topology_impl::start(detail::TopologyRole::proxy_gate, backend_port, std::nullopt, nullptr)) {}
ProxyProtocolGate::~ProxyProtocolGate() { state_->server.stop(); }
std::uint16_t ProxyProtocolGate::port() const { return state_->server.port(); }
std::size_t ProxyProtocolGate::connections() const { return state_->accepted; }
std::vector<std::string> ProxyProtocolGate::headers() const {
  std::lock_guard lock(state_->mutex);
  return state_->headers;
}

}  // namespace wsprobe::test

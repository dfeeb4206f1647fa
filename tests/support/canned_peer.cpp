#include "support/canned_peer.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "probe/asio.hpp"

namespace wsprobe::test {
namespace {
namespace ssl = net::ssl;
constexpr auto kStopGrace = std::chrono::seconds(3);
}  // namespace

namespace detail {

// One accepted connection: its socket and its delay timer, so the destructor can cut both.
struct CannedConnection {
  explicit CannedConnection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  net::steady_timer timer;
  std::size_t index = 0;
};

struct CannedPeerState {
  CannedPeerState(CannedScript s, std::optional<lab::CertifiedKey> identity)
      : script(std::move(s)), tls_identity(std::move(identity)) {}

  const CannedScript script;
  const std::optional<lab::CertifiedKey> tls_identity;
  std::optional<ssl::context> tls;

  mutable std::mutex mutex;  // guards received
  mutable std::condition_variable changed;
  std::vector<std::string> received;

  net::io_context ioc{1};
  // On the peer's thread only. After ioc: sockets and timers must go before their io_context.
  std::vector<std::shared_ptr<CannedConnection>> open;
  bool stopping = false;
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  std::promise<void> ran_out;
  std::thread thread;

  void record(std::size_t index, const char* data, std::size_t n) {
    {
      std::lock_guard lock(mutex);
      received.at(index).append(data, n);
    }
    changed.notify_all();
  }

  bool has_http_head(std::size_t index) const {
    std::lock_guard lock(mutex);
    return received.at(index).find("\r\n\r\n") != std::string::npos;
  }

  void close_all() {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    for (auto& connection : open) {
      connection->timer.cancel();
      connection->socket.close(ignored);
    }
  }
};

}  // namespace detail

namespace {

using State = detail::CannedPeerState;
using detail::CannedConnection;

// ALPN http/1.1 when the client offers it; no ALPN otherwise (RFC 7301 §3.2 lets a server ignore it).
int select_http11(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                  unsigned int in_length, void*) {
  for (unsigned int i = 0; i < in_length; i += 1u + in[i]) {
    if (i + 1 + in[i] <= in_length &&
        std::string_view(reinterpret_cast<const char*>(in + i + 1), in[i]) == "http/1.1") {
      *out = in + i + 1;
      *out_length = in[i];
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

// Reads once and records; returns false when the connection ended (eof, reset, closed by us).
template <class Stream>
net::awaitable<bool> read_and_record(State* state, CannedConnection* connection, Stream& stream) {
  char buffer[4096];
  auto [ec, n] = co_await stream.async_read_some(net::buffer(buffer), use_nothrow);
  if (n > 0) state->record(connection->index, buffer, n);
  co_return !ec;
}

template <class Stream>
net::awaitable<void> play(State* state, std::shared_ptr<CannedConnection> connection, Stream& stream) {
  const CannedScript& script = state->script;
  switch (script.read_first) {
    case ReadFirst::nothing:
      break;
    case ReadFirst::any_bytes:
      if (!co_await read_and_record(state, connection.get(), stream)) co_return;
      break;
    case ReadFirst::http_head:
      while (!state->has_http_head(connection->index))
        if (!co_await read_and_record(state, connection.get(), stream)) co_return;
      break;
  }
  if (script.delay.count() > 0) {
    connection->timer.expires_after(script.delay);
    auto [ec] = co_await connection->timer.async_wait(use_nothrow);
    if (ec || state->stopping) co_return;
  }
  if (!script.reply.empty()) {
    auto [ec, n] = co_await net::async_write(stream, net::buffer(script.reply), use_nothrow);
    if (ec) co_return;
  }
  error_code ignored;
  switch (script.then) {
    case Then::close:
      connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
      while (co_await read_and_record(state, connection.get(), stream)) {
      }
      connection->socket.close(ignored);
      break;
    case Then::reset:
      // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
      connection->socket.set_option(net::socket_base::linger(true, 0), ignored);
      connection->socket.close(ignored);
      break;
    case Then::hold:
      while (co_await read_and_record(state, connection.get(), stream)) {
      }
      connection->socket.close(ignored);
      break;
    case Then::silent:
      break;  // state->open keeps the socket until the destructor
  }
}

// The script, then the socket closed, unless the script keeps it open on purpose (silent). A
// connection that ended early (the client went away mid-script) is closed too.
net::awaitable<void> run_connection(State* state, std::shared_ptr<CannedConnection> connection) {
  if (!state->tls) {
    co_await play(state, connection, connection->socket);
  } else {
    ssl::stream<tcp::socket&> stream(connection->socket, *state->tls);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
    if (!ec) co_await play(state, connection, stream);
  }
  if (state->script.then != Then::silent) {
    error_code ignored;
    connection->socket.close(ignored);
  }
}

net::awaitable<void> run_acceptor(State* state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_nothrow);
    if (ec) {
      if (state->stopping || ec == net::error::operation_aborted) co_return;
      continue;
    }
    auto connection = std::make_shared<CannedConnection>(std::move(socket));
    {
      std::lock_guard lock(state->mutex);
      connection->index = state->received.size();
      state->received.emplace_back();
    }
    state->changed.notify_all();
    state->open.push_back(connection);
    net::co_spawn(state->ioc, run_connection(state, connection), net::detached);
  }
}

}  // namespace

CannedPeer::CannedPeer(CannedScript script, std::optional<lab::CertifiedKey> tls)
    : state_(std::make_unique<State>(std::move(script), std::move(tls))) {
  State& state = *state_;
  if (state.tls_identity) {
    state.tls.emplace(ssl::context::tls_server);
    state.tls->use_certificate_chain(net::buffer(state.tls_identity->cert_pem));
    state.tls->use_private_key(net::buffer(state.tls_identity->key_pem), ssl::context::pem);
    SSL_CTX_set_alpn_select_cb(state.tls->native_handle(), &select_http11, nullptr);
  }
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state.acceptor.open(endpoint.protocol());
  state.acceptor.bind(endpoint);
  state.acceptor.listen();
  state.port = state.acceptor.local_endpoint().port();
  net::co_spawn(state.ioc, run_acceptor(&state), net::detached);
  state.thread = std::thread([&state] {
    state.ioc.run();
    state.ran_out.set_value();
  });
}

CannedPeer::~CannedPeer() {
  State& state = *state_;
  std::future<void> ran_out = state.ran_out.get_future();
  net::post(state.ioc, [&state] { state.close_all(); });
  if (ran_out.wait_for(kStopGrace) != std::future_status::ready) state.ioc.stop();
  state.thread.join();
}

std::uint16_t CannedPeer::port() const { return state_->port; }

std::size_t CannedPeer::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->received.size();
}

std::vector<std::string> CannedPeer::received() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

bool CannedPeer::wait_for_received(std::size_t bytes, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] {
    std::size_t total = 0;
    for (const auto& r : state_->received) total += r.size();
    return total >= bytes;
  });
}

bool CannedPeer::wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->received.size() >= count; });
}

}  // namespace wsprobe::test

#include "support/canned_peer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>

#include "probe/asio.hpp"
#include "support/loopback_server.hpp"

namespace wsprobe::test {
namespace {
namespace ssl = net::ssl;
}  // namespace

namespace detail {

// One accepted connection: its socket and its delay timer, so the destructor can cut both.
struct CannedConnection {
  explicit CannedConnection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  net::steady_timer timer;
  std::size_t index = 0;

  // At the peer's stop: whatever the script waits on returns.
  void abort() {
    error_code ignored;
    timer.cancel();
    socket.close(ignored);
  }
};

struct CannedPeerState {
  CannedPeerState(CannedScript s, const std::optional<lab::CertifiedKey>& identity) : script(std::move(s)) {
    if (identity) tls.emplace(server_tls_context(*identity));
  }

  const CannedScript script;
  std::optional<ssl::context> tls;

  mutable std::mutex mutex;  // guards received
  mutable std::condition_variable changed;
  std::vector<std::string> received;
  // Last: it stops and joins before the rest goes.
  LoopbackServer server;

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
};

}  // namespace detail

// This file's helpers, in a namespace of their own: the tests are compiled in unity batches
// (CMakeLists.txt), where every loopback server's State, play and accept_connection would meet.
namespace canned_peer_impl {
namespace {

using State = detail::CannedPeerState;
using detail::CannedConnection;

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
    if (ec || state->server.stopping()) co_return;
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
      break;  // the server keeps the socket until the destructor (at_stop)
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

// Numbers the connection in accept order, then plays the script on it.
net::awaitable<void> accept_connection(State* state, tcp::socket socket) {
  auto connection = std::make_shared<CannedConnection>(std::move(socket));
  {
    std::lock_guard lock(state->mutex);
    connection->index = state->received.size();
    state->received.emplace_back();
  }
  state->changed.notify_all();
  state->server.at_stop([connection] { connection->abort(); });
  return run_connection(state, connection);
}

}  // namespace
}  // namespace canned_peer_impl

CannedPeer::CannedPeer(CannedScript script, std::optional<lab::CertifiedKey> tls)
    : state_(std::make_unique<detail::CannedPeerState>(std::move(script), tls)) {
  state_->server.start([state = state_.get()](tcp::socket socket) {
    return canned_peer_impl::accept_connection(state, std::move(socket));
  });
}

CannedPeer::~CannedPeer() { state_->server.stop(); }

std::uint16_t CannedPeer::port() const { return state_->server.port(); }

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

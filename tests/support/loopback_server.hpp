#pragma once
// The plumbing every loopback test server shares: a TCP listener on 127.0.0.1 (or ::1) with a port
// the kernel picks, its own io_context on its own thread, and a stop that closes the listener and
// every connection, then joins (a connection that lingers is cut after a short grace; it never
// waits on the client). The server that owns it brings only the per-connection coroutine.
//
//   struct State {
//     std::atomic<std::size_t> accepted{0};
//     LoopbackServer server;  // last: it stops, joins and drops its sockets before the rest goes
//   };
//   state->server.start([state = state.get()](tcp::socket socket) {
//     ++state->accepted;
//     return serve(state, state->server.track(std::move(socket)));  // a named coroutine, by value
//   });
#include <array>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>

#include "probe/asio.hpp"
#include "probe/lab/certs.hpp"

namespace wsprobe::test {

struct LoopbackOptions {
  std::string address = "127.0.0.1";  // "::1" for an IPv6 listener
  bool reuse_address = false;         // SO_REUSEADDR on the listener
  // SO_RCVBUF on the listener, before bind: accepted sockets inherit it (the kernel doubles it).
  std::optional<int> receive_buffer_size{};
};

class LoopbackServer {
 public:
  // Called on the server's thread with each accepted socket; returns that connection's coroutine,
  // which runs detached on io_context(). It must not be a capturing lambda coroutine (style.md).
  using OnAccept = std::function<net::awaitable<void>(tcp::socket)>;

  // Listens at once, so port() is known before start(); accepts nothing until start().
  // Throws boost::system::system_error when it cannot listen.
  explicit LoopbackServer(const LoopbackOptions& options = {});
  ~LoopbackServer();  // stop()
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Starts accepting on the server's thread. Call once, after what on_accept uses is ready.
  void start(OnAccept on_accept);
  // Closes the listener, runs every at_stop action and waits up to a short grace for the
  // connections' coroutines to end, then stops the io_context and joins. Idempotent.
  void stop();

  std::uint16_t port() const { return port_; }
  net::io_context& io_context() { return ioc_; }

  // The rest: on the server's thread only.
  bool stopping() const { return stopping_; }
  // Runs `action` at stop (at once when stopping already): what ends a connection, such as
  // cancelling its timers. What it captures lives until the server is destroyed, before the
  // io_context.
  void at_stop(std::function<void()> action);
  // Keeps `socket` until the server is destroyed and closes it at stop.
  std::shared_ptr<tcp::socket> track(std::shared_ptr<tcp::socket> socket);
  std::shared_ptr<tcp::socket> track(tcp::socket socket);

 private:
  net::awaitable<void> accept_loop();
  void close_all();

  net::io_context ioc_{1};
  tcp::acceptor acceptor_{ioc_};
  // After ioc_: the sockets and timers these actions hold go before their io_context.
  std::vector<std::function<void()>> at_stop_;
  OnAccept on_accept_;
  bool stopping_ = false;
  std::uint16_t port_ = 0;
  std::promise<void> ran_out_;
  std::thread thread_;
};

// Copies what `from` receives to `to` until a read or a write fails or `from` ends; closing or
// shutting down either side afterwards is the caller's decision.
template <class From, class To>
net::awaitable<void> relay(From& from, To& to) {
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(net::buffer(buffer), use_nothrow);
    if (n > 0) {
      auto [write_ec, written] = co_await net::async_write(to, net::buffer(buffer.data(), n), use_nothrow);
      if (write_ec) co_return;
    }
    if (ec) co_return;
  }
}

// How relay_sockets ends: both sockets closed, or the end passed on to `to` as a FIN (shutdown_send),
// the rest left to the other direction.
enum class RelayEnd { close_both, fin };

// relay() from one socket to the other, then `end`.
net::awaitable<void> relay_sockets(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to, RelayEnd end);

// A TLS server context with `identity`'s chain and key that selects ALPN `*alpn` when the client
// offers it and no ALPN otherwise (RFC 7301 §3.2). `alpn` must outlive the context: a constant.
inline constexpr std::string_view kAlpnHttp11 = "http/1.1";
net::ssl::context server_tls_context(const lab::CertifiedKey& identity, const std::string_view* alpn = &kAlpnHttp11);

}  // namespace wsprobe::test

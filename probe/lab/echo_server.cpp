#include "probe/lab/echo_server.hpp"

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <future>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "probe/asio.hpp"

namespace wsprobe::lab {
namespace {
namespace http = beast::http;
namespace ssl = net::ssl;
namespace websocket = beast::websocket;

// Bounds for a peer that connects and then stalls before the WebSocket is open.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// How long the destructor lets connections wind down before it stops the io_context outright.
constexpr auto kStopGrace = std::chrono::seconds(3);

// RFC 6455 §4.1: Sec-WebSocket-Protocol is a comma-separated list in preference order.
std::string first_offered(std::string_view offered) {
  std::string_view first = offered.substr(0, offered.find(','));
  while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
  while (!first.empty() && (first.back() == ' ' || first.back() == '\t')) first.remove_suffix(1);
  return std::string(first);
}

}  // namespace

namespace detail {
struct EchoServerState {
  explicit EchoServerState(EchoServerOptions server_options) : options(std::move(server_options)) {}

  EchoServerOptions options;
  // Declared before ioc: coroutine frames the io_context destroys still deregister from it.
  std::set<beast::tcp_stream*> streams;
  bool stopping = false;  // touched on the server's thread only
  std::optional<ssl::context> tls;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> messages{0};
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  std::promise<void> ran_out;
  std::thread thread;

  void close_all() {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    for (beast::tcp_stream* stream : streams) stream->close();
  }
};
}  // namespace detail

namespace {

using Impl = detail::EchoServerState;

// Keeps a connection's TCP stream in the server's list while its coroutine runs, so the
// destructor can close it.
class Registration {
 public:
  Registration(Impl* impl, beast::tcp_stream& stream) : impl_(impl), stream_(&stream) {
    impl_->streams.insert(stream_);
    if (impl_->stopping) stream_->close();
  }
  ~Registration() { impl_->streams.erase(stream_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  Impl* impl_;
  beast::tcp_stream* stream_;
};

// RFC 7301 §3.2: pick the server's preferred protocol among the client's, or refuse with
// no_application_protocol; a client that offered none never reaches this callback.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void* arg) {
  const auto* impl = static_cast<const Impl*>(arg);
  if (impl->options.alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  for (const std::string& wanted : impl->options.alpn) {
    for (unsigned int i = 0; i < in_length; i += 1u + in[i]) {
      unsigned int length = in[i];
      if (i + 1 + length > in_length) break;
      if (std::string_view(reinterpret_cast<const char*>(in + i + 1), length) == wanted) {
        *out = in + i + 1;
        *out_length = static_cast<unsigned char>(length);
        return SSL_TLSEXT_ERR_OK;
      }
    }
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

template <class Stream>
net::awaitable<void> serve_websocket(Impl* impl, websocket::stream<Stream>& ws) {
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  beast::get_lowest_layer(ws).expires_after(kHandshakeTimeout);
  auto [read_ec, read_n] = co_await http::async_read(ws.next_layer(), buffer, request, use_nothrow);
  if (read_ec) co_return;

  // Beast times the WebSocket itself from here (style.md: expires_never before WebSocket I/O).
  beast::get_lowest_layer(ws).expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  if (impl->options.read_message_max) ws.read_message_max(*impl->options.read_message_max);
  if (impl->options.deflate) {
    websocket::permessage_deflate deflate;
    deflate.server_enable = true;
    deflate.msg_size_threshold = 0;  // compress even a 5-byte echo
    ws.set_option(deflate);
  }
  std::string subprotocol;
  if (impl->options.select_first_subprotocol)
    subprotocol = first_offered(request[http::field::sec_websocket_protocol]);
  ws.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& response) {
    response.set(http::field::server, "wsprobe-lab-echo");
    if (!subprotocol.empty()) response.set(http::field::sec_websocket_protocol, subprotocol);
  }));
  // Bytes read past the request head (frames a client sent without waiting for the 101) belong
  // to the WebSocket: hand Beast the head again with them, so it parses both and keeps the rest.
  std::ostringstream head;
  head << request;
  std::string raw = head.str() + beast::buffers_to_string(buffer.data());
  auto [accept_ec] = co_await ws.async_accept(net::buffer(raw), use_nothrow);
  if (accept_ec) co_return;

  for (;;) {
    beast::flat_buffer message;
    // Pings are answered and a close is answered inside async_read (Beast).
    auto [ec, n] = co_await ws.async_read(message, use_nothrow);
    if (ec) co_return;
    ++impl->messages;
    if (!impl->options.echo) continue;
    ws.text(ws.got_text());
    auto [write_ec, written] = co_await ws.async_write(message.data(), use_nothrow);
    if (write_ec) co_return;
  }
}

net::awaitable<void> run_plain_session(Impl* impl, tcp::socket socket) {
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  Registration registration(impl, beast::get_lowest_layer(ws));
  co_await serve_websocket(impl, ws);
}

net::awaitable<void> run_tls_session(Impl* impl, tcp::socket socket) {
  websocket::stream<ssl::stream<beast::tcp_stream>> ws(beast::tcp_stream(std::move(socket)), *impl->tls);
  Registration registration(impl, beast::get_lowest_layer(ws));
  beast::get_lowest_layer(ws).expires_after(kHandshakeTimeout);
  auto [ec] = co_await ws.next_layer().async_handshake(ssl::stream_base::server, use_nothrow);
  if (ec) co_return;
  co_await serve_websocket(impl, ws);
}

net::awaitable<void> run_acceptor(Impl* impl) {
  for (;;) {
    auto [ec, socket] = co_await impl->acceptor.async_accept(use_nothrow);
    if (ec) {
      if (impl->stopping || ec == net::error::operation_aborted) co_return;
      continue;  // a client that reset before accept (ECONNABORTED): keep serving
    }
    ++impl->accepted;
    // As nginx and most servers do: without it the 101 after TLS 1.3's session tickets, and the
    // close_notify after a close frame, wait out the client's 40 ms delayed ACK (Nagle).
    error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    if (impl->tls)
      net::co_spawn(impl->ioc, run_tls_session(impl, std::move(socket)), net::detached);
    else
      net::co_spawn(impl->ioc, run_plain_session(impl, std::move(socket)), net::detached);
  }
}

}  // namespace

EchoServer::EchoServer(EchoServerOptions options)
    : impl_(std::make_unique<detail::EchoServerState>(std::move(options))) {
  detail::EchoServerState& impl = *impl_;
  if (impl.options.tls) {
    impl.tls.emplace(ssl::context::tls_server);
    impl.tls->use_certificate_chain(net::buffer(impl.options.tls->cert_pem));
    impl.tls->use_private_key(net::buffer(impl.options.tls->key_pem), ssl::context::pem);
    SSL_CTX_set_alpn_select_cb(impl.tls->native_handle(), &select_alpn, &impl);
    if (impl.options.client_ca_pem) {
      impl.tls->add_certificate_authority(net::buffer(*impl.options.client_ca_pem));
      impl.tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
  }
  tcp::endpoint endpoint(net::ip::make_address(impl.options.address), impl.options.port);
  impl.acceptor.open(endpoint.protocol());
  impl.acceptor.set_option(net::socket_base::reuse_address(true));
  impl.acceptor.bind(endpoint);
  impl.acceptor.listen();
  impl.port = impl.acceptor.local_endpoint().port();
  net::co_spawn(impl.ioc, run_acceptor(&impl), net::detached);
  impl.thread = std::thread([&impl] {
    impl.ioc.run();
    impl.ran_out.set_value();
  });
}

EchoServer::~EchoServer() {
  detail::EchoServerState& impl = *impl_;
  std::future<void> ran_out = impl.ran_out.get_future();
  net::post(impl.ioc, [&impl] { impl.close_all(); });
  // Closing every stream ends every coroutine, and run() returns; stop() is the fallback for a
  // connection that somehow lingers (it destroys the remaining frames with the io_context).
  if (ran_out.wait_for(kStopGrace) != std::future_status::ready) impl.ioc.stop();
  impl.thread.join();
}

std::uint16_t EchoServer::port() const { return impl_->port; }

std::string EchoServer::url() const {
  const std::string& address = impl_->options.address;
  bool v6 = address.find(':') != std::string::npos;
  return std::string(impl_->tls ? "wss://" : "ws://") + (v6 ? "[" + address + "]" : address) + ":" +
         std::to_string(impl_->port) + "/";
}

std::size_t EchoServer::connections_accepted() const { return impl_->accepted; }
std::size_t EchoServer::messages_received() const { return impl_->messages; }

}  // namespace wsprobe::lab

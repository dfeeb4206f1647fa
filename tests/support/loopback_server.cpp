#include "support/loopback_server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <chrono>

namespace wsprobe::test {
namespace {
constexpr auto kStopGrace = std::chrono::seconds(3);

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void* arg) {
  const auto* wanted = static_cast<const std::string_view*>(arg);
  for (unsigned int i = 0; i < in_length; i += 1u + in[i]) {
    if (i + 1 + in[i] > in_length) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), in[i]) == *wanted) {
      *out = in + i + 1;
      *out_length = in[i];
      return SSL_TLSEXT_ERR_OK;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}
}  // namespace

LoopbackServer::LoopbackServer(const LoopbackOptions& options) {
  const tcp::endpoint endpoint(net::ip::make_address(options.address), 0);
  acceptor_.open(endpoint.protocol());
  if (options.reuse_address) acceptor_.set_option(tcp::acceptor::reuse_address(true));
  if (options.receive_buffer_size)
    acceptor_.set_option(net::socket_base::receive_buffer_size(*options.receive_buffer_size));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
}

LoopbackServer::~LoopbackServer() { stop(); }

void LoopbackServer::start(OnAccept on_accept) {
  on_accept_ = std::move(on_accept);
  net::co_spawn(ioc_, accept_loop(), net::detached);
  thread_ = std::thread([this] {
    ioc_.run();
    ran_out_.set_value();
  });
}

void LoopbackServer::stop() {
  if (!thread_.joinable()) return;
  // Every pending operation ends once its socket closes, and run() returns; stop() is the bound
  // should one not.
  std::future<void> ran_out = ran_out_.get_future();
  net::post(ioc_, [this] { close_all(); });
  if (ran_out.wait_for(kStopGrace) != std::future_status::ready) ioc_.stop();
  thread_.join();
}

void LoopbackServer::at_stop(std::function<void()> action) {
  if (stopping_) action();
  at_stop_.push_back(std::move(action));
}

std::shared_ptr<tcp::socket> LoopbackServer::track(std::shared_ptr<tcp::socket> socket) {
  at_stop([socket] {
    error_code ignored;
    socket->close(ignored);
  });
  return socket;
}

std::shared_ptr<tcp::socket> LoopbackServer::track(tcp::socket socket) {
  return track(std::make_shared<tcp::socket>(std::move(socket)));
}

net::awaitable<void> LoopbackServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
    if (ec) {
      if (stopping_ || ec == net::error::operation_aborted) co_return;
      continue;
    }
    net::co_spawn(ioc_, on_accept_(std::move(socket)), net::detached);
  }
}

void LoopbackServer::close_all() {
  stopping_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  // Only those registered so far: one added meanwhile already ran in at_stop().
  const std::size_t count = at_stop_.size();
  for (std::size_t i = 0; i < count; ++i) at_stop_[i]();
}

net::awaitable<void> relay_sockets(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to, RelayEnd end) {
  co_await relay(*from, *to);
  error_code ignored;
  if (end == RelayEnd::close_both) {
    from->close(ignored);
    to->close(ignored);
  } else {
    to->shutdown(tcp::socket::shutdown_send, ignored);
  }
}

net::ssl::context server_tls_context(const lab::CertifiedKey& identity, const std::string_view* alpn) {
  net::ssl::context context(net::ssl::context::tls_server);
  context.use_certificate_chain(net::buffer(identity.cert_pem));
  context.use_private_key(net::buffer(identity.key_pem), net::ssl::context::pem);
  SSL_CTX_set_alpn_select_cb(context.native_handle(), &select_alpn, const_cast<std::string_view*>(alpn));
  return context;
}

}  // namespace wsprobe::test

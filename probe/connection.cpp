#include "probe/connection.hpp"

#include <boost/asio/write.hpp>

namespace wsprobe {
namespace {

class PlainConnection final : public Connection {
 public:
  explicit PlainConnection(beast::tcp_stream stream) : stream_(std::move(stream)) {}

  net::awaitable<IoResult> read_some(net::mutable_buffer buffer, Clock::time_point deadline) override {
    if (interrupted_) co_return interrupted_io();
    stream_.expires_at(deadline);
    co_return co_await stream_.async_read_some(buffer, use_nothrow);
  }

  net::awaitable<IoResult> write(net::const_buffer buffer, Clock::time_point deadline) override {
    if (interrupted_) co_return interrupted_io();
    stream_.expires_at(deadline);
    co_return co_await net::async_write(stream_, buffer, use_nothrow);
  }

  net::awaitable<error_code> shutdown_send(Clock::time_point) override {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return ec;
  }

  beast::tcp_stream& tcp() override { return stream_; }

 private:
  beast::tcp_stream stream_;
};

}  // namespace

std::unique_ptr<Connection> make_plain_connection(beast::tcp_stream stream) {
  return std::make_unique<PlainConnection>(std::move(stream));
}

}  // namespace wsprobe

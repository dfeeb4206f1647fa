// The tcp stage against loopback listeners: accepting, closed, and black-holed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>

#include "probe/connect.hpp"

using namespace wsprobe;
using namespace std::chrono_literals;

namespace {

ProbeOptions connect_options(std::uint16_t port, std::chrono::milliseconds budget = 3000ms) {
  ProbeOptions options;
  options.target.host = "test.invalid";
  options.target.port = port;
  options.budgets.connect = budget;
  return options;
}

// Named, by-value coroutine (style.md: no capturing lambdas in co_spawn).
net::awaitable<void> tcp_into(ProbeContext* context, std::optional<StageResult>* result) {
  *result = co_await run_tcp(*context);
}

// Runs the tcp stage on `ioc`, bounded. The caller declares `ioc` before the context so that the
// stream the stage leaves in context.tcp dies before its io_context.
StageResult run_tcp_stage(net::io_context& ioc, ProbeContext& context, std::chrono::milliseconds bound = 10s) {
  std::optional<StageResult> result;
  net::co_spawn(ioc, tcp_into(&context, &result), net::detached);
  ioc.run_for(bound);
  REQUIRE(result);
  return *result;
}

// A port on 127.0.0.1 that nothing listens on: bound, noted, closed.
std::uint16_t closed_port(net::io_context& ioc) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// A listener whose accept queue is full and never drained. Linux (and gVisor) then drop further
// SYNs instead of answering them, so a connect gets no answer at all, as behind a firewall that
// black-holes traffic.
class BlackHole {
 public:
  BlackHole() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 0) == 0);
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    // Fill the queue until a connect goes unanswered (one or two connects, depending on the kernel).
    for (int i = 0; i < 16 && !full_; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
      pollfd watched{fd, POLLOUT, 0};
      if (::poll(&watched, 1, 300) == 0) {
        full_ = true;
        ::close(fd);
      } else {
        fillers_.push_back(fd);
      }
    }
    REQUIRE(full_);
  }
  ~BlackHole() {
    for (int fd : fillers_) ::close(fd);
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  bool full_ = false;
  std::vector<int> fillers_;
};

}  // namespace

TEST_CASE("tcp connects to a listener in one attempt", "[tcp]") {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  const auto options = connect_options(port);
  ProbeContext context(options, Clock::now());
  context.addresses = {net::ip::make_address("127.0.0.1")};

  const auto result = run_tcp_stage(ioc, context);
  CHECK(result.stage == Stage::tcp);
  CHECK(result.status == StageStatus::ok);
  CHECK(result.condition == Condition::none);
  REQUIRE(context.observed.tcp);
  const auto& tcp_seen = *context.observed.tcp;
  REQUIRE(tcp_seen.attempts.size() == 1);
  CHECK(tcp_seen.attempts[0].address == "127.0.0.1");
  CHECK(tcp_seen.attempts[0].port == port);
  CHECK(tcp_seen.attempts[0].condition == Condition::none);
  CHECK(tcp_seen.remote_endpoint == "127.0.0.1:" + std::to_string(port));
  REQUIRE(tcp_seen.local_endpoint);
  CHECK_THAT(*tcp_seen.local_endpoint, Catch::StartsWith("127.0.0.1:"));
  REQUIRE(context.tcp);
  tcp::no_delay no_delay;
  context.tcp->socket().get_option(no_delay);
  CHECK(no_delay.value());
}

TEST_CASE("tcp reports a closed port as connect_refused", "[tcp]") {
  net::io_context ioc;
  const auto options = connect_options(closed_port(ioc));
  ProbeContext context(options, Clock::now());
  context.addresses = {net::ip::make_address("127.0.0.1")};

  const auto result = run_tcp_stage(ioc, context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::connect_refused);
  REQUIRE(context.observed.tcp->attempts.size() == 1);
  CHECK(context.observed.tcp->attempts[0].condition == Condition::connect_refused);
  CHECK_FALSE(context.observed.tcp->attempts[0].detail.empty());
  CHECK_FALSE(context.tcp);
  CHECK_FALSE(context.observed.tcp->remote_endpoint);
}

TEST_CASE("tcp tries the next address after a refusal", "[tcp]") {
  net::io_context ioc;
  // Bound to 127.0.0.1 only: the same port on 127.0.0.2 answers SYN with RST.
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  const auto options = connect_options(port);
  ProbeContext context(options, Clock::now());
  context.addresses = {net::ip::make_address("127.0.0.2"), net::ip::make_address("127.0.0.1")};

  const auto result = run_tcp_stage(ioc, context);
  CHECK(result.status == StageStatus::ok);
  const auto& attempts = context.observed.tcp->attempts;
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].address == "127.0.0.2");
  CHECK(attempts[0].condition == Condition::connect_refused);
  CHECK(attempts[1].address == "127.0.0.1");
  CHECK(attempts[1].condition == Condition::none);
  CHECK(context.observed.tcp->remote_endpoint == "127.0.0.1:" + std::to_string(port));
}

TEST_CASE("tcp reports an unanswered SYN as connect_timeout at the budget", "[tcp]") {
  net::io_context ioc;
  BlackHole black_hole;
  const auto options = connect_options(black_hole.port(), 500ms);
  ProbeContext context(options, Clock::now());
  context.addresses = {net::ip::make_address("127.0.0.1")};

  const auto began = Clock::now();
  const auto result = run_tcp_stage(ioc, context);
  const auto took = Clock::now() - began;
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::connect_timeout);
  REQUIRE(context.observed.tcp->attempts.size() == 1);
  CHECK(context.observed.tcp->attempts[0].condition == Condition::connect_timeout);
  CHECK(took >= 500ms);
  CHECK(took < 5s);
}

TEST_CASE("tcp leaves time for the next address after a black-holed one", "[tcp]") {
  net::io_context ioc;
  BlackHole black_hole;  // on 127.0.0.1
  // The stage uses one port for every address: listen on 127.0.0.2 at the black hole's port.
  error_code ec;
  tcp::acceptor second(ioc);
  second.open(tcp::v4());
  second.bind(tcp::endpoint(net::ip::make_address("127.0.0.2"), black_hole.port()), ec);
  if (ec) {
    WARN("127.0.0.2:" << black_hole.port() << " is taken: " << ec.message());
    return;
  }
  second.listen();
  const auto options = connect_options(black_hole.port(), 2000ms);
  ProbeContext context(options, Clock::now());
  context.addresses = {net::ip::make_address("127.0.0.1"), net::ip::make_address("127.0.0.2")};

  const auto result = run_tcp_stage(ioc, context);
  CHECK(result.status == StageStatus::ok);
  const auto& attempts = context.observed.tcp->attempts;
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].condition == Condition::connect_timeout);
  CHECK(attempts[0].duration >= 900ms);   // half the budget, at least 1 s: here 1 s
  CHECK(attempts[0].duration < 1900ms);  // not the whole budget
  CHECK(attempts[1].condition == Condition::none);
}

TEST_CASE("tcp without an address fails as internal", "[tcp]") {
  net::io_context ioc;
  const auto options = connect_options(443);
  ProbeContext context(options, Clock::now());

  const auto result = run_tcp_stage(ioc, context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::internal);
  CHECK_FALSE(result.detail.empty());
  CHECK(context.observed.tcp->attempts.empty());
}

TEST_CASE("tcp formats IPv6 endpoints with brackets", "[tcp]") {
  net::io_context ioc;
  error_code ec;
  tcp::acceptor acceptor(ioc);
  acceptor.open(tcp::v6(), ec);
  if (!ec) acceptor.bind(tcp::endpoint(net::ip::make_address("::1"), 0), ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    WARN("no IPv6 loopback here: " << ec.message());
    return;
  }
  const auto port = acceptor.local_endpoint().port();
  const auto options = connect_options(port);
  ProbeContext context(options, Clock::now());
  context.addresses = {net::ip::make_address("::1")};

  const auto result = run_tcp_stage(ioc, context);
  CHECK(result.status == StageStatus::ok);
  CHECK(context.observed.tcp->attempts[0].address == "::1");
  CHECK(context.observed.tcp->remote_endpoint == "[::1]:" + std::to_string(port));
  CHECK_THAT(*context.observed.tcp->local_endpoint, Catch::StartsWith("[::1]:"));
}

TEST_CASE("tcp maps connect errors onto conditions", "[tcp]") {
  namespace err = net::error;
  CHECK(classify_connect_error(error_code(err::host_unreachable)) == Condition::unreachable);
  CHECK(classify_connect_error(error_code(err::network_unreachable)) == Condition::unreachable);
  CHECK(classify_connect_error(error_code(err::network_down)) == Condition::unreachable);
  CHECK(classify_connect_error(error_code(err::connection_refused)) == Condition::connect_refused);
  CHECK(classify_connect_error(error_code(err::timed_out)) == Condition::connect_timeout);
  CHECK(classify_connect_error(beast::error::timeout) == Condition::connect_timeout);
  CHECK(classify_connect_error(error_code(err::connection_reset)) == Condition::reset);
  CHECK(classify_connect_error(error_code{}) == Condition::none);
}

TEST_CASE("tcp formats endpoints as addr:port and [v6]:port", "[tcp]") {
  CHECK(format_endpoint(tcp::endpoint(net::ip::make_address("127.0.0.1"), 1234)) == "127.0.0.1:1234");
  CHECK(format_endpoint(tcp::endpoint(net::ip::make_address("::1"), 1234)) == "[::1]:1234");
}

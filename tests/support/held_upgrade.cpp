#include "support/held_upgrade.hpp"

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "probe/asio.hpp"

namespace wsprobe::test {
namespace {
constexpr auto kStopGrace = std::chrono::seconds(3);
constexpr auto kPoll = std::chrono::milliseconds(5);
constexpr std::size_t kMaxHead = 64 * 1024;
}  // namespace

namespace detail {

struct HeldUpgradeState {
  HeldUpgradeState(std::uint16_t backend, std::function<bool()> r, std::chrono::milliseconds g)
      : backend_port(backend), release(std::move(r)), give_up(g) {}

  const std::uint16_t backend_port;
  const std::function<bool()> release;
  const std::chrono::milliseconds give_up;
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> heads{0};
  std::atomic<std::size_t> passed{0};

  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  // On the front's thread only; declared after ioc, so the sockets go before it.
  std::vector<std::shared_ptr<tcp::socket>> open;
  bool stopping = false;
  std::uint16_t port = 0;
  std::promise<void> ran_out;
  std::thread thread;

  std::shared_ptr<tcp::socket> track(tcp::socket socket) {
    auto shared = std::make_shared<tcp::socket>(std::move(socket));
    open.push_back(shared);
    return shared;
  }

  void close_all() {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    for (auto& socket : open) socket->close(ignored);
  }
};

}  // namespace detail

namespace {

using State = detail::HeldUpgradeState;

net::awaitable<void> pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    auto [ec, n] = co_await from->async_read_some(net::buffer(buffer), use_nothrow);
    if (n > 0) {
      auto [write_ec, written] = co_await net::async_write(*to, net::buffer(buffer.data(), n), use_nothrow);
      if (write_ec) break;
    }
    if (ec) break;
  }
  error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

net::awaitable<void> session(State* state, std::shared_ptr<tcp::socket> client) {
  std::string head;
  std::array<char, 4096> buffer{};
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxHead) {
    auto [ec, n] = co_await client->async_read_some(net::buffer(buffer), use_nothrow);
    head.append(buffer.data(), n);
    if (ec) co_return;
  }
  ++state->heads;
  net::steady_timer timer(state->ioc);
  const auto give_up = std::chrono::steady_clock::now() + state->give_up;
  while (!state->stopping && !state->release()) {
    if (std::chrono::steady_clock::now() >= give_up) {
      error_code ignored;
      client->shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    timer.expires_after(kPoll);
    co_await timer.async_wait(use_nothrow);
  }
  if (state->stopping) co_return;
  auto backend = state->track(tcp::socket(state->ioc));
  auto [connect_ec] = co_await backend->async_connect({net::ip::make_address("127.0.0.1"), state->backend_port},
                                                      use_nothrow);
  if (connect_ec) co_return;
  auto [write_ec, written] = co_await net::async_write(*backend, net::buffer(head), use_nothrow);
  if (write_ec) co_return;
  ++state->passed;
  net::co_spawn(state->ioc, pipe(client, backend), net::detached);
  net::co_spawn(state->ioc, pipe(backend, client), net::detached);
}

net::awaitable<void> accept_loop(State* state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_nothrow);
    if (ec) {
      if (state->stopping || ec == net::error::operation_aborted) co_return;
      continue;
    }
    ++state->accepted;
    net::co_spawn(state->ioc, session(state, state->track(std::move(socket))), net::detached);
  }
}

}  // namespace

HeldUpgrade::HeldUpgrade(std::uint16_t backend_port, std::function<bool()> release, std::chrono::milliseconds give_up)
    : state_(std::make_unique<State>(backend_port, std::move(release), give_up)) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  state_->port = state_->acceptor.local_endpoint().port();
  net::co_spawn(state_->ioc, accept_loop(state_.get()), net::detached);
  State* raw = state_.get();
  state_->thread = std::thread([raw] {
    raw->ioc.run();
    raw->ran_out.set_value();
  });
}

HeldUpgrade::~HeldUpgrade() {
  std::future<void> ran_out = state_->ran_out.get_future();
  net::post(state_->ioc, [state = state_.get()] { state->close_all(); });
  if (ran_out.wait_for(kStopGrace) != std::future_status::ready) state_->ioc.stop();
  state_->thread.join();
}

std::uint16_t HeldUpgrade::port() const { return state_->port; }
std::size_t HeldUpgrade::connections() const { return state_->accepted; }
std::size_t HeldUpgrade::requests() const { return state_->heads; }
std::size_t HeldUpgrade::released() const { return state_->passed; }

}  // namespace wsprobe::test

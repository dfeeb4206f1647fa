#include "support/held_upgrade.hpp"

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <string>

#include "probe/asio.hpp"
#include "support/loopback_server.hpp"

namespace wsprobe::test {
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
  // Last: it stops and joins before the rest goes.
  LoopbackServer server;
};

}  // namespace detail

// This file's helpers, in a namespace of their own: the tests are compiled in unity batches
// (CMakeLists.txt), where every loopback server's State and session would meet.
namespace held_upgrade_impl {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(5);
constexpr std::size_t kMaxHead = 64 * 1024;

using State = detail::HeldUpgradeState;

net::awaitable<void> session(State* state, std::shared_ptr<tcp::socket> client) {
  std::string head;
  std::array<char, 4096> buffer{};
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxHead) {
    auto [ec, n] = co_await client->async_read_some(net::buffer(buffer), use_nothrow);
    head.append(buffer.data(), n);
    if (ec) co_return;
  }
  ++state->heads;
  net::steady_timer timer(state->server.io_context());
  const auto give_up = std::chrono::steady_clock::now() + state->give_up;
  while (!state->server.stopping() && !state->release()) {
    if (std::chrono::steady_clock::now() >= give_up) {
      error_code ignored;
      client->shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    timer.expires_after(kPoll);
    co_await timer.async_wait(use_nothrow);
  }
  if (state->server.stopping()) co_return;
  auto backend = state->server.track(tcp::socket(state->server.io_context()));
  auto [connect_ec] = co_await backend->async_connect({net::ip::make_address("127.0.0.1"), state->backend_port},
                                                      use_nothrow);
  if (connect_ec) co_return;
  auto [write_ec, written] = co_await net::async_write(*backend, net::buffer(head), use_nothrow);
  if (write_ec) co_return;
  ++state->passed;
  net::co_spawn(state->server.io_context(), relay_sockets(client, backend, RelayEnd::close_both), net::detached);
  net::co_spawn(state->server.io_context(), relay_sockets(backend, client, RelayEnd::close_both), net::detached);
}

}  // namespace
}  // namespace held_upgrade_impl

HeldUpgrade::HeldUpgrade(std::uint16_t backend_port, std::function<bool()> release, std::chrono::milliseconds give_up)
    : state_(std::make_unique<detail::HeldUpgradeState>(backend_port, std::move(release), give_up)) {
  state_->server.start([state = state_.get()](tcp::socket socket) {
    ++state->accepted;
    return held_upgrade_impl::session(state, state->server.track(std::move(socket)));
  });
}

HeldUpgrade::~HeldUpgrade() { state_->server.stop(); }

std::uint16_t HeldUpgrade::port() const { return state_->server.port(); }
std::size_t HeldUpgrade::connections() const { return state_->accepted; }
std::size_t HeldUpgrade::requests() const { return state_->heads; }
std::size_t HeldUpgrade::released() const { return state_->passed; }

}  // namespace wsprobe::test

#include "support/socks5_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <mutex>

#include "probe/asio.hpp"
#include "support/loopback_server.hpp"

namespace wsprobe::test {
namespace detail {

struct Socks5ServerState {
  Socks5ServerState(Socks5ServerOptions o, const LoopbackOptions& listen) : options(std::move(o)), server(listen) {}

  const Socks5ServerOptions options;
  mutable std::mutex mutex;  // guards requests, usernames
  std::vector<std::string> requests;
  std::vector<std::string> usernames;
  std::atomic<std::size_t> connections{0};
  // Last: it stops and joins before the rest goes.
  LoopbackServer server;

  void record(std::vector<std::string>& into, std::string value) {
    std::lock_guard lock(mutex);
    into.push_back(std::move(value));
  }
};

}  // namespace detail

// This file's helpers, in a namespace of their own: the tests are compiled in unity batches
// (CMakeLists.txt), where every loopback server's State, send and serve would meet.
namespace socks5_server_impl {
namespace {

using State = detail::Socks5ServerState;
using Socket = std::shared_ptr<tcp::socket>;

net::awaitable<std::optional<std::string>> read_exactly(Socket socket, std::size_t size) {
  std::string bytes(size, '\0');
  auto [ec, n] = co_await net::async_read(*socket, net::buffer(bytes), use_nothrow);
  if (ec) co_return std::nullopt;
  co_return bytes;
}

net::awaitable<bool> send(Socket socket, std::string bytes) {
  auto [ec, n] = co_await net::async_write(*socket, net::buffer(bytes), use_nothrow);
  co_return !ec;
}

std::string reply_bytes(int rep, const tcp::endpoint& bound) {
  std::string out{0x05, static_cast<char>(rep), 0x00};
  if (bound.address().is_v6()) {
    out += '\x04';
    const auto bytes = bound.address().to_v6().to_bytes();
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  } else {
    out += '\x01';
    const auto bytes = bound.address().to_v4().to_bytes();
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  out += static_cast<char>(bound.port() >> 8);
  out += static_cast<char>(bound.port() & 0xFF);
  return out;
}

// The method exchange and, when demanded, RFC 1929: true when the client may go on.
net::awaitable<bool> authenticate(State* state, Socket client) {
  const auto head = co_await read_exactly(client, 2);
  if (!head || (*head)[0] != 0x05) co_return false;
  const auto methods = co_await read_exactly(client, static_cast<unsigned char>((*head)[1]));
  if (!methods) co_return false;
  const int wanted = state->options.credentials ? 0x02 : 0x00;
  const bool offered = methods->find(static_cast<char>(wanted)) != std::string::npos;
  // Built before the co_await: GCC 12 rejects a braced std::string inside the awaited call.
  std::string choice(1, '\x05');
  choice += static_cast<char>(offered ? wanted : 0xFF);
  const bool sent = co_await send(client, std::move(choice));
  if (!offered || !sent || wanted == 0x00) co_return offered && sent;

  const auto version_and_ulen = co_await read_exactly(client, 2);
  if (!version_and_ulen) co_return false;
  const auto username = co_await read_exactly(client, static_cast<unsigned char>((*version_and_ulen)[1]));
  if (!username) co_return false;
  const auto plen = co_await read_exactly(client, 1);
  if (!plen) co_return false;
  const auto password = co_await read_exactly(client, static_cast<unsigned char>((*plen)[0]));
  if (!password) co_return false;
  state->record(state->usernames, *username);
  const bool good = *username == state->options.credentials->first && *password == state->options.credentials->second;
  std::string status(1, '\x01');
  status += static_cast<char>(good ? 0x00 : 0x01);
  const bool answered = co_await send(client, std::move(status));
  co_return good && answered;
}

// VER CMD RSV ATYP DST.ADDR DST.PORT; the address to connect to, or empty when unsupported.
net::awaitable<std::optional<std::pair<std::string, std::optional<tcp::endpoint>>>> read_request(Socket client) {
  using Result = std::optional<std::pair<std::string, std::optional<tcp::endpoint>>>;
  const auto head = co_await read_exactly(client, 4);
  if (!head || (*head)[0] != 0x05) co_return Result{};
  const int atyp = static_cast<unsigned char>((*head)[3]);
  std::string host;
  std::optional<net::ip::address> address;
  if (atyp == 0x01 || atyp == 0x04) {
    const auto raw = co_await read_exactly(client, atyp == 0x01 ? 4 : 16);
    if (!raw) co_return Result{};
    if (atyp == 0x01) {
      net::ip::address_v4::bytes_type bytes;
      std::copy(raw->begin(), raw->end(), bytes.begin());
      address = net::ip::address_v4(bytes);
    } else {
      net::ip::address_v6::bytes_type bytes;
      std::copy(raw->begin(), raw->end(), bytes.begin());
      address = net::ip::address_v6(bytes);
    }
    host = address->is_v6() ? "[" + address->to_string() + "]" : address->to_string();
  } else if (atyp == 0x03) {
    const auto length = co_await read_exactly(client, 1);
    if (!length) co_return Result{};
    const auto name = co_await read_exactly(client, static_cast<unsigned char>((*length)[0]));
    if (!name) co_return Result{};
    host = *name;
    // Names stay local: no resolver in a test proxy.
    if (host == "localhost") address = net::ip::address_v4::loopback();
  } else {
    co_return Result{};
  }
  const auto port_bytes = co_await read_exactly(client, 2);
  if (!port_bytes) co_return Result{};
  const auto port = static_cast<std::uint16_t>(static_cast<unsigned char>((*port_bytes)[0]) * 256 +
                                               static_cast<unsigned char>((*port_bytes)[1]));
  std::optional<tcp::endpoint> endpoint;
  if (address) endpoint = tcp::endpoint(*address, port);
  co_return Result{{host + ":" + std::to_string(port), endpoint}};
}

net::awaitable<void> serve(State* state, Socket client) {
  const bool authenticated = co_await authenticate(state, client);
  if (!authenticated) co_return;
  const auto request = co_await read_request(client);
  if (!request) co_return;
  state->record(state->requests, request->first);
  const tcp::endpoint unspecified(net::ip::address_v4::any(), 0);

  if (state->options.reply != 0) {
    co_await send(client, reply_bytes(state->options.reply, unspecified));
    co_return;
  }
  if (!request->second) {
    co_await send(client, reply_bytes(0x04, unspecified));  // host unreachable: a name we do not resolve
    co_return;
  }
  auto upstream = state->server.track(tcp::socket(state->server.io_context()));
  auto [ec] = co_await upstream->async_connect(*request->second, use_nothrow);
  if (ec) {
    co_await send(client, reply_bytes(ec == net::error::connection_refused ? 0x05 : 0x04, unspecified));
    co_return;
  }
  error_code local_ec;
  const auto bound = upstream->local_endpoint(local_ec);
  const bool sent = co_await send(client, reply_bytes(0x00, local_ec ? unspecified : bound));
  if (!sent) co_return;
  net::co_spawn(state->server.io_context(), relay_sockets(client, upstream, RelayEnd::fin), net::detached);
  co_await relay_sockets(upstream, client, RelayEnd::fin);
}

}  // namespace
}  // namespace socks5_server_impl

Socks5Server::Socks5Server(Socks5ServerOptions options)
    : state_(std::make_unique<detail::Socks5ServerState>(std::move(options), LoopbackOptions{.reuse_address = true})) {
  state_->server.start([state = state_.get()](tcp::socket socket) {
    ++state->connections;
    return socks5_server_impl::serve(state, state->server.track(std::move(socket)));
  });
}

Socks5Server::~Socks5Server() { state_->server.stop(); }

std::uint16_t Socks5Server::port() const { return state_->server.port(); }
std::size_t Socks5Server::connections() const { return state_->connections; }
std::vector<std::string> Socks5Server::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}
std::vector<std::string> Socks5Server::usernames() const {
  std::lock_guard lock(state_->mutex);
  return state_->usernames;
}

}  // namespace wsprobe::test

#include "bench/baselines.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace bench {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

tcp::endpoint loopback(std::uint16_t port) { return {net::ip::make_address("127.0.0.1"), port}; }

ssl::context client_context() {
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);
  return context;
}

template <class F>
double seconds_each(int n, F&& f) {
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double>(Clock::now() - start).count() / n;
}

// Upgrade, one ping (its pong arrives while the echo is read), one 32-byte echo.
template <class Stream>
Clock::duration ping_and_echo(websocket::stream<Stream>& ws) {
  Clock::time_point sent, ponged;
  ws.control_callback([&](websocket::frame_type kind, boost::beast::string_view) {
    if (kind == websocket::frame_type::pong) ponged = Clock::now();
  });
  boost::beast::flat_buffer buffer;
  sent = Clock::now();
  ws.ping({});
  ws.write(net::buffer(std::string(32, 'x')));
  ws.read(buffer);
  return ponged - sent;
}

struct Client {
  net::io_context ioc;
  ssl::context tls = client_context();
};

void plain_session(Client& client, std::uint16_t port) {
  websocket::stream<tcp::socket> ws(client.ioc);
  ws.next_layer().connect(loopback(port));
  ws.next_layer().set_option(tcp::no_delay(true));
  ws.handshake("127.0.0.1", "/echo");
  ping_and_echo(ws);
  ws.close(websocket::close_code::normal);
}

void tls_session(Client& client, std::uint16_t port) {
  websocket::stream<ssl::stream<tcp::socket>> ws(client.ioc, client.tls);
  ws.next_layer().next_layer().connect(loopback(port));
  ws.next_layer().next_layer().set_option(tcp::no_delay(true));
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake("localhost", "/echo");
  ping_and_echo(ws);
  ws.close(websocket::close_code::normal);
}

int hold(std::uint16_t port, bool tls, int n, int seconds) {
  Client client;
  std::vector<std::unique_ptr<websocket::stream<tcp::socket>>> plain;
  std::vector<std::unique_ptr<websocket::stream<ssl::stream<tcp::socket>>>> secure;
  for (int i = 0; i < n; ++i) {
    if (tls) {
      auto ws = std::make_unique<websocket::stream<ssl::stream<tcp::socket>>>(client.ioc, client.tls);
      ws->next_layer().next_layer().connect(loopback(port));
      ws->next_layer().handshake(ssl::stream_base::client);
      ws->handshake("localhost", "/echo");
      ping_and_echo(*ws);
      secure.push_back(std::move(ws));
    } else {
      auto ws = std::make_unique<websocket::stream<tcp::socket>>(client.ioc);
      ws->next_layer().connect(loopback(port));
      ws->handshake("127.0.0.1", "/echo");
      ping_and_echo(*ws);
      plain.push_back(std::move(ws));
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  for (auto& ws : plain) ws->close(websocket::close_code::normal);
  for (auto& ws : secure) ws->close(websocket::close_code::normal);
  return 0;
}

}  // namespace

double tcp_connect_floor(std::uint16_t port, int n) {
  net::io_context ioc;
  return seconds_each(n, [&] {
    tcp::socket socket(ioc);
    socket.connect(loopback(port));
    socket.close();
  });
}

double tls_handshake_floor(std::uint16_t port, int n) {
  Client client;
  return seconds_each(n, [&] {
    ssl::stream<tcp::socket> stream(client.ioc, client.tls);
    stream.next_layer().connect(loopback(port));
    stream.handshake(ssl::stream_base::client);
    boost::system::error_code ignored;
    stream.next_layer().close(ignored);
  });
}

double beast_open_echo_close(std::uint16_t port, bool tls, int n) {
  Client client;
  return seconds_each(n, [&] { tls ? tls_session(client, port) : plain_session(client, port); });
}

double beast_ping_rtt_us(std::uint16_t port, int n) {
  Client client;
  websocket::stream<tcp::socket> ws(client.ioc);
  ws.next_layer().connect(loopback(port));
  ws.next_layer().set_option(tcp::no_delay(true));
  ws.handshake("127.0.0.1", "/echo");
  std::vector<double> rtts;
  for (int i = 0; i < n; ++i)
    rtts.push_back(std::chrono::duration<double, std::micro>(ping_and_echo(ws)).count());
  ws.close(websocket::close_code::normal);
  std::sort(rtts.begin(), rtts.end());
  return rtts[rtts.size() / 2];
}

int child_main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "beast-once" && argc == 4) {
    Client client;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    std::atoi(argv[3]) ? tls_session(client, port) : plain_session(client, port);
    return 0;
  }
  if (mode == "beast-hold" && argc == 6)
    return hold(static_cast<std::uint16_t>(std::atoi(argv[2])), std::atoi(argv[3]) != 0, std::atoi(argv[4]),
                std::atoi(argv[5]));
  return -1;
}

}  // namespace bench

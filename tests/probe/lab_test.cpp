// The lab itself: certificates that verify as intended, and an echo server proven with a plain
// Beast WebSocket client (not wsprobe's own stages), plain and over TLS.
#include <catch2/catch.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <filesystem>
#include <fstream>

#include "probe/asio.hpp"
#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
namespace ssl = net::ssl;
namespace websocket = beast::websocket;
namespace http = beast::http;

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse_cert(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// What a client saw of one exchange with the echo server.
struct EchoOutcome {
  error_code ec;      // the first error, if any
  std::string stage;  // where it stopped: "connect", "tls", "upgrade", "write", "read", "close"
  std::string reply;  // the echoed message
  bool reply_was_text = false;
  std::string subprotocol;  // from the 101
};

struct ClientSpec {
  std::uint16_t port = 0;
  std::string message;
  bool binary = false;
  std::string offer_subprotocols;  // Sec-WebSocket-Protocol to send; empty: none
  // With no reply expected, the read gives up after this long (Beast's idle timeout).
  std::chrono::milliseconds read_timeout{5000};
};

ClientSpec make_spec(std::uint16_t port, std::string message, bool binary = false) {
  ClientSpec spec;
  spec.port = port;
  spec.message = std::move(message);
  spec.binary = binary;
  return spec;
}

template <class Stream>
net::awaitable<void> talk(websocket::stream<Stream>& ws, ClientSpec spec, EchoOutcome& out) {
  websocket::stream_base::timeout timeout{5s, spec.read_timeout, false};
  ws.set_option(timeout);
  std::string offer = spec.offer_subprotocols;
  ws.set_option(websocket::stream_base::decorator([offer](websocket::request_type& request) {
    if (!offer.empty()) request.set(http::field::sec_websocket_protocol, offer);
  }));
  websocket::response_type response;
  auto [ec] = co_await ws.async_handshake(response, "localhost", "/echo", use_nothrow);
  out.subprotocol = std::string(response[http::field::sec_websocket_protocol]);
  if (ec) {
    out = {ec, "upgrade", {}, false, out.subprotocol};
    co_return;
  }
  ws.binary(spec.binary);
  auto [write_ec, written] = co_await ws.async_write(net::buffer(spec.message), use_nothrow);
  if (write_ec) {
    out.ec = write_ec;
    out.stage = "write";
    co_return;
  }
  beast::flat_buffer buffer;
  auto [read_ec, n] = co_await ws.async_read(buffer, use_nothrow);
  if (read_ec) {
    out.ec = read_ec;
    out.stage = "read";
    co_return;
  }
  out.reply = beast::buffers_to_string(buffer.data());
  out.reply_was_text = ws.got_text();
  auto [close_ec] = co_await ws.async_close(websocket::close_code::normal, use_nothrow);
  out.ec = close_ec;
  out.stage = "close";
}

net::awaitable<void> plain_client(ClientSpec spec, EchoOutcome& out) {
  websocket::stream<beast::tcp_stream> ws(co_await net::this_coro::executor);
  auto [ec] = co_await beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), spec.port), use_nothrow);
  if (ec) {
    out.ec = ec;
    out.stage = "connect";
    co_return;
  }
  co_await talk(ws, std::move(spec), out);
}

net::awaitable<void> tls_client(ClientSpec spec, std::string ca_pem, EchoOutcome& out) {
  ssl::context context(ssl::context::tls_client);
  context.add_certificate_authority(net::buffer(ca_pem));
  context.set_verify_mode(ssl::verify_peer);
  websocket::stream<ssl::stream<beast::tcp_stream>> ws(co_await net::this_coro::executor, context);
  auto& tcp_stream = beast::get_lowest_layer(ws);
  auto [ec] = co_await tcp_stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), spec.port),
                                                use_nothrow);
  if (ec) {
    out.ec = ec;
    out.stage = "connect";
    co_return;
  }
  SSL_set_tlsext_host_name(ws.next_layer().native_handle(), "localhost");
  ws.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
  tcp_stream.expires_after(5s);
  auto [tls_ec] = co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_nothrow);
  tcp_stream.expires_never();
  if (tls_ec) {
    out.ec = tls_ec;
    out.stage = "tls";
    co_return;
  }
  co_await talk(ws, std::move(spec), out);
}

void run_client(net::awaitable<void> client) {
  net::io_context ioc;
  bool done = false;
  net::co_spawn(ioc, std::move(client), [&done](std::exception_ptr) { done = true; });
  ioc.run_for(10s);
  REQUIRE(done);
}

}  // namespace

TEST_CASE("lab: a leaf is signed by its CA and carries the asked names", "[lab]") {
  lab::CertificateAuthority ca;
  lab::LeafOptions options;
  options.common_name = "echo.test";
  options.dns_names = {"echo.test", "*.echo.test"};
  options.ip_addresses = {"192.0.2.7"};
  lab::CertifiedKey leaf = ca.issue(options);
  CHECK(ca.cert_pem().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(leaf.cert_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(leaf.key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);

  X509Ptr ca_cert = parse_cert(ca.cert_pem());
  X509Ptr leaf_cert = parse_cert(leaf.cert_pem);
  REQUIRE(ca_cert);
  REQUIRE(leaf_cert);
  CHECK(X509_check_issued(ca_cert.get(), leaf_cert.get()) == X509_V_OK);
  CHECK(X509_verify(leaf_cert.get(), X509_get0_pubkey(ca_cert.get())) == 1);
  CHECK(X509_check_ca(ca_cert.get()) >= 1);
  CHECK(X509_check_ca(leaf_cert.get()) == 0);
  CHECK(X509_check_host(leaf_cert.get(), "a.echo.test", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(leaf_cert.get(), "192.0.2.7", 0) == 1);
  CHECK(X509_check_host(leaf_cert.get(), "localhost", 0, 0, nullptr) == 0);
}

TEST_CASE("lab: validity is relative to now, so a leaf can be born expired", "[lab]") {
  lab::CertificateAuthority ca;
  lab::LeafOptions options;
  options.not_before = -std::chrono::hours(48);
  options.not_after = -std::chrono::hours(1);
  X509Ptr cert = parse_cert(ca.issue(options).cert_pem);
  REQUIRE(cert);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0);
}

TEST_CASE("lab: a self-signed leaf issues itself", "[lab]") {
  X509Ptr cert = parse_cert(lab::make_self_signed().cert_pem);
  REQUIRE(cert);
  CHECK(X509_self_signed(cert.get(), 1) == 1);
  CHECK(X509_check_ca(cert.get()) == 0);
}

TEST_CASE("lab: TempDir writes files and removes them", "[lab]") {
  std::filesystem::path kept;
  {
    lab::TempDir dir;
    kept = dir.path();
    std::filesystem::path file = dir.write("ca.pem", "content");
    std::ifstream in(file);
    std::string text;
    std::getline(in, text);
    CHECK(text == "content");
    CHECK(file.parent_path() == dir.path());
  }
  CHECK_FALSE(std::filesystem::exists(kept));
}

TEST_CASE("lab: the plain echo server echoes text and binary messages", "[lab]") {
  lab::EchoServer server;
  CHECK(server.url() == "ws://127.0.0.1:" + std::to_string(server.port()) + "/");
  for (bool binary : {false, true}) {
    EchoOutcome out;
    run_client(plain_client(make_spec(server.port(), "hello, echo", binary), out));
    CHECK(out.stage == "close");
    CHECK_FALSE(out.ec);
    CHECK(out.reply == "hello, echo");
    CHECK(out.reply_was_text == !binary);
    CHECK(out.subprotocol.empty());
  }
  CHECK(server.connections_accepted() == 2);
  CHECK(server.messages_received() == 2);
}

TEST_CASE("lab: the TLS echo server echoes to a verifying client", "[lab]") {
  lab::CertificateAuthority ca;
  lab::EchoServerOptions options;
  options.tls = ca.issue();
  lab::EchoServer server(options);
  CHECK(server.url().rfind("wss://127.0.0.1:", 0) == 0);
  EchoOutcome out;
  run_client(tls_client(make_spec(server.port(), "over TLS"), ca.cert_pem(), out));
  CHECK(out.stage == "close");
  CHECK_FALSE(out.ec);
  CHECK(out.reply == "over TLS");
}

TEST_CASE("lab: an echo server with echo off accepts but never replies", "[lab]") {
  lab::EchoServerOptions options;
  options.echo = false;
  lab::EchoServer server(options);
  EchoOutcome out;
  ClientSpec spec = make_spec(server.port(), "anyone there?");
  spec.read_timeout = 300ms;
  run_client(plain_client(spec, out));
  CHECK(out.stage == "read");
  CHECK(out.ec == beast::error::timeout);
  CHECK(server.messages_received() == 1);
}

TEST_CASE("lab: the echo server selects the first offered subprotocol when asked", "[lab]") {
  lab::EchoServerOptions options;
  options.select_first_subprotocol = true;
  lab::EchoServer server(options);
  EchoOutcome out;
  ClientSpec spec = make_spec(server.port(), "hi");
  spec.offer_subprotocols = "chat.v2, chat.v1";
  run_client(plain_client(spec, out));
  CHECK_FALSE(out.ec);
  CHECK(out.subprotocol == "chat.v2");
  CHECK(out.reply == "hi");
}

}  // namespace wsprobe

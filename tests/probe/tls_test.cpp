// The tls stage against loopback peers: the lab echo server with certificates made at test time,
// and canned peers that answer a ClientHello with plaintext, an alert, silence, FIN or RST.
#include <catch2/catch.hpp>

#include <openssl/x509_vfy.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "probe/tls.hpp"
#include "support/canned_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using test::CannedPeer;
using test::CannedScript;

// One probe's state, in destruction order: the context (and its connection) before the
// io_context its sockets belong to.
struct TlsRun {
  net::io_context ioc;
  ProbeOptions options;
  std::optional<ProbeContext> context;
  std::optional<StageResult> result;

  explicit TlsRun(std::string host = "localhost") {
    options.target.secure = true;
    options.target.host = std::move(host);
    options.target.resource = "/";
  }

  // Connects to 127.0.0.1:port (the tcp stage's job, done here by hand) and runs the stage.
  StageResult run(std::uint16_t port) {
    options.target.port = port;
    options.target.url = "wss://" + options.target.host + ":" + std::to_string(port) + "/";
    beast::tcp_stream stream(ioc);
    stream.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    context.emplace(options, Clock::now());
    context->tcp.emplace(std::move(stream));
    net::co_spawn(ioc, run_tls(*context), [this](std::exception_ptr error, StageResult stage) {
      if (!error) result = std::move(stage);
    });
    ioc.run_for(10s);
    ioc.restart();
    REQUIRE(result);
    return *result;
  }

  const TlsObservation& tls() const {
    REQUIRE(context->observed.tls);
    return *context->observed.tls;
  }
};

// What the peer sent back through a Connection, and how the connection ended.
struct Exchange {
  std::string reply;
  error_code shutdown_ec;
  error_code end_ec;  // the read error after our shutdown_send: how the peer ended it
};

// Writes `request`, reads until the reply ends with `last_bytes`, sends close_notify + FIN, then
// reads until the peer ends the connection.
net::awaitable<Exchange> exchange(Connection& connection, std::string request, std::string last_bytes,
                                  Clock::time_point deadline) {
  Exchange out;
  auto [write_ec, written] = co_await connection.write(net::buffer(request), deadline);
  if (write_ec) {
    out.end_ec = write_ec;
    co_return out;
  }
  char buffer[1024];
  while (!out.reply.ends_with(last_bytes)) {
    auto [ec, n] = co_await connection.read_some(net::buffer(buffer), deadline);
    out.reply.append(buffer, n);
    if (ec) {
      out.end_ec = ec;
      co_return out;
    }
  }
  out.shutdown_ec = co_await connection.shutdown_send(deadline);
  for (;;) {
    auto [ec, n] = co_await connection.read_some(net::buffer(buffer), deadline);
    out.reply.append(buffer, n);
    if (ec) {
      out.end_ec = ec;
      co_return out;
    }
  }
}

Exchange run_exchange(TlsRun& run, std::string request, std::string last_bytes) {
  std::optional<Exchange> result;
  net::co_spawn(
      run.ioc,
      exchange(*run.context->connection, std::move(request), std::move(last_bytes), Clock::now() + 5s),
      [&result](std::exception_ptr error, Exchange out) {
        if (!error) result = std::move(out);
      });
  run.ioc.run_for(10s);
  run.ioc.restart();
  REQUIRE(result);
  return *result;
}

// The CA, its file for --cacert, and a TLS echo server presenting a leaf it signed.
struct TrustedLab {
  lab::CertificateAuthority ca;
  lab::TempDir dir;
  std::string ca_file = dir.write("ca.pem", ca.cert_pem()).string();

  lab::EchoServerOptions server_options(const lab::LeafOptions& leaf = {}) const {
    lab::EchoServerOptions options;
    options.tls = ca.issue(leaf);
    return options;
  }
};

}  // namespace

TEST_CASE("tls: handshake with the lab server, trusted through --cacert", "[tls]") {
  TrustedLab lab;
  lab::EchoServer server(lab.server_options());
  TlsRun run;
  run.options.cacert_file = lab.ca_file;
  StageResult result = run.run(server.port());

  CHECK(result.stage == Stage::tls);
  CHECK(result.status == StageStatus::ok);
  CHECK(result.condition == Condition::none);
  const TlsObservation& tls = run.tls();
  CHECK(tls.sni == "localhost");
  CHECK(tls.offered_alpn == std::vector<std::string>{"http/1.1"});
  CHECK(tls.verification_enabled);
  CHECK(tls.version == "TLSv1.3");
  CHECK(tls.cipher.has_value());
  CHECK(tls.alpn == "http/1.1");
  CHECK(tls.verify_result == X509_V_OK);
  CHECK_FALSE(tls.verify_error);
  CHECK_FALSE(tls.openssl_error);
  CHECK_FALSE(tls.alert_received);
  CHECK(tls.first_bytes_hex.empty());
  CHECK(tls.bytes_received > 0);

  REQUIRE(tls.peer_chain.size() == 1);
  const Certificate& leaf = tls.peer_chain[0];
  CHECK(leaf.subject == "CN=localhost,O=wsprobe lab");
  CHECK(leaf.issuer == "CN=wsprobe lab CA,O=wsprobe lab");
  CHECK(leaf.subject_alt_names == std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"});
  CHECK(leaf.key_type == "EC prime256v1");
  CHECK_FALSE(leaf.self_signed);
  CHECK(leaf.sha256_fingerprint.size() == 32 * 3 - 1);
  CHECK(leaf.serial_hex.size() >= 2);
  CHECK(leaf.not_before.size() == 20);
  CHECK(leaf.not_after.back() == 'Z');
  CHECK(leaf.not_after_epoch_s >
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());

  CHECK_FALSE(run.context->tcp);
  REQUIRE(run.context->connection);
  // The connection carries bytes: an Upgrade and a close frame through it get the server's 101
  // and close frame (RFC 6455 §5.5.1); after our close_notify and FIN, Beast's teardown ends TLS
  // with its own close_notify, read as eof.
  Exchange exchange =
      run_exchange(run,
                   "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                   "\x88\x82\x00\x00\x00\x00\x03\xe8"s,  // a masked close frame, code 1000
                   "\x88\x02\x03\xe8"s);
  CHECK(exchange.reply.rfind("HTTP/1.1 101", 0) == 0);
  CHECK(exchange.reply.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
  CHECK_FALSE(exchange.shutdown_ec);
  CHECK(exchange.end_ec == net::error::eof);
}

TEST_CASE("tls: the Connection writes, reads and shuts down over TLS", "[tls]") {
  TrustedLab lab;
  CannedPeer peer(
      CannedScript::answer_http("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", test::Then::hold),
      lab.ca.issue());
  TlsRun run;
  run.options.cacert_file = lab.ca_file;
  REQUIRE(run.run(peer.port()).status == StageStatus::ok);
  CHECK(run.tls().alpn == "http/1.1");
  Connection& connection = *run.context->connection;

  std::optional<std::string> head;
  std::optional<error_code> shutdown_ec;
  struct Steps {
    static net::awaitable<void> go(Connection& connection, std::optional<std::string>& head,
                                   std::optional<error_code>& shutdown_ec) {
      auto deadline = Clock::now() + 5s;
      std::string request = "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n";
      auto [write_ec, written] = co_await connection.write(net::buffer(request), deadline);
      if (write_ec) co_return;
      std::string got;
      char buffer[256];
      while (got.find("hi") == std::string::npos) {
        auto [ec, n] = co_await connection.read_some(net::buffer(buffer), deadline);
        got.append(buffer, n);
        if (ec) break;
      }
      head = got;
      shutdown_ec = co_await connection.shutdown_send(deadline);
    }
  };
  net::co_spawn(run.ioc, Steps::go(connection, head, shutdown_ec), [](std::exception_ptr) {});
  run.ioc.run_for(10s);
  REQUIRE(head);
  CHECK(head->rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  REQUIRE(shutdown_ec);
  CHECK_FALSE(*shutdown_ec);
  REQUIRE(peer.wait_for_received(36, 2s));
  CHECK(peer.received().at(0) == "GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

TEST_CASE("tls: an IP literal sends no SNI and is checked against IP SANs", "[tls]") {
  TrustedLab lab;
  lab::EchoServer server(lab.server_options());
  TlsRun run("127.0.0.1");
  run.options.target.host_is_ip_literal = true;
  run.options.cacert_file = lab.ca_file;
  StageResult result = run.run(server.port());
  CHECK(result.status == StageStatus::ok);
  CHECK(run.tls().sni.empty());
  CHECK(run.tls().verify_result == X509_V_OK);
}

TEST_CASE("tls: a CA the system does not know fails verification", "[tls]") {
  TrustedLab lab;
  lab::EchoServer server(lab.server_options());
  TlsRun run;
  StageResult result = run.run(server.port());
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::tls_verify_failed);
  CHECK(result.detail == "unable to get local issuer certificate");
  const TlsObservation& tls = run.tls();
  CHECK(tls.verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  CHECK(tls.verify_error == "unable to get local issuer certificate");
  CHECK(tls.alert_sent == 48);  // unknown_ca
  CHECK(tls.peer_chain.size() == 1);
  REQUIRE(tls.openssl_error);
  CHECK_THAT(*tls.openssl_error, Catch::Contains("certificate verify failed"));
  CHECK_FALSE(run.context->connection);
}

TEST_CASE("tls: a self-signed leaf fails verification", "[tls]") {
  lab::EchoServerOptions options;
  options.tls = lab::make_self_signed();
  lab::EchoServer server(options);
  TlsRun run;
  StageResult result = run.run(server.port());
  CHECK(result.condition == Condition::tls_verify_failed);
  CHECK(result.detail == "self-signed certificate");
  REQUIRE(run.tls().peer_chain.size() == 1);
  CHECK(run.tls().peer_chain[0].self_signed);
}

TEST_CASE("tls: -k completes the handshake and still records the verify result", "[tls]") {
  TrustedLab lab;
  lab::EchoServer server(lab.server_options());
  TlsRun run;
  run.options.insecure = true;
  StageResult result = run.run(server.port());
  CHECK(result.status == StageStatus::ok);
  const TlsObservation& tls = run.tls();
  CHECK_FALSE(tls.verification_enabled);
  CHECK(tls.verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  CHECK(tls.verify_error == "unable to get local issuer certificate");
  CHECK(run.context->connection);
}

TEST_CASE("tls: an expired leaf fails verification", "[tls]") {
  TrustedLab lab;
  lab::LeafOptions leaf;
  leaf.not_before = -48h;
  leaf.not_after = -1h;
  lab::EchoServer server(lab.server_options(leaf));
  TlsRun run;
  run.options.cacert_file = lab.ca_file;
  StageResult result = run.run(server.port());
  CHECK(result.condition == Condition::tls_verify_failed);
  CHECK(result.detail == "certificate has expired");
  CHECK(run.tls().verify_result == X509_V_ERR_CERT_HAS_EXPIRED);
  REQUIRE(run.tls().peer_chain.size() == 1);
  CHECK(run.tls().peer_chain[0].not_after_epoch_s <
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

TEST_CASE("tls: a certificate for another name fails verification", "[tls]") {
  TrustedLab lab;
  lab::EchoServer server(lab.server_options());
  TlsRun run("wrong.example");
  run.options.cacert_file = lab.ca_file;
  StageResult result = run.run(server.port());
  CHECK(result.condition == Condition::tls_verify_failed);
  CHECK(result.detail == "hostname mismatch");
  CHECK(run.tls().sni == "wrong.example");
  CHECK(run.tls().verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_CASE("tls: a server without a common ALPN protocol sends alert 120", "[tls]") {
  TrustedLab lab;
  lab::EchoServerOptions options = lab.server_options();
  options.alpn = {"h2"};
  lab::EchoServer server(options);
  TlsRun run;
  run.options.cacert_file = lab.ca_file;
  StageResult result = run.run(server.port());
  CHECK(result.condition == Condition::tls_failure);
  CHECK(result.detail == "peer sent alert 120 (no application protocol)");
  CHECK(run.tls().alert_received == 120);
}

TEST_CASE("tls: a plaintext HTTP port answering the ClientHello is not TLS", "[tls]") {
  CannedPeer peer(
      CannedScript::answer_any("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
  TlsRun run;
  StageResult result = run.run(peer.port());
  CHECK(result.condition == Condition::not_tls);
  CHECK(result.detail == "peer answered the ClientHello with \"HTTP/1.1 400 Bad Request\"");
  const TlsObservation& tls = run.tls();
  CHECK(tls.first_bytes_hex.rfind("48 54 54 50 2f 31 2e 31 20 34 30 30", 0) == 0);
  CHECK(tls.bytes_received > 0);
  CHECK(tls.openssl_error.has_value());
  // The peer saw a TLS handshake record (RFC 8446 §5.1: type 22).
  REQUIRE(peer.wait_for_received(1, 2s));
  CHECK(peer.received().at(0).at(0) == '\x16');
}

TEST_CASE("tls: a peer that answers with a fatal alert", "[tls]") {
  CannedPeer peer(CannedScript::answer_any(test::tls_alert_record(40)));
  TlsRun run;
  StageResult result = run.run(peer.port());
  CHECK(result.condition == Condition::tls_failure);
  CHECK(result.detail == "peer sent alert 40 (handshake failure)");
  const TlsObservation& tls = run.tls();
  CHECK(tls.alert_received == 40);
  CHECK(tls.first_bytes_hex.empty());
  CHECK(tls.bytes_received == 7);
  REQUIRE(tls.openssl_error);
  CHECK_THAT(*tls.openssl_error, Catch::Contains("handshake failure"));
}

TEST_CASE("tls: a silent peer times out at the budget", "[tls]") {
  CannedPeer peer(CannedScript::silent());
  TlsRun run;
  run.options.budgets.tls = 300ms;
  StageResult result = run.run(peer.port());
  CHECK(result.condition == Condition::timeout);
  CHECK(result.duration >= 250ms);
  CHECK(result.duration < 3s);
  CHECK(run.tls().bytes_received == 0);
}

TEST_CASE("tls: a peer that closes at once is eof, one that resets is reset", "[tls]") {
  SECTION("FIN") {
    CannedPeer peer(CannedScript::close_immediately());
    TlsRun run;
    StageResult result = run.run(peer.port());
    CHECK(result.condition == Condition::eof);
    CHECK(run.tls().bytes_received == 0);
  }
  SECTION("RST") {
    CannedPeer peer(CannedScript::reset_immediately());
    TlsRun run;
    StageResult result = run.run(peer.port());
    CHECK(result.condition == Condition::reset);
  }
}

TEST_CASE("tls: an unreadable --cacert file is a local failure", "[tls]") {
  CannedPeer peer(CannedScript::silent());
  TlsRun run;
  run.options.cacert_file = "/nonexistent/ca.pem";
  StageResult result = run.run(peer.port());
  CHECK(result.condition == Condition::internal);
  CHECK_THAT(result.detail, Catch::StartsWith("cannot load --cacert /nonexistent/ca.pem"));
}

TEST_CASE("tls: alert names follow RFC 8446 §6", "[tls]") {
  CHECK(tls_alert_name(0) == "close_notify");
  CHECK(tls_alert_name(40) == "handshake_failure");
  CHECK(tls_alert_name(42) == "bad_certificate");
  CHECK(tls_alert_name(48) == "unknown_ca");
  CHECK(tls_alert_name(70) == "protocol_version");
  CHECK(tls_alert_name(112) == "unrecognized_name");
  CHECK(tls_alert_name(116) == "certificate_required");
  CHECK(tls_alert_name(120) == "no_application_protocol");
  CHECK(tls_alert_name(255) == "unknown");
}

}  // namespace wsprobe

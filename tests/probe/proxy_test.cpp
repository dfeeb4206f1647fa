// The whole chain through a forward proxy: wsprobe -> proxy -> the lab echo server, plain and TLS.
// Real proxies where Debian has one (tinyproxy for HTTP CONNECT, Dante for SOCKS5), the in-process
// SOCKS5 server for credentials and chosen REP codes, canned peers for proxies that misbehave.
// Each test asserts the stages a user reads and the verdict with its evidence.
#include <catch2/catch.hpp>

#include "probe/lab/echo_server.hpp"
#include "support/canned_peer.hpp"
#include "support/probe_helpers.hpp"
#include "support/real_proxies.hpp"
#include "support/socks5_server.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::loopback_url;
using test::probe_and_diagnose;
using test::stage_of;
using test::ws_url;

const std::pair<std::string, std::string> kAlice{"alice", "s3cret"};

ProxyConfig proxy_config(ProxyScheme scheme, std::uint16_t port,
                         const std::optional<std::pair<std::string, std::string>>& credentials = std::nullopt) {
  ProxyConfig proxy;
  proxy.scheme = scheme;
  proxy.host = "127.0.0.1";
  proxy.port = port;
  if (credentials) {
    proxy.username = credentials->first;
    proxy.password = credentials->second;
  }
  proxy.source = "--proxy";
  const auto userinfo = credentials ? credentials->first + ":***@" : std::string();
  proxy.display = std::string(to_string(scheme)) + "://" + userinfo + "127.0.0.1:" + std::to_string(port);
  return proxy;
}

ProbeOptions through(std::string target_url, ProxyConfig proxy) {
  auto options = test::probe_options(target_url);
  options.proxy = std::move(proxy);
  return options;
}

lab::EchoServer plain_echo() { return lab::EchoServer(lab::EchoServerOptions{}); }

std::string evidence_of(const TargetResult& result) {
  std::string out;
  for (const auto& finding : result.findings)
    for (const auto& line : finding.evidence) out += line + "\n";
  return out;
}

// A passing probe: proxy ok, the tunnel taken over by tcp, the upgrade and the echo through it.
void check_passed_through_proxy(const TargetResult& result) {
  CHECK(result.verdict.cause == "ok");
  CHECK(stage_of(result, Stage::proxy).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::tcp).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::upgrade).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::echo).status == StageStatus::ok);
  REQUIRE(result.observed.tcp);
  CHECK(result.observed.tcp->via_proxy);
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->status_code == 101);
  REQUIRE(result.observed.echo);
  CHECK(result.observed.echo->echo_endpoint == true);
  REQUIRE(result.observed.proxy);
  CHECK(result.observed.proxy->connect_duration.has_value());
  CHECK(result.observed.proxy->tunnel_duration.has_value());
}

// A proxy failure: the proxy stage failed, nothing after it ran, the verdict names the cause.
void check_proxy_failure(const TargetResult& result, const std::string& cause, const std::string& hop) {
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == Stage::proxy);
  CHECK(result.verdict.cause == cause);
  CHECK(result.verdict.hop == hop);
  CHECK(stage_of(result, Stage::proxy).status == StageStatus::failed);
  CHECK(stage_of(result, Stage::tcp).status == StageStatus::skipped);
  CHECK(stage_of(result, Stage::upgrade).status == StageStatus::skipped);
  CHECK_FALSE(result.observed.tcp);
}

// ---------------------------------------------------------------------------------------------
// HTTP CONNECT through tinyproxy

TEST_CASE("ws:// through tinyproxy: CONNECT 200, then upgrade and echo through the tunnel", "[proxy]") {
  auto echo = plain_echo();
  test::Tinyproxy proxy;
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::http, proxy.port())));
  INFO(describe(run.result) << "\ntinyproxy log:\n" << proxy.log());
  check_passed_through_proxy(run.result);
  const auto& dns = stage_of(run.result, Stage::dns);
  CHECK(dns.status == StageStatus::skipped);
  CHECK(dns.detail == "the proxy resolves 127.0.0.1");
  const auto& observed = *run.result.observed.proxy;
  CHECK(observed.scheme == "http");
  CHECK(observed.status_code == 200);
  CHECK(observed.proxy_endpoint == "127.0.0.1:" + std::to_string(proxy.port()));
  CHECK(observed.tunnel_target == "127.0.0.1:" + std::to_string(echo.port()));
  CHECK(observed.request.starts_with("CONNECT 127.0.0.1:" + std::to_string(echo.port()) + " HTTP/1.1\r\n"));
  CHECK_FALSE(observed.credentials_sent);
  CHECK_THAT(stage_of(run.result, Stage::proxy).detail, Catch::Contains("opened a tunnel"));
  CHECK(echo.connections_accepted() == 1);
}

TEST_CASE("wss:// through tinyproxy: TLS to the target inside the CONNECT tunnel", "[proxy]") {
  test::TestPki pki;
  lab::EchoServerOptions tls_options;
  tls_options.tls = pki.leaf();
  lab::EchoServer echo(tls_options);
  test::Tinyproxy proxy;
  auto options = through(loopback_url("wss", echo.port(), "localhost"), proxy_config(ProxyScheme::http, proxy.port()));
  options.cacert_file = pki.ca_file();
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result) << "\ntinyproxy log:\n" << proxy.log());
  check_passed_through_proxy(run.result);
  CHECK(stage_of(run.result, Stage::tls).status == StageStatus::ok);
  CHECK(run.result.observed.proxy->tunnel_target == "localhost:" + std::to_string(echo.port()));
  CHECK(stage_of(run.result, Stage::dns).detail == "the proxy resolves localhost");
}

TEST_CASE("tinyproxy with BasicAuth: the right credentials pass, and never show in the report", "[proxy]") {
  auto echo = plain_echo();
  test::TinyproxyOptions proxy_options;
  proxy_options.basic_auth = kAlice;
  test::Tinyproxy proxy(proxy_options);
  const auto run =
      probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::http, proxy.port(), kAlice)));
  INFO(describe(run.result) << "\ntinyproxy log:\n" << proxy.log());
  check_passed_through_proxy(run.result);
  const auto& observed = *run.result.observed.proxy;
  CHECK(observed.credentials_sent);
  CHECK_THAT(observed.request, Catch::Contains("Proxy-Authorization: Basic REDACTED"));
  CHECK_THAT(observed.request, !Catch::Contains("YWxpY2U6czNjcmV0"));  // base64("alice:s3cret")
}

TEST_CASE("tinyproxy with BasicAuth and no credentials: 407, proxy_auth_required", "[proxy]") {
  test::TinyproxyOptions proxy_options;
  proxy_options.basic_auth = kAlice;
  test::Tinyproxy proxy(proxy_options);
  auto echo = plain_echo();
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::http, proxy.port())));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_auth_required", "client to proxy");
  const auto& observed = *run.result.observed.proxy;
  CHECK(observed.status_code == 407);
  CHECK_THAT(observed.body, Catch::Contains("Proxy Authentication Required"));
  CHECK(stage_of(run.result, Stage::proxy).condition == Condition::proxy_refused);
  CHECK_THAT(stage_of(run.result, Stage::proxy).detail, Catch::Contains("with 407 Proxy Authentication Required"));
  const auto evidence = evidence_of(run.result);
  CHECK_THAT(evidence, Catch::Contains("Proxy-Authenticate: Basic realm=\"Tinyproxy\""));
  CHECK_THAT(evidence, Catch::Contains("credentials sent: no"));
  CHECK(echo.connections_accepted() == 0);
}

TEST_CASE("tinyproxy with BasicAuth and wrong credentials: proxy_auth_required, credentials sent", "[proxy]") {
  test::TinyproxyOptions proxy_options;
  proxy_options.basic_auth = kAlice;
  test::Tinyproxy proxy(proxy_options);
  auto echo = plain_echo();
  const auto run = probe_and_diagnose(
      through(ws_url(echo.port()), proxy_config(ProxyScheme::http, proxy.port(), std::make_pair("alice", "wrong"))));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_auth_required", "client to proxy");
  CHECK(run.result.observed.proxy->status_code == 401);  // tinyproxy's answer to bad credentials
  CHECK_THAT(evidence_of(run.result), Catch::Contains("credentials sent: yes"));
}

TEST_CASE("tinyproxy allowing CONNECT to port 443 only: 403, proxy_connect_denied", "[proxy]") {
  test::TinyproxyOptions proxy_options;
  proxy_options.connect_ports = {443};
  test::Tinyproxy proxy(proxy_options);
  auto echo = plain_echo();
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::http, proxy.port())));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_connect_denied", "client to proxy");
  CHECK(run.result.observed.proxy->status_code == 403);
  const auto evidence = evidence_of(run.result);
  CHECK_THAT(evidence, Catch::Contains("403 Access violation"));
  CHECK_THAT(evidence, Catch::Contains("Server: tinyproxy/"));
  CHECK_THAT(evidence, Catch::Contains("tunnel asked for: 127.0.0.1:" + std::to_string(echo.port())));
}

TEST_CASE("tinyproxy that cannot reach the target: proxy_target_unreachable", "[proxy]") {
  test::Tinyproxy proxy;
  test::RefusingPort closed;
  const auto run = probe_and_diagnose(through(ws_url(closed.port()), proxy_config(ProxyScheme::http, proxy.port())));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_target_unreachable", "proxy to target");
  CHECK(run.result.observed.proxy->status_code == 500);  // tinyproxy: "500 Unable to connect"
}

// ---------------------------------------------------------------------------------------------
// Reaching the proxy, and things that are not proxies

TEST_CASE("nothing listens on the proxy port: proxy_unreachable", "[proxy]") {
  test::RefusingPort closed;
  auto echo = plain_echo();
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::http, closed.port())));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_unreachable", "client to proxy");
  CHECK(stage_of(run.result, Stage::proxy).condition == Condition::connect_refused);
  CHECK_THAT(stage_of(run.result, Stage::proxy).detail, Catch::Contains("cannot connect to the proxy"));
  CHECK(run.result.observed.proxy->proxy_addresses == std::vector<std::string>{"127.0.0.1"});
  CHECK_FALSE(run.result.observed.proxy->proxy_endpoint);
}

TEST_CASE("a proxy name that does not resolve: proxy_unreachable from the proxy's dns", "[proxy]") {
  auto echo = plain_echo();
  auto proxy = proxy_config(ProxyScheme::http, 3128);
  proxy.host = "proxy.invalid";  // RFC 6761 §6.4: never resolves
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_unreachable", "client to proxy");
  const auto condition = stage_of(run.result, Stage::proxy).condition;
  CHECK((condition == Condition::dns_nxdomain || condition == Condition::dns_timeout ||
         condition == Condition::dns_failure));
  CHECK_THAT(stage_of(run.result, Stage::proxy).detail, Catch::Contains("cannot resolve the proxy host"));
}

TEST_CASE("an HTTP proxy port that answers with something else: proxy_unreachable, first bytes shown", "[proxy]") {
  test::CannedPeer peer(test::CannedScript::answer_any(std::string("\x05\xff", 2)));
  auto echo = plain_echo();
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::http, peer.port())));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_unreachable", "client to proxy");
  CHECK(stage_of(run.result, Stage::proxy).condition == Condition::not_http);
  CHECK(run.result.observed.proxy->first_bytes_hex == "05 ff");
}

TEST_CASE("an HTTP proxy that takes the CONNECT and stays silent: bounded, proxy_target_unreachable", "[proxy]") {
  test::CannedPeer peer(test::CannedScript{test::ReadFirst::http_head, {}, {}, test::Then::hold});
  auto echo = plain_echo();
  auto options = through(ws_url(echo.port()), proxy_config(ProxyScheme::http, peer.port()));
  options.budgets.connect = 700ms;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_target_unreachable", "proxy to target");
  CHECK(stage_of(run.result, Stage::proxy).condition == Condition::timeout);
  CHECK(run.elapsed < 10s);
}

TEST_CASE("a 200 to CONNECT leaves the target's first bytes to the next stage", "[proxy]") {
  // A "proxy" that answers 200 and then, as the target, a 101 that is not valid: the upgrade stage
  // must see the 101 bytes, so none of them were read as part of the CONNECT answer.
  test::CannedPeer peer(test::CannedScript::answer_http(
      "HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n", test::Then::hold));
  const auto run = probe_and_diagnose(through("ws://127.0.0.1:9/", proxy_config(ProxyScheme::http, peer.port())));
  INFO(describe(run.result));
  CHECK(stage_of(run.result, Stage::proxy).status == StageStatus::ok);
  REQUIRE(run.result.observed.upgrade);
  CHECK(run.result.observed.upgrade->status_code == 101);
}

// ---------------------------------------------------------------------------------------------
// SOCKS5 through Dante

TEST_CASE("ws:// through Dante with socks5://: our dns stage resolves, the proxy gets the address", "[proxy]") {
  auto echo = plain_echo();
  test::Dante proxy;
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::socks5, proxy.port())));
  INFO(describe(run.result) << "\nDante log:\n" << proxy.log());
  check_passed_through_proxy(run.result);
  CHECK(stage_of(run.result, Stage::dns).status == StageStatus::ok);
  const auto& observed = *run.result.observed.proxy;
  CHECK(observed.scheme == "socks5");
  CHECK(observed.socks_method == 0);
  CHECK(observed.socks_reply == 0);
  CHECK(observed.socks_bound_address.has_value());
  CHECK(observed.tunnel_target == "127.0.0.1:" + std::to_string(echo.port()));
}

TEST_CASE("wss:// through Dante with socks5h://: TLS inside the SOCKS5 tunnel", "[proxy]") {
  test::TestPki pki;
  lab::EchoServerOptions tls_options;
  tls_options.tls = pki.leaf();
  lab::EchoServer echo(tls_options);
  test::Dante proxy;
  auto options = through(loopback_url("wss", echo.port()), proxy_config(ProxyScheme::socks5h, proxy.port()));
  options.cacert_file = pki.ca_file();
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result) << "\nDante log:\n" << proxy.log());
  check_passed_through_proxy(run.result);
  CHECK(stage_of(run.result, Stage::tls).status == StageStatus::ok);
  CHECK(stage_of(run.result, Stage::dns).status == StageStatus::skipped);
}

TEST_CASE("Dante blocking the target port: REP 2, proxy_connect_denied", "[proxy]") {
  auto echo = plain_echo();
  test::DanteOptions proxy_options;
  proxy_options.blocked_ports = {echo.port()};
  test::Dante proxy(proxy_options);
  const auto run = probe_and_diagnose(through(ws_url(echo.port()), proxy_config(ProxyScheme::socks5, proxy.port())));
  INFO(describe(run.result) << "\nDante log:\n" << proxy.log());
  check_proxy_failure(run.result, "proxy_connect_denied", "client to proxy");
  CHECK(run.result.observed.proxy->socks_reply == 2);
  CHECK_THAT(evidence_of(run.result), Catch::Contains("REP 2 (connection not allowed by ruleset)"));
}

TEST_CASE("Dante refused by the target: REP 5, proxy_target_unreachable", "[proxy]") {
  test::RefusingPort closed;
  test::Dante proxy;
  const auto run = probe_and_diagnose(through(ws_url(closed.port()), proxy_config(ProxyScheme::socks5, proxy.port())));
  INFO(describe(run.result) << "\nDante log:\n" << proxy.log());
  check_proxy_failure(run.result, "proxy_target_unreachable", "proxy to target");
  CHECK(run.result.observed.proxy->socks_reply == 5);
  CHECK_THAT(evidence_of(run.result), Catch::Contains("REP 5 (connection refused)"));
}

// ---------------------------------------------------------------------------------------------
// SOCKS5 with credentials and chosen answers (the in-process server)

TEST_CASE("socks5h:// with username/password: the name goes to the proxy, the echo comes back", "[proxy]") {
  auto echo = plain_echo();
  test::Socks5ServerOptions server_options;
  server_options.credentials = kAlice;
  test::Socks5Server proxy(server_options);
  const auto run = probe_and_diagnose(
      through(loopback_url("ws", echo.port(), "localhost"), proxy_config(ProxyScheme::socks5h, proxy.port(), kAlice)));
  INFO(describe(run.result));
  check_passed_through_proxy(run.result);
  const auto& observed = *run.result.observed.proxy;
  CHECK(observed.socks_method == 2);
  CHECK(observed.socks_auth_status == 0);
  CHECK(observed.credentials_sent);
  CHECK(proxy.requests() == std::vector<std::string>{"localhost:" + std::to_string(echo.port())});
  CHECK(proxy.usernames() == std::vector<std::string>{"alice"});
}

TEST_CASE("SOCKS5 that wants credentials and got none: method 255, proxy_auth_required", "[proxy]") {
  test::Socks5ServerOptions server_options;
  server_options.credentials = kAlice;
  test::Socks5Server proxy(server_options);
  const auto run = probe_and_diagnose(through("ws://127.0.0.1:9/", proxy_config(ProxyScheme::socks5h, proxy.port())));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_auth_required", "client to proxy");
  CHECK(run.result.observed.proxy->socks_method == 255);
  CHECK_FALSE(run.result.observed.proxy->credentials_sent);
  CHECK_THAT(evidence_of(run.result), Catch::Contains("credentials sent: no"));
  CHECK(proxy.requests().empty());
}

TEST_CASE("SOCKS5 that rejects the credentials: RFC 1929 status 1, proxy_auth_required", "[proxy]") {
  test::Socks5ServerOptions server_options;
  server_options.credentials = kAlice;
  test::Socks5Server proxy(server_options);
  const auto run = probe_and_diagnose(through(
      "ws://127.0.0.1:9/", proxy_config(ProxyScheme::socks5h, proxy.port(), std::make_pair("alice", "wrong"))));
  INFO(describe(run.result));
  check_proxy_failure(run.result, "proxy_auth_required", "client to proxy");
  CHECK(run.result.observed.proxy->socks_auth_status == 1);
  CHECK_THAT(evidence_of(run.result), Catch::Contains("credentials sent: yes"));
}

TEST_CASE("SOCKS5 replies map to their causes", "[proxy]") {
  struct Case {
    int reply;
    std::string cause;
    std::string hop;
  };
  for (const auto& c : {Case{2, "proxy_connect_denied", "client to proxy"},
                        Case{3, "proxy_target_unreachable", "proxy to target"},
                        Case{4, "proxy_target_unreachable", "proxy to target"},
                        Case{6, "proxy_target_unreachable", "proxy to target"}}) {
    SECTION("REP " + std::to_string(c.reply)) {
      test::Socks5ServerOptions server_options;
      server_options.reply = c.reply;
      test::Socks5Server proxy(server_options);
      const auto run =
          probe_and_diagnose(through("ws://127.0.0.1:9/", proxy_config(ProxyScheme::socks5, proxy.port())));
      INFO(describe(run.result));
      check_proxy_failure(run.result, c.cause, c.hop);
      CHECK(run.result.observed.proxy->socks_reply == c.reply);
      CHECK_THAT(stage_of(run.result, Stage::proxy).detail, Catch::Contains("REP " + std::to_string(c.reply)));
    }
  }
}

}  // namespace
}  // namespace wsprobe

// The whole probe end to end: run_probe + diagnose against real loopback peers (the lab echo
// server, plain and TLS, and scripted canned peers), asserting each stage's outcome and the
// verdict's status, stage and cause id (causes.md).
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/canned_peer.hpp"
#include "support/probe_helpers.hpp"
#include "probe/lab/echo_server.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using test::CannedPeer;
using test::CannedScript;
using test::check_verdict;
using test::describe;
using test::find_finding;
using test::kBudgetCeiling;
using test::kBudgetSlack;
using test::loopback_url;
using test::probe_and_diagnose;
using test::probe_options;
using test::stage_of;
using test::Then;
using test::ws_url;
using test::wss_localhost;

std::string http_response(const std::string& status_line, const std::vector<std::string>& headers,
                          const std::string& body) {
  std::string out = status_line + "\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

void check_stage_statuses(const TargetResult& result, const std::vector<std::pair<Stage, StageStatus>>& expected) {
  for (const auto& [stage, status] : expected) {
    INFO("stage " << to_string(stage));
    CHECK(stage_of(result, stage).status == status);
  }
}

// Every stage after `failed` was skipped.
void check_skipped_after(const TargetResult& result, Stage failed) {
  bool after = false;
  for (const auto& s : result.stages) {
    if (after) {
      INFO("stage " << to_string(s.stage));
      CHECK(s.status == StageStatus::skipped);
    }
    if (s.stage == failed) after = true;
  }
}

// Durations are non-negative, stages that ran start after the previous one ended, and the whole
// probe ended within its budget.
void check_timings(const TargetResult& result, const ProbeOptions& options) {
  Micros previous_end{0};
  for (const auto& s : result.stages) {
    if (s.status == StageStatus::skipped) continue;
    INFO("stage " << to_string(s.stage));
    CHECK(s.duration.count() >= 0);
    CHECK(s.start_offset >= previous_end);
    previous_end = s.start_offset + s.duration;
  }
  CHECK(result.total_duration >= previous_end);
  CHECK(result.total_duration < options.budgets.total);
  CHECK_FALSE(result.started_at.empty());
  CHECK(result.started_at_epoch_s > 0);
}

// proxy and hold are not part of a plain probe (no --proxy, no --hold): reported as skipped.
const std::vector<std::pair<Stage, StageStatus>> kAllOkPlain{
    {Stage::dns, StageStatus::ok},      {Stage::proxy, StageStatus::skipped}, {Stage::tcp, StageStatus::ok},
    {Stage::tls, StageStatus::skipped}, {Stage::upgrade, StageStatus::ok},    {Stage::echo, StageStatus::ok},
    {Stage::hold, StageStatus::skipped}, {Stage::close, StageStatus::ok}};

const std::vector<std::pair<Stage, StageStatus>> kAllOkSecure{
    {Stage::dns, StageStatus::ok},  {Stage::proxy, StageStatus::skipped}, {Stage::tcp, StageStatus::ok},
    {Stage::tls, StageStatus::ok},  {Stage::upgrade, StageStatus::ok},    {Stage::echo, StageStatus::ok},
    {Stage::hold, StageStatus::skipped}, {Stage::close, StageStatus::ok}};

// Every stage, in causes.md order, each once (the JSON schema requires all eight).
void check_stage_order(const TargetResult& result) {
  const std::vector<Stage> expected{Stage::dns,     Stage::proxy, Stage::tcp,  Stage::tls,
                                    Stage::upgrade, Stage::echo,  Stage::hold, Stage::close};
  std::vector<Stage> actual;
  for (const auto& s : result.stages) actual.push_back(s.stage);
  CHECK(actual == expected);
}

// ---------------------------------------------------------------------------------------------
// Working endpoints

TEST_CASE("ws:// to the lab echo server passes every stage", "[pipeline]") {
  lab::EchoServer server;
  const auto options = probe_options(ws_url(server.port(), "/echo"));
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  check_stage_statuses(result, kAllOkPlain);
  check_stage_order(result);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  CHECK(result.findings.empty());
  check_timings(result, options);
  CHECK(run.elapsed < options.budgets.total);

  const auto& observed = result.observed;
  REQUIRE(observed.dns);
  CHECK(observed.dns->source == "literal");
  CHECK(observed.dns->addresses == std::vector<std::string>{"127.0.0.1"});
  REQUIRE(observed.tcp);
  CHECK(observed.tcp->remote_endpoint == "127.0.0.1:" + std::to_string(server.port()));
  CHECK_FALSE(observed.tls);

  REQUIRE(observed.upgrade);
  CHECK(observed.upgrade->status_code == 101);
  CHECK(observed.upgrade->request.starts_with("GET /echo HTTP/1.1\r\n"));
  CHECK(observed.upgrade->accept == observed.upgrade->expected_accept);
  CHECK(observed.upgrade->violations.empty());
  CHECK(observed.upgrade->time_to_first_byte);

  REQUIRE(observed.echo);
  REQUIRE(observed.echo->ping_rtts.size() == 3);
  for (const auto& rtt : observed.echo->ping_rtts) {
    REQUIRE(rtt);
    CHECK(rtt->count() >= 0);
  }
  REQUIRE(observed.echo->messages.size() == 3);
  for (const auto& message : observed.echo->messages) {
    CHECK(message.outcome == EchoMessage::Outcome::echoed);
    CHECK(message.size_bytes == options.message_size);
    CHECK(message.rtt);
  }
  CHECK(observed.echo->echo_endpoint == true);
  REQUIRE(observed.echo->ping_latency);
  CHECK(observed.echo->ping_latency->samples == 3);
  REQUIRE(observed.echo->echo_latency);
  CHECK(observed.echo->echo_latency->samples == 3);
  CHECK(server.messages_received() == 3);

  REQUIRE(observed.close);
  CHECK(observed.close->code_sent == 1000);
  REQUIRE(observed.close->peer_close);
  CHECK(observed.close->peer_close->code == 1000);
  CHECK(observed.close->close_rtt);
  CHECK_FALSE(observed.close->peer_initiated);
  CHECK(observed.close->tcp_closed_cleanly);
}

TEST_CASE("wss:// by name, pinned to loopback, with the lab CA passes every stage", "[pipeline]") {
  test::TestPki pki;
  lab::EchoServerOptions server_options;
  server_options.tls = pki.leaf();
  lab::EchoServer server(std::move(server_options));

  const auto options = wss_localhost(server.port(), pki.ca_file());
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  check_stage_statuses(result, kAllOkSecure);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  check_timings(result, options);

  REQUIRE(result.observed.dns);
  CHECK(result.observed.dns->source == "override");
  CHECK(result.observed.dns->addresses == std::vector<std::string>{"127.0.0.1"});
  REQUIRE(result.observed.tls);
  const auto& tls = *result.observed.tls;
  CHECK(tls.sni == "localhost");
  CHECK(tls.verification_enabled);
  REQUIRE(tls.version);
  CHECK(tls.version->starts_with("TLSv1."));
  CHECK(tls.cipher);
  CHECK(tls.alpn == "http/1.1");
  CHECK(tls.verify_result == 0);
  CHECK_FALSE(tls.verify_error);
  REQUIRE_FALSE(tls.peer_chain.empty());
  CHECK(tls.peer_chain.front().subject.find("localhost") != std::string::npos);
  CHECK(tls.peer_chain.front().issuer.find("wsprobe lab CA") != std::string::npos);
  CHECK(std::count(tls.peer_chain.front().subject_alt_names.begin(), tls.peer_chain.front().subject_alt_names.end(),
                   "DNS:localhost") == 1);
  REQUIRE(result.observed.echo);
  CHECK(result.observed.echo->messages.size() == 3);
  CHECK(result.observed.echo->echo_endpoint == true);
}

// ---------------------------------------------------------------------------------------------
// TLS certificate problems

TEST_CASE("wss:// without the lab CA fails at tls: tls_cert_untrusted", "[pipeline]") {
  test::TestPki pki;
  lab::EchoServerOptions server_options;
  server_options.tls = pki.leaf();
  lab::EchoServer server(std::move(server_options));

  const auto run = probe_and_diagnose(wss_localhost(server.port(), std::nullopt));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::tls, "tls_cert_untrusted");
  CHECK(stage_of(result, Stage::tls).condition == Condition::tls_verify_failed);
  check_skipped_after(result, Stage::tls);
  REQUIRE(result.observed.tls);
  CHECK(result.observed.tls->verify_result.value_or(0) != 0);
  CHECK_FALSE(result.observed.tls->peer_chain.empty());
}

TEST_CASE("wss:// with insecure=true is degraded: tls_verification_disabled", "[pipeline]") {
  test::TestPki pki;
  lab::EchoServerOptions server_options;
  server_options.tls = pki.leaf();
  lab::EchoServer server(std::move(server_options));

  auto options = wss_localhost(server.port(), std::nullopt);
  options.insecure = true;
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  check_stage_statuses(result, kAllOkSecure);
  check_verdict(result, VerdictStatus::degraded, std::nullopt, "tls_verification_disabled");
  const auto* finding = find_finding(result, "tls_verification_disabled");
  REQUIRE(finding);
  CHECK(finding->severity == Severity::warn);
  REQUIRE(result.observed.tls);
  CHECK_FALSE(result.observed.tls->verification_enabled);
}

TEST_CASE("wss:// to an expired leaf fails at tls: tls_cert_expired", "[pipeline]") {
  test::TestPki pki;
  lab::LeafOptions leaf;
  leaf.not_before = -48h;
  leaf.not_after = -1h;
  lab::EchoServerOptions server_options;
  server_options.tls = pki.leaf(leaf);
  lab::EchoServer server(std::move(server_options));

  const auto run = probe_and_diagnose(wss_localhost(server.port(), pki.ca_file()));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::tls, "tls_cert_expired");
  CHECK(stage_of(result, Stage::tls).condition == Condition::tls_verify_failed);
  check_skipped_after(result, Stage::tls);
}

TEST_CASE("wss:// to a leaf for another name fails at tls: tls_cert_hostname_mismatch", "[pipeline]") {
  test::TestPki pki;
  lab::LeafOptions leaf;
  leaf.common_name = "other.example.test";
  leaf.dns_names = {"other.example.test"};
  leaf.ip_addresses = {};
  leaf.not_after = std::chrono::hours(24 * 90);
  lab::EchoServerOptions server_options;
  server_options.tls = pki.leaf(leaf);
  lab::EchoServer server(std::move(server_options));

  const auto run = probe_and_diagnose(wss_localhost(server.port(), pki.ca_file()));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::tls, "tls_cert_hostname_mismatch");
  const auto* finding = find_finding(result, "tls_cert_hostname_mismatch");
  REQUIRE(finding);
  CHECK(std::any_of(finding->evidence.begin(), finding->evidence.end(),
                    [](const std::string& e) { return e.find("other.example.test") != std::string::npos; }));
}

// ---------------------------------------------------------------------------------------------
// Connection refused

TEST_CASE("a closed port fails at tcp: tcp_refused", "[pipeline]") {
  test::RefusingPort closed;
  const auto run = probe_and_diagnose(probe_options(ws_url(closed.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_stage_statuses(result, {{Stage::dns, StageStatus::ok}, {Stage::tcp, StageStatus::failed}});
  CHECK(stage_of(result, Stage::tcp).condition == Condition::connect_refused);
  check_skipped_after(result, Stage::tcp);
  check_verdict(result, VerdictStatus::fail, Stage::tcp, "tcp_refused");
  check_stage_order(result);
  REQUIRE(result.observed.tcp);
  REQUIRE(result.observed.tcp->attempts.size() == 1);
  CHECK(result.observed.tcp->attempts[0].condition == Condition::connect_refused);
  CHECK(result.observed.tcp->attempts[0].port == closed.port());
  CHECK(run.elapsed < 5s);
}

// ---------------------------------------------------------------------------------------------
// Canned answers to the upgrade request

TEST_CASE("a 403 with a body fails at upgrade: upgrade_rejected_auth, status and body kept", "[pipeline]") {
  const std::string body = "Origin https://evil.example.test is not allowed\n";
  CannedPeer peer(CannedScript::answer_http(
      http_response("HTTP/1.1 403 Forbidden", {"Server: nginx", "Content-Type: text/plain"}, body)));
  const auto run = probe_and_diagnose(probe_options(ws_url(peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "upgrade_rejected_auth");
  CHECK(stage_of(result, Stage::upgrade).condition == Condition::upgrade_rejected);
  check_skipped_after(result, Stage::upgrade);
  REQUIRE(result.observed.upgrade);
  const auto& upgrade = *result.observed.upgrade;
  CHECK(upgrade.status_code == 403);
  CHECK(upgrade.status_line == "HTTP/1.1 403 Forbidden");
  CHECK(upgrade.body == body);
  CHECK_FALSE(upgrade.body_truncated);
  CHECK(upgrade.headers.size() == 3);
  // The request really went out.
  REQUIRE(peer.wait_for_received(1, 2s));
  CHECK(peer.received().at(0).starts_with("GET / HTTP/1.1\r\n"));
}

TEST_CASE("a 200 HTML page fails at upgrade: not_websocket_endpoint", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http(http_response(
      "HTTP/1.1 200 OK", {"Content-Type: text/html"}, "<!doctype html><html><body>Welcome</body></html>")));
  const auto run = probe_and_diagnose(probe_options(ws_url(peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "not_websocket_endpoint");
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->status_code == 200);
  CHECK(result.observed.upgrade->body.find("Welcome") != std::string::npos);
}

TEST_CASE("a 101 with a wrong Sec-WebSocket-Accept fails at upgrade: upgrade_bad_accept", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
      Then::hold));
  const auto run = probe_and_diagnose(probe_options(ws_url(peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "upgrade_bad_accept");
  CHECK(stage_of(result, Stage::upgrade).condition == Condition::protocol_violation);
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->status_code == 101);
  CHECK(result.observed.upgrade->accept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  CHECK(result.observed.upgrade->accept != result.observed.upgrade->expected_accept);
  CHECK_FALSE(result.observed.upgrade->violations.empty());
  check_skipped_after(result, Stage::upgrade);
}

TEST_CASE("garbage bytes fail at upgrade with the first bytes in hex", "[pipeline]") {
  // An SSH server speaks first, whatever the client sends.
  CannedPeer peer(CannedScript{test::ReadFirst::nothing, {}, "SSH-2.0-OpenSSH_9.2\r\n", Then::hold});
  const auto run = probe_and_diagnose(probe_options(ws_url(peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == Stage::upgrade);
  CHECK(stage_of(result, Stage::upgrade).condition == Condition::not_http);
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->first_bytes_hex.starts_with("53 53 48 2d 32 2e 30"));  // "SSH-2.0"
  CHECK_FALSE(result.observed.upgrade->status_code);
  CHECK(run.elapsed < 5s);  // decided on the bytes, not at the budget
}

TEST_CASE("a TLS alert in answer to the plain GET fails at upgrade: plaintext_to_tls_port", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http(test::tls_alert_record(70)));  // protocol_version
  const auto run = probe_and_diagnose(probe_options(ws_url(peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "plaintext_to_tls_port");
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->first_bytes_hex.starts_with("15 03 03"));
  CHECK(result.verdict.hop == "client to edge");
}

TEST_CASE("a 502 from an AWS ELB fails at upgrade: backend_unavailable, edge to backend", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http(http_response(
      "HTTP/1.1 502 Bad Gateway", {"Server: awselb/2.0", "Content-Type: text/html", "Connection: close"},
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
      "Gateway</h1></center>\r\n</body>\r\n</html>\r\n")));
  const auto run = probe_and_diagnose(probe_options(ws_url(peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "backend_unavailable");
  CHECK(result.verdict.hop == "edge to backend");
  const auto* finding = find_finding(result, "backend_unavailable");
  REQUIRE(finding);
  CHECK(std::any_of(finding->evidence.begin(), finding->evidence.end(),
                    [](const std::string& e) { return e.find("awselb/2.0") != std::string::npos; }));
}

TEST_CASE("nginx's plain-HTTP-to-HTTPS page behind TLS fails at upgrade: tls_terminated_twice", "[pipeline]") {
  test::TestPki pki;
  const std::string page =
      "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n"
      "<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS "
      "port</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
  CannedPeer peer(CannedScript::answer_http(http_response(
                      "HTTP/1.1 400 Bad Request", {"Server: nginx", "Content-Type: text/html", "Connection: close"}, page)),
                  pki.leaf());
  const auto run = probe_and_diagnose(wss_localhost(peer.port(), pki.ca_file()));
  const auto& result = run.result;
  INFO(describe(result));
  CHECK(stage_of(result, Stage::tls).status == StageStatus::ok);
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "tls_terminated_twice");
  CHECK(result.verdict.hop == "edge to backend");
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->status_code == 400);
}

TEST_CASE("a plaintext HTTP peer probed with wss:// fails at tls: tls_to_plaintext_port", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_any(http_response(
      "HTTP/1.1 400 Bad Request", {"Content-Type: text/plain", "Connection: close"}, "Bad Request")));
  const auto run = probe_and_diagnose(probe_options(loopback_url("wss", peer.port())));
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::tls, "tls_to_plaintext_port");
  CHECK(stage_of(result, Stage::tls).condition == Condition::not_tls);
  REQUIRE(result.observed.tls);
  CHECK(result.observed.tls->first_bytes_hex.starts_with("48 54 54 50"));  // "HTTP"
  check_skipped_after(result, Stage::tls);
  CHECK(run.elapsed < 5s);
}

// ---------------------------------------------------------------------------------------------
// Silent peers: each stage's own timeout, at about its budget

void check_took_about(const StageResult& stage, std::chrono::milliseconds budget, std::chrono::milliseconds elapsed) {
  CHECK(stage.duration >= budget - kBudgetSlack);
  CHECK(stage.duration < budget + kBudgetCeiling);
  CHECK(elapsed >= budget - kBudgetSlack);
  CHECK(elapsed < budget + kBudgetCeiling);
}

TEST_CASE("wss:// to a silent peer times out at tls: tls_handshake_timeout", "[pipeline]") {
  CannedPeer peer(CannedScript::silent());
  auto options = probe_options(loopback_url("wss", peer.port()));
  options.budgets.tls = 1s;
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::tls, "tls_handshake_timeout");
  const auto& tls = stage_of(result, Stage::tls);
  CHECK(tls.condition == Condition::timeout);
  check_took_about(tls, options.budgets.tls, run.elapsed);
  check_skipped_after(result, Stage::tls);
}

TEST_CASE("ws:// to a peer that never answers the request times out at upgrade: upgrade_timeout", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http("", Then::hold));
  auto options = probe_options(ws_url(peer.port()));
  options.budgets.upgrade = 1s;
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "upgrade_timeout");
  const auto& upgrade = stage_of(result, Stage::upgrade);
  CHECK(upgrade.condition == Condition::timeout);
  check_took_about(upgrade, options.budgets.upgrade, run.elapsed);
  REQUIRE(peer.wait_for_received(1, 2s));
  CHECK(peer.received().at(0).starts_with("GET / HTTP/1.1\r\n"));
}

TEST_CASE("ws:// to a peer that closes after the request with 0 bytes fails at upgrade: upgrade_eof", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http("", Then::close));
  auto options = probe_options(ws_url(peer.port()));
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  check_verdict(result, VerdictStatus::fail, Stage::upgrade, "upgrade_eof");
  CHECK(stage_of(result, Stage::upgrade).condition == Condition::eof);
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->bytes_received == 0);
  CHECK(result.observed.upgrade->connection_end == Condition::eof);
  CHECK(run.elapsed < options.budgets.upgrade);  // the FIN decides, not the budget
}

// ---------------------------------------------------------------------------------------------
// Echo modes, subprotocols

TEST_CASE("a server that never echoes passes under echo auto and fails under echo require", "[pipeline]") {
  lab::EchoServerOptions server_options;
  server_options.echo = false;
  lab::EchoServer server(std::move(server_options));
  auto options = probe_options(ws_url(server.port()));
  options.budgets.echo = 3s;

  SECTION("echo auto: pass, with an info finding echo_not_echo_endpoint") {
    options.echo = EchoMode::automatic;
    const auto run = probe_and_diagnose(options);
    const auto& result = run.result;
    INFO(describe(result));
    check_stage_statuses(result, kAllOkPlain);
    check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
    const auto* finding = find_finding(result, "echo_not_echo_endpoint");
    REQUIRE(finding);
    CHECK(finding->severity == Severity::info);
    REQUIRE(result.observed.echo);
    CHECK(result.observed.echo->echo_endpoint == false);
    REQUIRE(result.observed.echo->ping_rtts.size() == 3);
    for (const auto& rtt : result.observed.echo->ping_rtts) CHECK(rtt);
  }
  SECTION("echo require: fail at echo, echo_not_echoed") {
    options.echo = EchoMode::require;
    const auto run = probe_and_diagnose(options);
    const auto& result = run.result;
    INFO(describe(result));
    check_verdict(result, VerdictStatus::fail, Stage::echo, "echo_not_echoed");
    CHECK(stage_of(result, Stage::echo).condition == Condition::not_echoed);
    REQUIRE(result.observed.echo);
    for (const auto& rtt : result.observed.echo->ping_rtts) CHECK(rtt);
    check_skipped_after(result, Stage::echo);
  }
}

TEST_CASE("an offered subprotocol that the server selects passes and is recorded", "[pipeline]") {
  lab::EchoServerOptions server_options;
  server_options.select_first_subprotocol = true;
  lab::EchoServer server(std::move(server_options));
  auto options = probe_options(ws_url(server.port()));
  options.subprotocols = {"v2.chat.example.test", "v1.chat.example.test"};
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  check_stage_statuses(result, kAllOkPlain);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->subprotocol == "v2.chat.example.test");
  CHECK(result.observed.upgrade->request.find("Sec-WebSocket-Protocol: v2.chat.example.test, v1.chat.example.test") !=
        std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Secrets

TEST_CASE("secrets in request headers and the query are redacted in the recorded request", "[pipeline]") {
  CannedPeer peer(CannedScript::answer_http(http_response("HTTP/1.1 401 Unauthorized", {}, "")));
  auto options = probe_options(ws_url(peer.port(), "/stream?token=qu3ry&room=7"));
  options.headers.push_back({"Authorization", "Bearer s3cret"});

  SECTION("by default") {
    const auto run = probe_and_diagnose(options);
    INFO(describe(run.result));
    REQUIRE(run.result.observed.upgrade);
    const auto& request = run.result.observed.upgrade->request;
    INFO(request);
    CHECK(request.find("Authorization: Bearer REDACTED\r\n") != std::string::npos);
    CHECK(request.find("s3cret") == std::string::npos);
    CHECK(request.starts_with("GET /stream?token=REDACTED&room=7 HTTP/1.1\r\n"));
    CHECK(request.find("qu3ry") == std::string::npos);
    // What went on the wire is the real credential: only the report is redacted.
    REQUIRE(peer.wait_for_received(1, 2s));
    CHECK(peer.received().at(0).find("Authorization: Bearer s3cret\r\n") != std::string::npos);
    CHECK(peer.received().at(0).starts_with("GET /stream?token=qu3ry&room=7 HTTP/1.1\r\n"));
  }
  SECTION("with show_secrets") {
    options.show_secrets = true;
    const auto run = probe_and_diagnose(options);
    INFO(describe(run.result));
    REQUIRE(run.result.observed.upgrade);
    const auto& request = run.result.observed.upgrade->request;
    INFO(request);
    CHECK(request.find("Authorization: Bearer s3cret\r\n") != std::string::npos);
    CHECK(request.starts_with("GET /stream?token=qu3ry&room=7 HTTP/1.1\r\n"));
  }
}

}  // namespace
}  // namespace wsprobe

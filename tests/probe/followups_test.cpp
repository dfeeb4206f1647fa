// Follow-up probes end to end: the main probe, plan_followups, run_followups and diagnose against
// loopback topologies whose failures look alike from the client (tests/support/topology.hpp).
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "checks/followup_plan.hpp"
#include "checks/verdict.hpp"
#include "probe/followups.hpp"
#include "probe/lab/echo_server.hpp"
#include "probe/pipeline.hpp"
#include "support/canned_peer.hpp"
#include "support/probe_helpers.hpp"
#include "support/topology.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::probe_options;
using test::stage_of;
using test::ws_loopback;
using test::wss_localhost;

// Generous ceilings: the machine may be busy; these only catch a follow-up that ignores its budget.
constexpr auto kFollowUpCeiling = 2s + 3s;
constexpr auto kWholeProbeCeiling = 5s + 3s;

struct FollowedRun {
  TargetResult result;  // diagnosed
  std::vector<FollowUpKind> planned;
  std::chrono::milliseconds elapsed{};
};

// What app/run.cpp does for one target, on a worker thread bounded by `bound`.
FollowedRun probe_with_followups(const ProbeOptions& options, bool followups, std::chrono::milliseconds bound = 30s) {
  struct Shared {
    ProbeOptions options;
    bool followups;
    std::promise<FollowedRun> done;
  };
  auto shared = std::make_shared<Shared>(Shared{options, followups, {}});
  auto future = shared->done.get_future();
  std::thread worker([shared] {
    try {
      const auto start = Clock::now();
      FollowedRun run;
      run.result = run_probe(shared->options);
      if (shared->followups) {
        run.planned = plan_followups(run.result);
        run.result.followups = run_followups(shared->options, run.result, run.planned);
      }
      run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      shared->done.set_value(std::move(run));
    } catch (...) {
      shared->done.set_exception(std::current_exception());
    }
  });
  if (future.wait_for(bound) != std::future_status::ready) {
    worker.detach();
    FAIL("the probe and its follow-ups did not return within " << bound.count() << " ms");
  }
  worker.join();
  auto run = future.get();
  diagnose(run.result);
  test::require_valid_report(run.result);
  return run;
}

std::string describe_followups(const TargetResult& result) {
  std::string out;
  for (const auto& f : result.followups)
    out += "  follow-up " + std::string(to_string(f.kind)) + " (" + std::to_string(f.duration.count()) +
           "us): " + f.outcome + "\n";
  return out;
}

const FollowUpObservation* followup_of(const TargetResult& result, FollowUpKind kind) {
  for (const auto& f : result.followups)
    if (f.kind == kind) return &f;
  return nullptr;
}

void check_primary(const TargetResult& result, Stage stage, const std::string& cause, Confidence confidence) {
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == stage);
  CHECK(result.verdict.cause == cause);
  REQUIRE_FALSE(result.findings.empty());
  CHECK(result.findings.front().id == cause);
  CHECK(result.findings.front().confidence == confidence);
}

// Every follow-up that ran is timed, bounded and named in the primary finding's evidence.
void check_followups_listed(const TargetResult& result) {
  REQUIRE_FALSE(result.findings.empty());
  const auto& evidence = result.findings.front().evidence;
  for (const auto& f : result.followups) {
    INFO("follow-up " << to_string(f.kind));
    CHECK_FALSE(f.question.empty());
    CHECK_FALSE(f.outcome.empty());
    CHECK(f.start_offset >= result.total_duration);
    CHECK(f.duration < (f.kind == FollowUpKind::without_verification ? kWholeProbeCeiling : kFollowUpCeiling));
    const auto line = "follow-up " + std::string(to_string(f.kind)) + ": " + f.outcome;
    CHECK(std::find(evidence.begin(), evidence.end(), line) != evidence.end());
  }
}

}  // namespace

TEST_CASE("a TLS terminator in front of a TLS backend: tls_terminated_twice, certain, via tls_in_tls", "[followup]") {
  test::TestPki pki;
  lab::EchoServer backend({.tls = pki.leaf()});
  test::TlsTerminator edge(pki.leaf(), backend.port());
  const auto options = wss_localhost(edge.port(), pki.ca_file());

  SECTION("with follow-ups") {
    const auto run = probe_with_followups(options, true);
    INFO(describe(run.result) << describe_followups(run.result));
    CHECK(stage_of(run.result, Stage::tls).status == StageStatus::ok);
    CHECK(stage_of(run.result, Stage::upgrade).status == StageStatus::failed);
    REQUIRE(run.planned == std::vector<FollowUpKind>{FollowUpKind::tls_in_tls, FollowUpKind::tls_offering_h2});
    check_primary(run.result, Stage::upgrade, "tls_terminated_twice", Confidence::certain);
    CHECK(run.result.verdict.hop == std::string("edge to backend"));
    // The nested handshake answered: tls_offering_h2 had nothing left to ask.
    REQUIRE(run.result.followups.size() == 1);
    const auto& nested = run.result.followups.front();
    CHECK(nested.kind == FollowUpKind::tls_in_tls);
    CHECK(nested.connected);
    CHECK(nested.tls_ok == true);
    CHECK(nested.inner_tls_answered == true);
    CHECK(nested.inner_tls_version.has_value());
    CHECK(nested.first_bytes_hex.starts_with("16 03"));
    REQUIRE(nested.inner_certificate_subject);
    CHECK_THAT(*nested.inner_certificate_subject, Catch::Contains("CN=localhost"));
    CHECK_THAT(run.result.findings.front().evidence.front(),
               Catch::StartsWith("follow-up tls_in_tls: the backend answered a nested TLS ClientHello with a ServerHello"));
    check_followups_listed(run.result);
    CHECK(run.elapsed < 15s);
  }
  SECTION("with --no-followup: a sensible cause from the main probe alone") {
    const auto run = probe_with_followups(options, false);
    INFO(describe(run.result));
    CHECK(run.result.followups.empty());
    CHECK(run.result.verdict.status == VerdictStatus::fail);
    CHECK(run.result.verdict.stage == Stage::upgrade);
    const auto& cause = run.result.verdict.cause;
    CHECK((cause == "upgrade_eof" || cause == "tls_terminated_twice"));
    REQUIRE_FALSE(run.result.findings.empty());
    CHECK(run.result.findings.front().confidence != Confidence::certain);
  }
}

TEST_CASE("an h2-only TLS server: http2_only_endpoint via tls_offering_h2", "[followup]") {
  test::TestPki pki;
  test::H2OnlyServer server(pki.leaf());
  const auto run = probe_with_followups(wss_localhost(server.port(), pki.ca_file()), true);
  INFO(describe(run.result) << describe_followups(run.result));
  CHECK(stage_of(run.result, Stage::tls).status == StageStatus::ok);
  REQUIRE(run.result.observed.tls);
  CHECK_FALSE(run.result.observed.tls->alpn);  // offered only http/1.1: no ALPN agreed
  check_primary(run.result, Stage::upgrade, "http2_only_endpoint", Confidence::likely);
  REQUIRE(run.result.followups.size() == 2);
  const auto* nested = followup_of(run.result, FollowUpKind::tls_in_tls);
  REQUIRE(nested);
  CHECK(nested->inner_tls_answered == false);
  const auto* h2 = followup_of(run.result, FollowUpKind::tls_offering_h2);
  REQUIRE(h2);
  CHECK(h2->tls_ok == true);
  CHECK(h2->alpn == std::string("h2"));
  CHECK(h2->outcome == "offered ALPN h2, http/1.1: the server picked h2");
  check_followups_listed(run.result);
}

TEST_CASE("ws:// to a TLS port: plaintext_to_tls_port, certain, via tls_on_plain_port", "[followup]") {
  test::TestPki pki;
  lab::EchoServer server({.tls = pki.leaf()});
  const auto run = probe_with_followups(ws_loopback(server.port()), true);
  INFO(describe(run.result) << describe_followups(run.result));
  REQUIRE(run.planned == std::vector<FollowUpKind>{FollowUpKind::tls_on_plain_port, FollowUpKind::proxy_protocol_v1});
  check_primary(run.result, Stage::upgrade, "plaintext_to_tls_port", Confidence::certain);
  CHECK(run.result.verdict.hop == std::string("client to edge"));
  // The port spoke TLS: the PROXY question did not need asking.
  REQUIRE(run.result.followups.size() == 1);
  const auto& tls = run.result.followups.front();
  CHECK(tls.kind == FollowUpKind::tls_on_plain_port);
  CHECK(tls.tls_ok == true);
  CHECK(tls.tls_version.has_value());
  CHECK_THAT(tls.outcome, Catch::StartsWith("a TLS handshake on this port succeeded"));
  check_followups_listed(run.result);
}

TEST_CASE("a PROXY-requiring listener: proxy_protocol_missing, certain, via proxy_protocol_v1", "[followup]") {
  lab::EchoServer backend;
  test::ProxyProtocolGate gate(backend.port());
  const auto run = probe_with_followups(ws_loopback(gate.port()), true);
  INFO(describe(run.result) << describe_followups(run.result));
  CHECK(stage_of(run.result, Stage::upgrade).status == StageStatus::failed);
  REQUIRE(run.result.observed.upgrade);
  CHECK(run.result.observed.upgrade->bytes_received == 0);
  check_primary(run.result, Stage::upgrade, "proxy_protocol_missing", Confidence::certain);
  REQUIRE(run.result.followups.size() == 2);
  const auto* tls = followup_of(run.result, FollowUpKind::tls_on_plain_port);
  REQUIRE(tls);
  CHECK(tls->tls_ok == false);
  const auto* pp = followup_of(run.result, FollowUpKind::proxy_protocol_v1);
  REQUIRE(pp);
  CHECK(pp->status_code == 101);
  REQUIRE(pp->proxy_header);
  CHECK_THAT(*pp->proxy_header, Catch::StartsWith("PROXY TCP4 127.0.0.1 127.0.0.1 "));
  CHECK_THAT(*pp->proxy_header, Catch::EndsWith(" " + std::to_string(gate.port())));
  const auto headers = gate.headers();
  REQUIRE(headers.size() == 1);
  CHECK(headers.front() == *pp->proxy_header);
  check_followups_listed(run.result);
}

TEST_CASE("an expired certificate: tls_cert_expired, and with verification off every other stage passes",
          "[followup]") {
  test::TestPki pki;
  lab::LeafOptions expired;
  expired.not_before = -std::chrono::hours(48);
  expired.not_after = -std::chrono::hours(1);
  lab::EchoServer server({.tls = pki.leaf(expired)});
  const auto run = probe_with_followups(wss_localhost(server.port(), pki.ca_file()), true);
  INFO(describe(run.result) << describe_followups(run.result));
  check_primary(run.result, Stage::tls, "tls_cert_expired", Confidence::certain);
  REQUIRE(run.result.followups.size() == 1);
  const auto& again = run.result.followups.front();
  CHECK(again.kind == FollowUpKind::without_verification);
  CHECK(again.connected);
  CHECK(again.tls_ok == true);
  CHECK_FALSE(again.failed_stage);
  CHECK(again.status_code == 101);
  CHECK(again.outcome == "with verification off, every other stage passes");
  CHECK(run.result.findings.front().evidence.back() ==
        "follow-up without_verification: with verification off, every other stage passes");
  check_followups_listed(run.result);
}

TEST_CASE("wss:// to a plaintext port: http_on_tls_port records the server's banner", "[followup]") {
  test::CannedPeer peer(test::CannedScript::answer_any(
      "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.25.3\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request"));
  auto options = probe_options("wss://127.0.0.1:" + std::to_string(peer.port()) + "/echo");
  const auto run = probe_with_followups(options, true);
  INFO(describe(run.result) << describe_followups(run.result));
  check_primary(run.result, Stage::tls, "tls_to_plaintext_port", Confidence::certain);
  REQUIRE(run.result.followups.size() == 1);
  const auto& banner = run.result.followups.front();
  CHECK(banner.kind == FollowUpKind::http_on_tls_port);
  CHECK(banner.status_code == 400);
  CHECK(banner.body == "Bad Request");
  CHECK(banner.outcome == "a plain HTTP GET on this port got HTTP/1.1 400 Bad Request (Server: nginx/1.25.3)");
  REQUIRE(peer.connections() == 2);
  CHECK(peer.received().at(1).starts_with("GET /echo HTTP/1.1\r\n"));
  check_followups_listed(run.result);
}

TEST_CASE("a 400 to the upgrade and to a plain GET: plain_get points at proxy_protocol_unexpected", "[followup]") {
  test::CannedPeer peer(test::CannedScript::answer_http(
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request"));
  auto options = ws_loopback(peer.port());
  options.headers.push_back({"X-Trace", "abc"});
  const auto run = probe_with_followups(options, true);
  INFO(describe(run.result) << describe_followups(run.result));
  check_primary(run.result, Stage::upgrade, "proxy_protocol_unexpected", Confidence::possible);
  REQUIRE(run.result.followups.size() == 1);
  const auto& get = run.result.followups.front();
  CHECK(get.kind == FollowUpKind::plain_get);
  CHECK(get.status_code == 400);
  REQUIRE(peer.wait_for_connections(2, 2s));
  const auto request = peer.received().at(1);
  CHECK(request.starts_with("GET /echo HTTP/1.1\r\nHost: 127.0.0.1:"));
  CHECK_THAT(request, Catch::Contains("X-Trace: abc\r\n"));
  CHECK_THAT(request, !Catch::Contains("Upgrade"));
  CHECK_THAT(request, !Catch::Contains("Sec-WebSocket"));
  check_followups_listed(run.result);
}

TEST_CASE("a healthy endpoint plans no follow-up", "[followup]") {
  lab::EchoServer server;
  const auto run = probe_with_followups(ws_loopback(server.port()), true);
  INFO(describe(run.result));
  CHECK(run.planned.empty());
  CHECK(run.result.followups.empty());
  CHECK(run.result.verdict.cause == "ok");
  CHECK(server.connections_accepted() == 1);
}

TEST_CASE("follow-ups with the overall --timeout spent are recorded as not run", "[followup]") {
  TargetResult result;
  result.target.host = "127.0.0.1";
  result.target.port = 9;
  result.total_duration = std::chrono::seconds(30);
  result.observed.tcp.emplace().remote_endpoint = "127.0.0.1:9";
  ProbeOptions options;
  options.target = result.target;
  options.budgets.total = std::chrono::seconds(30);
  const auto start = Clock::now();
  const auto followups = run_followups(options, result, {FollowUpKind::tls_on_plain_port, FollowUpKind::plain_get});
  CHECK(Clock::now() - start < 1s);
  REQUIRE(followups.size() == 2);
  for (const auto& f : followups) {
    CHECK_FALSE(f.connected);
    CHECK(f.end == Condition::timeout);
    CHECK(f.outcome == "not run: the probe's --timeout was spent");
  }
}

}  // namespace wsprobe

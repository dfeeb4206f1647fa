// The CI assertions (issue 6) through diagnose(): what a pipeline gating on wsprobe reads. Each
// assertion kept and broken, what cannot be checked, --expect-status for an endpoint that must
// refuse, --fail-on warn, and the same under --all-addresses.
#include <catch2/catch.hpp>

#include "checks/assertions.hpp"
#include "checks/catalogue.hpp"
#include "checks/verdict.hpp"
#include "support/finding_checks.hpp"
#include "support/result_builder.hpp"

namespace wsprobe {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using test::has_evidence;
using testing::Scheme;

LatencyLimit max_latency(std::string quantile, long limit_ms) {
  const auto flag = quantile + "=" + std::to_string(limit_ms) + "ms";
  return LatencyLimit{std::move(quantile), milliseconds(limit_ms), flag};
}

StageLimit max_stage(Stage stage, long limit_ms) {
  return StageLimit{stage, milliseconds(limit_ms), std::string(to_string(stage)) + "=" + std::to_string(limit_ms) + "ms"};
}

TargetResult diagnosed(TargetResult result, Assertions assertions) {
  result.assertions = std::move(assertions);
  diagnose(result);
  return result;
}

std::vector<const Finding*> with_id(const TargetResult& result, std::string_view id) {
  std::vector<const Finding*> out;
  for (const auto& finding : result.findings)
    if (finding.id == id) out.push_back(&finding);
  return out;
}

const Finding& only(const TargetResult& result, std::string_view id) {
  const auto found = with_id(result, id);
  INFO("findings with id " << id);
  REQUIRE(found.size() == 1);
  return *found.front();
}

int exit_code(const TargetResult& result) {
  RunReport report;
  report.results.push_back(result);
  return exit_code_for(report);
}

// What every broken assertion has: a warning the catalogue knows, at its stage, naming the assertion.
void check_broken(const Finding& finding, Stage stage, std::string_view assertion) {
  CHECK(finding.severity == Severity::warn);
  CHECK(finding.stage == stage);
  CHECK(finding.confidence == Confidence::certain);
  CHECK(finding.assertion == std::string(assertion));
  CHECK(find_cause(finding.id) != nullptr);
  CHECK_FALSE(finding.fix.empty());
  CHECK_THAT(finding.summary, Catch::Contains(std::string(assertion)));
}

void set_ping_p95(TargetResult& result, long us) { result.observed.echo->ping_latency->p95 = microseconds(us); }

}  // namespace

// --max-stage

TEST_CASE("assertions: --max-stage broken: stage_slow at that stage, both times, the verdict a CI line",
          "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  testing::stage_of(probe, Stage::tls).duration = milliseconds(412);
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::tls, 300)};
  const auto result = diagnosed(probe, assertions);

  const auto& finding = only(result, "stage_slow");
  check_broken(finding, Stage::tls, "--max-stage tls=300ms");
  CHECK(finding.summary == "tls took 412ms, above --max-stage tls=300ms.");
  CHECK(has_evidence(finding, "tls took 412ms > --max-stage tls=300ms"));
  CHECK(result.verdict.status == VerdictStatus::degraded);
  CHECK(result.verdict.cause == "stage_slow");
  CHECK(result.verdict.summary == "tls took 412ms, above --max-stage tls=300ms.");
  CHECK(exit_code(result) == 3);
}

TEST_CASE("assertions: --max-stage kept, or at its limit exactly: no finding, pass", "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  testing::stage_of(probe, Stage::tls).duration = milliseconds(300);
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::tls, 300), max_stage(Stage::tcp, 50)};
  const auto result = diagnosed(probe, assertions);
  CHECK(result.findings.empty());
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(exit_code(result) == 0);
}

TEST_CASE("assertions: --max-stage just above its limit shows the digits that make it above", "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  testing::stage_of(probe, Stage::upgrade).duration = microseconds(300040);
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::upgrade, 300)};
  const auto result = diagnosed(probe, assertions);
  CHECK(only(result, "stage_slow").summary == "upgrade took 300.04ms, above --max-stage upgrade=300ms.");
}

TEST_CASE("assertions: --max-stage on a skipped stage is not checked", "[assertions]") {
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::tls, 300), max_stage(Stage::hold, 1)};

  SECTION("skipped by design (ws:// has no tls, no --hold): the limit holds, the target passes") {
    const auto result = diagnosed(testing::healthy(Scheme::ws), assertions);
    CHECK(result.findings.empty());
    CHECK(result.verdict.status == VerdictStatus::pass);
  }
  SECTION("skipped after a failure, or the failing stage itself: the failure alone explains it") {
    auto probe = testing::failed_at(Scheme::wss, Stage::tcp, Condition::connect_timeout, "timed out");
    testing::stage_of(probe, Stage::tcp).duration = milliseconds(5000);
    assertions.max_stage.push_back(max_stage(Stage::tcp, 100));
    const auto result = diagnosed(probe, assertions);
    CHECK(with_id(result, "stage_slow").empty());
    REQUIRE(result.findings.size() == 1);
    CHECK(result.verdict.cause == "tcp_timeout");
  }
}

TEST_CASE("assertions: a stage that passed before a later failure is still held to its limit", "[assertions]") {
  auto probe = testing::rejected_upgrade(Scheme::wss, 503, "Service Unavailable");
  testing::stage_of(probe, Stage::tls).duration = milliseconds(900);
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::tls, 300)};
  const auto result = diagnosed(probe, assertions);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.cause == "backend_unavailable");
  CHECK(only(result, "stage_slow").summary == "tls took 900ms, above --max-stage tls=300ms.");
}

// --max-latency

TEST_CASE("assertions: --max-latency broken by the pings: latency_high at echo with the figure and samples",
          "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  set_ping_p95(probe, 240000);
  Assertions assertions;
  assertions.max_latency = {max_latency("p95", 200)};
  const auto result = diagnosed(probe, assertions);

  const auto& finding = only(result, "latency_high");
  check_broken(finding, Stage::echo, "--max-latency p95=200ms");
  CHECK(finding.summary == "ping rtt p95 was 240ms, above --max-latency p95=200ms.");
  CHECK(has_evidence(finding, "ping rtt p95 240ms > --max-latency p95=200ms (5 samples)"));
  // The echoes kept it: said, so the reader sees both series were checked.
  CHECK(has_evidence(finding, "echo rtt p95 8.0ms <= --max-latency p95=200ms (5 samples)"));
  CHECK(result.verdict.status == VerdictStatus::degraded);
  CHECK(result.verdict.summary == "ping rtt p95 was 240ms, above --max-latency p95=200ms.");
}

TEST_CASE("assertions: --max-latency broken by pings and echoes: one finding naming both", "[assertions]") {
  auto probe = testing::healthy(Scheme::ws);
  probe.observed.echo->ping_latency->max = milliseconds(240);
  probe.observed.echo->echo_latency->max = milliseconds(260);
  Assertions assertions;
  assertions.max_latency = {max_latency("max", 200)};
  const auto result = diagnosed(probe, assertions);
  const auto& finding = only(result, "latency_high");
  CHECK(finding.summary == "ping rtt max was 240ms and echo rtt max was 260ms, above --max-latency max=200ms.");
  CHECK(has_evidence(finding, "echo rtt max 260ms > --max-latency max=200ms (5 samples)"));
}

TEST_CASE("assertions: --max-latency kept by every figure: no finding", "[assertions]") {
  Assertions assertions;
  for (const auto* quantile : {"min", "p50", "p90", "p95", "p99", "max", "mean"})
    assertions.max_latency.push_back(max_latency(quantile, 8));  // the synthetic round trips take 8ms
  const auto result = diagnosed(testing::healthy(Scheme::wss), assertions);
  CHECK(result.findings.empty());
  CHECK(result.verdict.status == VerdictStatus::pass);
}

TEST_CASE("assertions: --max-latency on a non-echo endpoint checks the pings alone", "[assertions]") {
  auto probe = testing::healthy(Scheme::ws);
  probe.observed.echo->echo_latency.reset();
  probe.observed.echo->echo_endpoint = false;
  set_ping_p95(probe, 250000);
  Assertions assertions;
  assertions.max_latency = {max_latency("p95", 200)};
  const auto result = diagnosed(probe, assertions);
  const auto& finding = only(result, "latency_high");
  CHECK(finding.evidence == std::vector<std::string>{"ping rtt p95 250ms > --max-latency p95=200ms (5 samples)"});
}

TEST_CASE("assertions: --max-latency with no round trip measured", "[assertions]") {
  Assertions assertions;
  assertions.max_latency = {max_latency("p95", 200)};

  SECTION("the target failed earlier: the failure explains it, no finding of its own") {
    const auto result = diagnosed(testing::rejected_upgrade(Scheme::wss, 502, "Bad Gateway"), assertions);
    CHECK(with_id(result, "latency_high").empty());
    CHECK(result.verdict.cause == "backend_unavailable");
  }
  SECTION("the echo stage failed without a pong: its own cause, nothing more") {
    auto probe = testing::failed_at(Scheme::ws, Stage::echo, Condition::ping_unanswered, "no pong");
    probe.observed.echo->ping_rtts = {std::nullopt};
    const auto result = diagnosed(probe, assertions);
    CHECK(with_id(result, "latency_high").empty());
    CHECK(result.verdict.status == VerdictStatus::fail);
  }
  SECTION("the target passed without a sample: a warning that the gate could not be checked") {
    auto probe = testing::healthy(Scheme::ws);
    probe.observed.echo->ping_rtts.clear();
    probe.observed.echo->messages.clear();
    probe.observed.echo->ping_latency.reset();
    probe.observed.echo->echo_latency.reset();
    const auto result = diagnosed(probe, assertions);
    const auto& finding = only(result, "latency_high");
    check_broken(finding, Stage::echo, "--max-latency p95=200ms");
    CHECK(finding.summary == "--max-latency p95=200ms could not be checked: no ping or message was sent.");
    CHECK(result.verdict.status == VerdictStatus::degraded);
  }
}

// --min-cert-days

TEST_CASE("assertions: --min-cert-days broken: cert_lifetime_short at tls with the days and the date",
          "[assertions]") {
  Assertions assertions;
  assertions.min_cert_days = 100;  // the synthetic leaf has 90 days left
  const auto result = diagnosed(testing::healthy(Scheme::wss), assertions);
  const auto& finding = only(result, "cert_lifetime_short");
  check_broken(finding, Stage::tls, "--min-cert-days 100");
  CHECK(finding.summary == "certificate expires in 90 days (2025-08-31T09:30:00Z), sooner than --min-cert-days 100.");
  CHECK(has_evidence(finding, "leaf: CN=echo.example.test, not after 2025-08-31T09:30:00Z"));
  CHECK(has_evidence(finding, "90 days left < --min-cert-days 100"));
  CHECK(result.verdict.status == VerdictStatus::degraded);
}

TEST_CASE("assertions: --min-cert-days kept, and not applicable to ws://", "[assertions]") {
  Assertions assertions;
  assertions.min_cert_days = 90;
  CHECK(diagnosed(testing::healthy(Scheme::wss), assertions).findings.empty());
  assertions.min_cert_days = 365;
  const auto ws = diagnosed(testing::healthy(Scheme::ws), assertions);
  CHECK(ws.findings.empty());
  CHECK(ws.verdict.status == VerdictStatus::pass);
}

TEST_CASE("assertions: --min-cert-days under -k with an expired leaf says how long ago", "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  auto& tls = *probe.observed.tls;
  tls.verification_enabled = false;
  tls.peer_chain.front().not_after_epoch_s = testing::kStartedAtEpoch - 3 * testing::kSecondsPerDay;
  tls.peer_chain.front().not_after = "2025-05-30T09:30:00Z";
  Assertions assertions;
  assertions.min_cert_days = 14;
  const auto result = diagnosed(probe, assertions);
  const auto& finding = only(result, "cert_lifetime_short");
  CHECK(finding.summary == "certificate expired 3 days ago (2025-05-30T09:30:00Z), below --min-cert-days 14.");
  CHECK(has_evidence(finding, "-3 days left < --min-cert-days 14"));
}

TEST_CASE("assertions: --min-cert-days on a passing wss target without a certificate: could not be checked",
          "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  probe.observed.tls->peer_chain.clear();
  Assertions assertions;
  assertions.min_cert_days = 14;
  const auto result = diagnosed(probe, assertions);
  const auto& finding = only(result, "cert_lifetime_short");
  check_broken(finding, Stage::tls, "--min-cert-days 14");
  CHECK(finding.summary == "--min-cert-days 14 could not be checked: no server certificate was seen.");
}

TEST_CASE("assertions: --min-cert-days when TLS failed is the failure's to explain", "[assertions]") {
  Assertions assertions;
  assertions.min_cert_days = 14;
  const auto result =
      diagnosed(testing::failed_at(Scheme::wss, Stage::tls, Condition::tls_failure, "handshake failure"), assertions);
  CHECK(with_id(result, "cert_lifetime_short").empty());
}

// --expect-subprotocol

TEST_CASE("assertions: --expect-subprotocol broken: subprotocol_unexpected with what was offered and chosen",
          "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  auto& upgrade = *probe.observed.upgrade;
  upgrade.request.insert(upgrade.request.size() - 2, "Sec-WebSocket-Protocol: chat.v2, chat.v1\r\n");
  Assertions assertions;
  assertions.expect_subprotocol = "chat.v2";

  SECTION("another one chosen") {
    upgrade.subprotocol = "chat.v1";
    const auto result = diagnosed(probe, assertions);
    const auto& finding = only(result, "subprotocol_unexpected");
    check_broken(finding, Stage::upgrade, "--expect-subprotocol chat.v2");
    CHECK(finding.summary == "upgrade chose subprotocol chat.v1, not --expect-subprotocol chat.v2.");
    CHECK(has_evidence(finding, "offered: chat.v2, chat.v1"));
    CHECK(has_evidence(finding, "chosen: chat.v1 != --expect-subprotocol chat.v2"));
    CHECK(result.verdict.status == VerdictStatus::degraded);
  }
  SECTION("none chosen") {
    const auto result = diagnosed(probe, assertions);
    const auto& finding = only(result, "subprotocol_unexpected");
    CHECK(finding.summary == "upgrade chose no subprotocol, not --expect-subprotocol chat.v2.");
    CHECK(has_evidence(finding, "chosen: none != --expect-subprotocol chat.v2"));
  }
  SECTION("the expected one chosen: kept") {
    upgrade.subprotocol = "chat.v2";
    const auto result = diagnosed(probe, assertions);
    CHECK(result.findings.empty());
    CHECK(result.verdict.status == VerdictStatus::pass);
  }
}

// --expect-status

TEST_CASE("assertions: --expect-status 401 answered 401: the endpoint refused as it must, the target passes",
          "[assertions]") {
  Assertions assertions;
  assertions.expect_status = 401;
  const auto result = diagnosed(testing::rejected_upgrade(Scheme::wss, 401, "Unauthorized"), assertions);

  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(result.verdict.cause == "ok");
  CHECK_FALSE(result.verdict.stage);
  CHECK(result.verdict.summary == "upgrade answered 401 Unauthorized, as --expect-status 401 expects.");
  CHECK(exit_code(result) == 0);
  // What happened stays in the report, as information.
  const auto& refusal = only(result, "upgrade_rejected_auth");
  CHECK(refusal.severity == Severity::info);
  CHECK_THAT(refusal.summary, Catch::StartsWith("Expected by --expect-status 401: "));
  CHECK(has_evidence(refusal, "upgrade status 401 == --expect-status 401: the refusal was expected, so it does not "
                              "fail the target"));
  CHECK_FALSE(refusal.assertion);
  CHECK(with_id(result, "status_unexpected").empty());
}

TEST_CASE("assertions: --expect-status 401 answered 403: still failing, plus status_unexpected", "[assertions]") {
  Assertions assertions;
  assertions.expect_status = 401;
  const auto result = diagnosed(testing::rejected_upgrade(Scheme::wss, 403, "Forbidden"), assertions);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.cause == "upgrade_rejected_auth");
  CHECK(only(result, "upgrade_rejected_auth").severity == Severity::fail);
  const auto& finding = only(result, "status_unexpected");
  check_broken(finding, Stage::upgrade, "--expect-status 401");
  CHECK(finding.summary == "upgrade answered 403 Forbidden, not --expect-status 401.");
  CHECK(has_evidence(finding, "upgrade status 403 != --expect-status 401"));
  CHECK(has_evidence(finding, "status line: HTTP/1.1 403 Forbidden"));
  CHECK(exit_code(result) == 1);
}

TEST_CASE("assertions: --expect-status 401 answered 101: the endpoint let an anonymous client in", "[assertions]") {
  Assertions assertions;
  assertions.expect_status = 401;
  auto result = diagnosed(testing::healthy(Scheme::wss), assertions);
  const auto& finding = only(result, "status_unexpected");
  CHECK(finding.summary == "upgrade answered 101 Switching Protocols, not --expect-status 401.");
  CHECK(result.verdict.status == VerdictStatus::degraded);
  CHECK(exit_code(result) == 3);

  assertions.fail_on = FailOn::warn;
  result = diagnosed(testing::healthy(Scheme::wss), assertions);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == Stage::upgrade);
  CHECK(exit_code(result) == 1);
}

TEST_CASE("assertions: --expect-status 101", "[assertions]") {
  Assertions assertions;
  assertions.expect_status = 101;
  CHECK(diagnosed(testing::healthy(Scheme::ws), assertions).findings.empty());

  const auto refused = diagnosed(testing::rejected_upgrade(Scheme::ws, 503, "Service Unavailable"), assertions);
  CHECK(refused.verdict.cause == "backend_unavailable");
  CHECK(only(refused, "status_unexpected").summary == "upgrade answered 503 Service Unavailable, not --expect-status 101.");

  // No HTTP answer at all: the upgrade's own failure says so.
  const auto silent = diagnosed(testing::failed_at(Scheme::ws, Stage::upgrade, Condition::timeout, "no answer"), assertions);
  CHECK(silent.verdict.cause == "upgrade_timeout");
  CHECK(with_id(silent, "status_unexpected").empty());
}

// --fail-on

TEST_CASE("assertions: --fail-on warn fails the target on a broken assertion (exit 1, not 3)", "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  testing::stage_of(probe, Stage::tls).duration = milliseconds(412);
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::tls, 300)};
  CHECK(exit_code(diagnosed(probe, assertions)) == 3);

  assertions.fail_on = FailOn::warn;
  const auto result = diagnosed(probe, assertions);
  const auto& finding = only(result, "stage_slow");
  CHECK(finding.severity == Severity::fail);
  CHECK(raised_by_fail_on(finding));
  CHECK(finding.evidence.back() == "failing because of --fail-on warn");
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == Stage::tls);
  CHECK(result.verdict.cause == "stage_slow");
  CHECK(result.verdict.summary == "tls took 412ms, above --max-stage tls=300ms (failing because of --fail-on warn).");
  CHECK(exit_code(result) == 1);
}

TEST_CASE("assertions: --fail-on warn fails on the probe's own warnings too; info stays info", "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  probe.observed.tls->verification_enabled = false;  // -k: tls_verification_disabled (warn)
  probe.observed.echo->echo_endpoint = false;        // echo_not_echo_endpoint (info)
  probe.observed.echo->echo_latency.reset();
  Assertions assertions;
  assertions.fail_on = FailOn::warn;
  const auto result = diagnosed(probe, assertions);
  CHECK(only(result, "tls_verification_disabled").severity == Severity::fail);
  CHECK(has_evidence(only(result, "tls_verification_disabled"), "failing because of --fail-on warn"));
  CHECK(only(result, "echo_not_echo_endpoint").severity == Severity::info);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.cause == "tls_verification_disabled");
  CHECK(exit_code(result) == 1);

  // --fail-on fail (the default) leaves them as they are.
  assertions.fail_on = FailOn::fail;
  CHECK(exit_code(diagnosed(probe, assertions)) == 3);
}

TEST_CASE("assertions: --fail-on warn with an expected refusal still passes", "[assertions]") {
  Assertions assertions;
  assertions.expect_status = 403;
  assertions.fail_on = FailOn::warn;
  const auto result = diagnosed(testing::rejected_upgrade(Scheme::wss, 403, "Forbidden"), assertions);
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(only(result, "upgrade_rejected_auth").severity == Severity::info);
}

TEST_CASE("assertions: an expected refusal with a warning: degraded, and the summary says the status was expected",
          "[assertions]") {
  auto probe = testing::rejected_upgrade(Scheme::wss, 401, "Unauthorized");
  probe.observed.tls->verification_enabled = false;
  Assertions assertions;
  assertions.expect_status = 401;
  const auto result = diagnosed(probe, assertions);
  CHECK(result.verdict.status == VerdictStatus::degraded);
  CHECK(result.verdict.cause == "tls_verification_disabled");
  CHECK_THAT(result.verdict.summary,
             Catch::EndsWith(" The upgrade answered 401 Unauthorized, as --expect-status 401 expects."));
}

TEST_CASE("assertions: broken assertions follow the probe's own findings, in stage order", "[assertions]") {
  auto probe = testing::healthy(Scheme::wss);
  probe.observed.tls->verification_enabled = false;
  testing::stage_of(probe, Stage::close).duration = milliseconds(50);
  testing::stage_of(probe, Stage::tcp).duration = milliseconds(50);
  set_ping_p95(probe, 300000);
  Assertions assertions;
  assertions.max_latency = {max_latency("p95", 200)};
  assertions.max_stage = {max_stage(Stage::close, 5), max_stage(Stage::tcp, 5)};
  assertions.expect_status = 401;
  assertions.min_cert_days = 100;
  const auto result = diagnosed(probe, assertions);
  std::vector<std::string> order;
  for (const auto& finding : result.findings) order.push_back(finding.id + "@" + std::string(to_string(finding.stage)));
  CHECK(order == std::vector<std::string>{"tls_verification_disabled@tls", "stage_slow@tcp", "cert_lifetime_short@tls",
                                          "status_unexpected@upgrade", "latency_high@echo", "stage_slow@close"});
  // The probe's own warning leads the verdict.
  CHECK(result.verdict.cause == "tls_verification_disabled");
}

TEST_CASE("assertions: diagnosing again gives the same findings", "[assertions]") {
  Assertions assertions;
  assertions.expect_status = 401;
  assertions.fail_on = FailOn::warn;
  auto result = diagnosed(testing::rejected_upgrade(Scheme::wss, 403, "Forbidden"), assertions);
  const auto first = result.findings;
  diagnose(result);
  REQUIRE(result.findings.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(result.findings[i].severity == first[i].severity);
    CHECK(result.findings[i].evidence == first[i].evidence);
  }
}

// --all-addresses

namespace {

// The load balancer at lb.example.test: one probe per address, each node diagnosed with
// `assertions` (as the app does), then the parent with the same.
TargetResult load_balancer(std::vector<std::pair<std::string, TargetResult>> probes, const Assertions& assertions) {
  std::vector<TargetResult> nodes;
  for (auto& [address, probe] : probes) nodes.push_back(diagnosed(testing::pinned_node(std::move(probe), address), assertions));
  auto parent = testing::parent_of_nodes(std::move(nodes));
  parent.assertions = assertions;
  diagnose_nodes(parent);
  return parent;
}

TargetResult tls_taking(long ms) {
  auto probe = testing::healthy(Scheme::wss);
  testing::stage_of(probe, Stage::tls).duration = milliseconds(ms);
  return probe;
}

Assertions tls_limit(FailOn fail_on) {
  Assertions assertions;
  assertions.max_stage = {max_stage(Stage::tls, 300)};
  assertions.fail_on = fail_on;
  return assertions;
}

}  // namespace

TEST_CASE("assertions: nodes: one node slower than --max-stage: the load balancer is degraded, naming it",
          "[assertions][nodes]") {
  const auto parent =
      load_balancer({{"192.0.2.1", tls_taking(20)}, {"192.0.2.2", tls_taking(412)}}, tls_limit(FailOn::fail));
  CHECK(parent.verdict.status == VerdictStatus::degraded);
  CHECK(parent.verdict.cause == "stage_slow");
  CHECK(parent.verdict.summary == "1 of 2 nodes degraded: tls took 412ms, above --max-stage tls=300ms.");
  const auto& finding = only(parent, "stage_slow");
  CHECK(finding.assertion == std::string("--max-stage tls=300ms"));
  CHECK(has_evidence(finding, "on 1 node: 192.0.2.2"));
  CHECK(exit_code(parent) == 3);
}

TEST_CASE("assertions: nodes under --fail-on warn: the slow node fails, without the load balancer's usual causes",
          "[assertions][nodes]") {
  const auto parent = load_balancer(
      {{"192.0.2.1", tls_taking(20)}, {"192.0.2.2", tls_taking(412)}, {"192.0.2.3", tls_taking(25)}},
      tls_limit(FailOn::warn));
  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.cause == "lb_node_partial_failure");
  CHECK(parent.verdict.stage == Stage::tls);
  CHECK(parent.verdict.summary ==
        "1 of 3 nodes fail, on warnings (--fail-on warn): 192.0.2.2 (tls, stage_slow); 192.0.2.1, 192.0.2.3 pass.");
  const auto& finding = only(parent, "lb_node_partial_failure");
  CHECK(finding.evidence == std::vector<std::string>{
                                "192.0.2.2: tls took 412ms, above --max-stage tls=300ms (failing because of --fail-on "
                                "warn).",
                                "every stage passed on 192.0.2.1, 192.0.2.3"});
  CHECK(exit_code(parent) == 1);
}

TEST_CASE("assertions: nodes all slow under --fail-on warn: they fail alike, and the verdict says why",
          "[assertions][nodes]") {
  const auto parent =
      load_balancer({{"192.0.2.1", tls_taking(412)}, {"192.0.2.2", tls_taking(500)}}, tls_limit(FailOn::warn));
  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.cause == "stage_slow");
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("All 2 nodes fail alike: tls took 412ms"));
  CHECK_THAT(parent.verdict.summary, Catch::EndsWith("(failing because of --fail-on warn)."));
}

TEST_CASE("assertions: nodes: a node's warning fails the parent under the parent's --fail-on warn",
          "[assertions][nodes]") {
  // Nodes diagnosed without it (a caller that forgot): the parent still answers to its own --fail-on.
  auto parent = testing::parent_of_nodes(
      {diagnosed(testing::pinned_node(tls_taking(412), "192.0.2.1"), tls_limit(FailOn::fail))});
  parent.assertions.fail_on = FailOn::warn;
  diagnose_nodes(parent);
  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.cause == "stage_slow");
}

TEST_CASE("assertions: nodes and --expect-status 401", "[assertions][nodes]") {
  Assertions assertions;
  assertions.expect_status = 401;
  const auto refusing = [] { return testing::rejected_upgrade(Scheme::wss, 401, "Unauthorized"); };

  SECTION("every node refuses as expected: the load balancer passes") {
    const auto parent = load_balancer({{"192.0.2.1", refusing()}, {"192.0.2.2", refusing()}}, assertions);
    CHECK(parent.verdict.status == VerdictStatus::pass);
    CHECK(parent.verdict.summary ==
          "All 2 nodes pass: upgrade answered 401 Unauthorized, as --expect-status 401 expects.");
    CHECK(only(parent, "upgrade_rejected_auth").severity == Severity::info);
  }
  SECTION("one node lets an anonymous client in: degraded, naming it") {
    const auto parent =
        load_balancer({{"192.0.2.1", refusing()}, {"192.0.2.2", testing::healthy(Scheme::wss)}}, assertions);
    CHECK(parent.verdict.status == VerdictStatus::degraded);
    CHECK(parent.verdict.cause == "status_unexpected");
    CHECK(has_evidence(only(parent, "status_unexpected"), "on 1 node: 192.0.2.2"));
  }
}

}  // namespace wsprobe

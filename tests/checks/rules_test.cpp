// Every cause the rules produce today, from a synthetic probe: the verdict a user reads.
#include <catch2/catch.hpp>

#include <algorithm>

#include "checks/catalogue.hpp"
#include "checks/verdict.hpp"
#include "support/result_builder.hpp"
#include "support/rule_scenarios.hpp"

using namespace wsprobe;
using namespace wsprobe::testing;

namespace {

std::string stage_name(const std::optional<Stage>& stage) {
  return stage ? std::string(to_string(*stage)) : std::string("(none)");
}

std::size_t count_severity(const std::vector<Finding>& findings, Severity severity) {
  return std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; });
}

}  // namespace

TEST_CASE("each synthetic probe gets the verdict - stage - cause and hop a user expects", "[checks]") {
  for (const auto& scenario : rule_scenarios()) {
    SECTION(scenario.name) {
      auto result = scenario.make();
      diagnose(result);
      const auto& verdict = result.verdict;
      INFO("summary: " << verdict.summary);
      CHECK(verdict.status == scenario.status);
      CHECK(stage_name(verdict.stage) == stage_name(scenario.stage));
      CHECK(verdict.cause == scenario.cause);
      CHECK(verdict.hop == scenario.hop);
      CHECK_FALSE(verdict.summary.empty());
      if (!scenario.summary_has.empty()) CHECK_THAT(verdict.summary, Catch::Contains(scenario.summary_has));
      if (!scenario.summary_lacks.empty())
        CHECK_THAT(verdict.summary, !Catch::Contains(scenario.summary_lacks));

      // One primary cause: a fail has exactly one failing finding, at the failing stage, with a fix.
      if (scenario.status == VerdictStatus::fail) {
        REQUIRE(count_severity(result.findings, Severity::fail) == 1);
        const auto& primary = result.findings.front();
        CHECK(primary.id == scenario.cause);
        CHECK(primary.stage == *scenario.stage);
        CHECK_FALSE(primary.fix.empty());
        CHECK_FALSE(primary.evidence.empty());
      }
      if (scenario.status == VerdictStatus::pass) {
        CHECK(count_severity(result.findings, Severity::fail) == 0);
        CHECK(count_severity(result.findings, Severity::warn) == 0);
      }
      // Whatever a rule names, the catalogue explains.
      CHECK(find_cause(verdict.cause) != nullptr);
      for (const auto& finding : result.findings) {
        INFO("finding " << finding.id);
        CHECK(find_cause(finding.id) != nullptr);
      }
    }
  }
}

TEST_CASE("a healthy probe raises no false alarm", "[checks]") {
  for (const auto scheme : {Scheme::ws, Scheme::wss}) {
    auto result = healthy(scheme);
    diagnose(result);
    CHECK(result.verdict.status == VerdictStatus::pass);
    CHECK(result.verdict.cause == "ok");
    CHECK_FALSE(result.verdict.stage);
    CHECK_FALSE(result.verdict.hop);
    CHECK(result.findings.empty());
  }
}

TEST_CASE("a non-echo endpoint in auto mode passes with an info note", "[checks]") {
  auto result = healthy(Scheme::wss);
  result.observed.echo->messages = {{32, std::nullopt, EchoMessage::Outcome::no_reply}};
  result.observed.echo->echo_endpoint = false;
  diagnose(result);
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(result.verdict.cause == "ok");
  REQUIRE(result.findings.size() == 1);
  const auto& note = result.findings.front();
  CHECK(note.id == "echo_not_echo_endpoint");
  CHECK(note.severity == Severity::info);
  CHECK(note.stage == Stage::echo);
  REQUIRE_FALSE(note.evidence.empty());
  CHECK_THAT(note.evidence.front(), Catch::Contains("5 of 5 pings answered"));
}

TEST_CASE("verification disabled: the warning says the chain would have failed", "[checks]") {
  auto result = healthy(Scheme::wss);
  result.observed.tls->verification_enabled = false;
  result.observed.tls->verify_result = 18;
  result.observed.tls->verify_error = "self-signed certificate";
  diagnose(result);
  REQUIRE(result.findings.size() == 1);
  CHECK(result.findings.front().severity == Severity::warn);
  REQUIRE_FALSE(result.findings.front().evidence.empty());
  CHECK_THAT(result.findings.front().evidence.front(), Catch::Contains("self-signed certificate"));
}

TEST_CASE("certificate expiry warning: under 14 days warns - from 14 days on passes", "[checks]") {
  auto expiring_in = [](std::int64_t seconds) {
    auto result = healthy(Scheme::wss);
    result.observed.tls->peer_chain.front().not_after_epoch_s = result.started_at_epoch_s + seconds;
    diagnose(result);
    return result.verdict;
  };
  CHECK(expiring_in(1 * kSecondsPerDay).cause == "tls_cert_expiring");
  CHECK(expiring_in(13 * kSecondsPerDay + 3600).cause == "tls_cert_expiring");
  CHECK(expiring_in(14 * kSecondsPerDay).cause == "ok");
  CHECK(expiring_in(30 * kSecondsPerDay).status == VerdictStatus::pass);
  // Only the leaf counts: an intermediate expiring sooner than the leaf is not the leaf expiring.
  auto result = healthy(Scheme::wss);
  result.observed.tls->peer_chain.back().not_after_epoch_s = result.started_at_epoch_s + 5 * kSecondsPerDay;
  diagnose(result);
  CHECK(result.verdict.cause == "ok");
}

TEST_CASE("a failure outranks a warning: the verdict names the failing stage", "[checks]") {
  auto result = rejected_upgrade(Scheme::wss, 403, "Forbidden");
  result.observed.tls = healthy(Scheme::wss).observed.tls;
  result.observed.tls->verification_enabled = false;
  diagnose(result);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.cause == "upgrade_rejected_auth");
  REQUIRE(result.verdict.stage);
  CHECK(*result.verdict.stage == Stage::upgrade);
  REQUIRE(result.findings.size() == 2);
  CHECK(result.findings[1].id == "tls_verification_disabled");
}

TEST_CASE("upgrade evidence carries the status line - server and body", "[checks]") {
  auto result = rejected_upgrade(Scheme::wss, 502, "Bad Gateway", "<html>502 Bad Gateway</html>");
  diagnose(result);
  const auto& evidence = result.findings.front().evidence;
  auto has = [&](std::string_view text) {
    return std::any_of(evidence.begin(), evidence.end(),
                       [&](const std::string& line) { return line.find(text) != std::string::npos; });
  };
  CHECK(has("status: HTTP/1.1 502 Bad Gateway"));
  CHECK(has("Server: nginx"));
  CHECK(has("body: <html>502 Bad Gateway</html>"));
}

TEST_CASE("hostname mismatch evidence names the host and the certificate's names", "[checks]") {
  auto result = failed_at(Scheme::wss, Stage::tls, Condition::tls_verify_failed, "certificate verify failed");
  result.observed.tls->verify_result = 62;
  result.observed.tls->verify_error = "hostname mismatch";
  auto leaf = healthy(Scheme::wss).observed.tls->peer_chain.front();
  leaf.subject_alt_names = {"DNS:default.example.test"};
  result.observed.tls->peer_chain = {leaf};
  diagnose(result);
  const auto& evidence = result.findings.front().evidence;
  CHECK(std::find(evidence.begin(), evidence.end(),
                  "asked for echo.example.test; the certificate covers DNS:default.example.test") != evidence.end());
}

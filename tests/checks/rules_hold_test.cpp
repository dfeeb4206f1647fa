// The hold stage's causes from synthetic observations: how the connection ended and when, matched
// against the knowledge base's timing map (idle unless noted), with the close codes named.
#include <catch2/catch.hpp>

#include "checks/rules.hpp"

using namespace wsprobe;

namespace {

Micros secs(double s) { return Micros(static_cast<long long>(s * 1e6)); }

struct Cut {
  std::string end;  // close_frame, fin, reset, silent
  double cut_after = 0;
  double idle_before_cut = 0;
  std::size_t pings = 0;
  std::optional<std::uint16_t> code;
};

Cut cut(std::string end, double cut_after = 0, double idle_before_cut = 0, std::size_t pings = 0,
        std::optional<std::uint16_t> code = std::nullopt) {
  return Cut{std::move(end), cut_after, idle_before_cut, pings, code};
}

Observations cut_observations(const Cut& cut, double requested = 400) {
  HoldObservation hold;
  hold.requested = secs(requested);
  if (cut.pings) hold.ping_interval = secs(10);
  hold.pings_sent = cut.pings;
  hold.pongs_received = cut.pings;
  hold.end = cut.end;
  if (cut.end == "silent") {
    hold.held = secs(requested);
    hold.closed_by = "unknown";
  } else {
    hold.held = secs(cut.cut_after);
    hold.cut_after = secs(cut.cut_after);
    hold.idle_before_cut = secs(cut.idle_before_cut);
    hold.closed_by = "intermediary or server";
  }
  if (cut.end == "close_frame") {
    hold.peer_close = CloseFrame{cut.code, ""};
    hold.closed_by = "server";
  }
  Observations observed;
  observed.hold = hold;
  return observed;
}

Finding explain(const Cut& cut, double requested = 400) {
  StageResult stage;
  stage.stage = Stage::hold;
  stage.status = StageStatus::failed;
  stage.condition = cut.end == "fin" ? Condition::eof : cut.end == "reset" ? Condition::reset
                    : cut.end == "silent"                   ? Condition::ping_unanswered
                                                            : Condition::closed_by_peer;
  auto finding = explain_hold_failure(stage, cut_observations(cut, requested));
  REQUIRE(finding);
  CHECK(finding->stage == Stage::hold);
  CHECK(finding->severity == Severity::fail);
  return *finding;
}

bool has_evidence(const Finding& finding, std::string_view text) {
  for (const auto& e : finding.evidence)
    if (e.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("hold rules: a FIN at 60 s idle matches the ALB and nginx defaults", "[hold][rules]") {
  const auto finding = explain(cut("fin", 60.4, 60.4));
  CHECK(finding.id == "idle_timeout");
  CHECK_THAT(finding.summary, Catch::StartsWith("Cut after 60.4 s idle by FIN without a close frame"));
  CHECK_THAT(finding.summary, Catch::Contains("AWS ALB idle timeout (60 s default)"));
  CHECK_THAT(finding.summary, Catch::Contains("nginx proxy_read_timeout (60 s)"));
  CHECK_THAT(finding.summary, !Catch::Contains("Cloudflare"));
  CHECK(has_evidence(finding, "end: fin"));
  CHECK(has_evidence(finding, "silent hold: no keepalive sent"));
  CHECK_FALSE(finding.fix.empty());
}

TEST_CASE("hold rules: the timing map with a tolerance of 10% or 2 s", "[hold][rules]") {
  struct Row {
    double seconds;
    std::string_view expected;  // empty: nothing matches
  };
  const Row rows[] = {
      {58.5, "AWS ALB"},       {63.0, "nginx"},        {99.0, "Cloudflare (about 100 s"},
      {181.0, "Traefik"},      {300.2, "Envoy"},       {300.2, "Azure Front Door"},
      {596.0, "API Gateway"},  {30.5, "HAProxy"},      {45.0, ""},
      {0.4, ""},
  };
  for (const auto& row : rows) {
    INFO(row.seconds);
    const auto finding = explain(cut("fin", row.seconds, row.seconds));
    CHECK(finding.id == "idle_timeout");
    if (row.expected.empty())
      CHECK_THAT(finding.summary, Catch::Contains("no known default matches"));
    else
      CHECK_THAT(finding.summary, Catch::Contains(std::string(row.expected)));
  }
}

TEST_CASE("hold rules: a cut despite keepalive pings is a lifetime limit (GCP's 30 s)", "[hold][rules]") {
  const auto finding = explain(cut("fin", 30.2, 0.2, 3));
  CHECK(finding.id == "idle_timeout");
  CHECK_THAT(finding.summary, Catch::Contains("although 3 keepalive pings went out"));
  CHECK_THAT(finding.summary, Catch::Contains("a lifetime limit"));
  CHECK_THAT(finding.summary, Catch::Contains("GCP load balancer backend service timeout"));
  // Idle-only rows never match a lifetime.
  CHECK_THAT(finding.summary, !Catch::Contains("HAProxy"));
  CHECK(has_evidence(finding, "3 keepalive pings sent"));
}

TEST_CASE("hold rules: close frames 1000 and 1001 are cuts, other codes the server's own decision",
          "[hold][rules]") {
  const auto going_away = explain(cut("close_frame", 60.1, 60.1, 0, 1001));
  CHECK(going_away.id == "idle_timeout");
  CHECK_THAT(going_away.summary, Catch::Contains("by a close frame 1001 (going away"));
  CHECK(has_evidence(going_away, "closed by: server"));

  const auto policy = explain(cut("close_frame", 12.0, 12.0, 0, 1008));
  CHECK(policy.id == "closed_by_peer");
  CHECK_THAT(policy.summary, Catch::Contains("1008 (policy violation"));
  CHECK_THAT(policy.summary, Catch::Contains("not an idle cut"));

  for (const std::uint16_t code : {1011, 1012, 1013, 1014}) {
    INFO(code);
    CHECK(explain(cut("close_frame", 5.0, 5.0, 0, code)).id == "closed_by_peer");
  }
  const auto no_code = explain(cut("close_frame", 100.0, 100.0, 0, std::nullopt));
  CHECK(no_code.id == "idle_timeout");
  CHECK_THAT(no_code.summary, Catch::Contains("without a status code"));
}

TEST_CASE("hold rules: silent drops and late resets fit the L4 balancers that show nothing", "[hold][rules]") {
  const auto silent = explain(cut("silent"), 400);
  CHECK(silent.id == "idle_timeout");
  CHECK_THAT(silent.summary, Catch::Contains("dropped silently"));
  CHECK_THAT(silent.summary, Catch::Contains("Azure Load Balancer"));
  CHECK_THAT(silent.summary, Catch::Contains("AWS NLB"));
  CHECK(has_evidence(silent, "end: silent"));

  const auto short_silent = explain(cut("silent"), 90);
  CHECK_THAT(short_silent.summary, !Catch::Contains("fits"));

  // An NLB resets only when we send after its 350 s: seen at 400 s of idle.
  const auto reset = explain(cut("reset", 400.0, 400.0));
  CHECK(reset.id == "idle_timeout");
  CHECK_THAT(reset.summary, Catch::Contains("by RST"));
  CHECK_THAT(reset.summary, Catch::Contains("AWS NLB"));
}

TEST_CASE("hold rules: a hold that failed without a cut falls back to the session causes", "[hold][rules]") {
  StageResult stage;
  stage.stage = Stage::hold;
  stage.status = StageStatus::failed;
  stage.condition = Condition::protocol_violation;
  Observations observed;
  observed.hold.emplace();
  const auto finding = explain_hold_failure(stage, observed);
  REQUIRE(finding);
  CHECK(finding->id == "ws_protocol_violation");
}

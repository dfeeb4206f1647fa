// The hold stage's causes from synthetic observations: how the connection ended and when, matched
// against the knowledge base's timing map (idle unless noted), with the close codes named.
#include <catch2/catch.hpp>

#include "checks/rules.hpp"
#include "support/finding_checks.hpp"

using namespace wsprobe;

namespace {

using wsprobe::test::mentions;

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

}  // namespace

TEST_CASE("hold rules: a FIN at 60 s idle matches the ALB and nginx defaults", "[hold][rules]") {
  const auto finding = explain(cut("fin", 60.4, 60.4));
  CHECK(finding.id == "idle_timeout");
  CHECK_THAT(finding.summary, Catch::StartsWith("Cut after 60.4 s idle by FIN without a close frame"));
  CHECK_THAT(finding.summary, Catch::Contains("AWS ALB idle timeout (60 s default)"));
  CHECK_THAT(finding.summary, Catch::Contains("nginx proxy_read_timeout (60 s)"));
  CHECK_THAT(finding.summary, !Catch::Contains("Cloudflare"));
  CHECK(mentions(finding, "end: fin"));
  CHECK(mentions(finding, "silent hold: no keepalive sent"));
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
  CHECK(mentions(finding, "3 keepalive pings sent"));
}

TEST_CASE("hold rules: close frames 1000 and 1001 are cuts, other codes the server's own decision",
          "[hold][rules]") {
  const auto going_away = explain(cut("close_frame", 60.1, 60.1, 0, 1001));
  CHECK(going_away.id == "idle_timeout");
  CHECK_THAT(going_away.summary, Catch::Contains("by a close frame 1001 (going away"));
  CHECK(mentions(going_away, "closed by: server"));

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
  CHECK(mentions(silent, "end: silent"));

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

// ---- --hold-ping with the silent run alongside: the largest safe keepalive interval.

namespace {

TargetResult pinged_hold_result(bool survived, SilentHold silent, std::optional<double> safe) {
  TargetResult result;
  HoldObservation hold;
  hold.requested = secs(120);
  hold.ping_interval = secs(20);
  hold.pings_sent = 5;
  hold.pongs_received = 5;
  hold.survived = survived;
  hold.held = secs(120);
  hold.silent_run = std::move(silent);
  if (safe) hold.largest_safe_ping_interval = secs(*safe);
  result.observed.hold = hold;
  return result;
}

SilentHold silent_cut(double idle, std::string end = "fin") {
  SilentHold silent;
  silent.held = secs(idle);
  silent.end = std::move(end);
  silent.cut_after = secs(idle);
  silent.idle_before_cut = secs(idle);
  silent.closed_by = "intermediary or server";
  return silent;
}

}  // namespace

TEST_CASE("hold notes: silent run cut at 60 s idle, pinged run up: intervals up to 54 s are safe, ALB named",
          "[hold][rules][keepalive]") {
  const auto notes = find_hold_notes(pinged_hold_result(true, silent_cut(60.2), 54.2));
  REQUIRE(notes.size() == 1);
  const auto& note = notes.front();
  CHECK(note.id == "keepalive_interval_safe");
  CHECK(note.severity == Severity::info);
  CHECK(note.stage == Stage::hold);
  CHECK_THAT(note.summary, Catch::StartsWith("Keepalive pings every 20.0 s kept the connection up for 120.0 s"));
  CHECK_THAT(note.summary, Catch::Contains("the silent connection alongside was cut after 60.2 s idle"));
  CHECK_THAT(note.summary, Catch::Contains("any keepalive interval up to 54.2 s is safe"));
  CHECK_THAT(note.summary, Catch::Contains("AWS ALB idle timeout"));
  CHECK(mentions(note, "silent run alongside (no keepalives): cut after 60.2 s (60.2 s idle) by FIN"));
  CHECK(mentions(note, "largest safe keepalive interval: 54.2 s"));
  CHECK_FALSE(note.fix.empty());
}

TEST_CASE("hold notes: both runs up means no idle cut within --hold", "[hold][rules][keepalive]") {
  SilentHold silent;
  silent.survived = true;
  silent.held = secs(120);
  const auto notes = find_hold_notes(pinged_hold_result(true, silent, 120));
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes.front().summary, Catch::Contains("Both connections stayed up for 120.0 s"));
  CHECK_THAT(notes.front().summary, Catch::Contains("any keepalive interval up to 120.0 s is safe"));
  CHECK(notes.front().confidence == Confidence::certain);
}

TEST_CASE("hold notes: a silent run found dead only by its final ping proves only the pinged interval",
          "[hold][rules][keepalive]") {
  SilentHold silent;
  silent.held = secs(120);
  silent.end = "silent";
  silent.closed_by = "unknown";
  silent.found_by_final_check = true;
  const auto notes = find_hold_notes(pinged_hold_result(true, silent, 20));
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes.front().summary, Catch::Contains("dropped without a sign at some time within 120.0 s"));
  CHECK_THAT(notes.front().summary, Catch::Contains("keep keepalives every 20.0 s or more often"));
  CHECK(mentions(notes.front(), "dropped silently, found by its unanswered final ping"));
}

TEST_CASE("hold notes: a silent run that never reached its hold says so; no note without a silent run",
          "[hold][rules][keepalive]") {
  SilentHold silent;
  silent.failed_before_hold = Stage::upgrade;
  silent.failure_detail = "HTTP 429";
  const auto notes = find_hold_notes(pinged_hold_result(true, silent, std::nullopt));
  REQUIRE(notes.size() == 1);
  CHECK(notes.front().confidence == Confidence::possible);
  CHECK_THAT(notes.front().summary, Catch::Contains("only 20.0 s is known to be safe"));
  CHECK(mentions(notes.front(), "never reached its hold, its upgrade stage failed: HTTP 429"));

  auto without = pinged_hold_result(true, silent, std::nullopt);
  without.observed.hold->silent_run.reset();
  CHECK(find_hold_notes(without).empty());
  // A pinged run that died has a failure, not a note.
  CHECK(find_hold_notes(pinged_hold_result(false, silent_cut(60), std::nullopt)).empty());
}

TEST_CASE("hold rules: pinged run cut while the silent one survived blames the keepalives; both cut is a lifetime",
          "[hold][rules][keepalive]") {
  auto observed = cut_observations(cut("fin", 30.2, 0.2, 3));
  SilentHold survived;
  survived.survived = true;
  survived.held = secs(400);
  observed.hold->silent_run = survived;
  StageResult stage;
  stage.stage = Stage::hold;
  stage.status = StageStatus::failed;
  stage.condition = Condition::eof;
  const auto blamed = explain_hold_failure(stage, observed);
  REQUIRE(blamed);
  CHECK(blamed->id == "idle_timeout");
  CHECK_THAT(blamed->summary, Catch::Contains("while the silent connection held alongside survived"));
  CHECK_THAT(blamed->summary, Catch::Contains("keepalives themselves"));
  CHECK_THAT(blamed->summary, !Catch::Contains("a lifetime limit"));
  CHECK(mentions(*blamed, "no keepalive interval is safe"));

  observed.hold->silent_run = silent_cut(30.1);
  const auto lifetime = explain_hold_failure(stage, observed);
  REQUIRE(lifetime);
  CHECK_THAT(lifetime->summary, Catch::Contains("a lifetime limit"));
  CHECK(mentions(*lifetime, "silent run alongside (no keepalives): cut after 30.1 s"));
}

// ---- Close attribution in the findings' evidence.

TEST_CASE("connection end: each way a connection ends in words", "[rules][connection_end]") {
  ConnectionEnd end;
  end.stage = Stage::echo;
  end.by = "server";
  end.how = "close_frame";
  end.close_frame = CloseFrame{1011, ""};
  end.handshake_completed = true;
  CHECK(describe_connection_end(end) ==
        "connection ended during the echo stage: closed by the server with close frame 1011 (internal error: the "
        "server or a proxy failed); close handshake completed");
  end.handshake_completed = false;
  CHECK_THAT(describe_connection_end(end), Catch::EndsWith("; close handshake not completed"));

  end.by = "client";
  end.stage = Stage::close;
  end.close_frame = CloseFrame{1000, "wsprobe done"};
  CHECK_THAT(describe_connection_end(end), Catch::Contains("closed by wsprobe with close frame 1000 (normal"));
  CHECK_THAT(describe_connection_end(end), Catch::EndsWith("the server never answered it, close handshake not completed"));

  end = ConnectionEnd{Stage::hold, "intermediary or server", "fin", std::nullopt, false, Micros(0)};
  CHECK_THAT(describe_connection_end(end), Catch::Contains("closed by the intermediary or server with FIN, no close frame"));
  end.how = "reset";
  CHECK_THAT(describe_connection_end(end), Catch::Contains("reset by the intermediary or server (RST)"));
  end = ConnectionEnd{Stage::echo, "unknown", "timeout", std::nullopt, false, Micros(0)};
  CHECK_THAT(describe_connection_end(end), Catch::Contains("timed out"));
  end.how = "silent";
  CHECK_THAT(describe_connection_end(end), Catch::Contains("no sign from the server"));
  end = ConnectionEnd{Stage::echo, "client", "abandoned", std::nullopt, false, Micros(0)};
  CHECK_THAT(describe_connection_end(end), Catch::Contains("wsprobe dropped it after the failure"));
}

TEST_CASE("connection end: closed_by_peer, message_too_large and close_unclean carry the attribution",
          "[rules][connection_end]") {
  StageResult stage;
  stage.stage = Stage::echo;
  stage.status = StageStatus::failed;
  stage.condition = Condition::closed_by_peer;
  Observations observed;
  auto& echo = observed.echo.emplace();
  echo.ping_rtts = {Micros(100)};
  echo.peer_close = CloseFrame{1011, "backend down"};
  observed.connection_end = ConnectionEnd{Stage::echo, "server", "close_frame", echo.peer_close, true, Micros(9000)};
  const auto closed = explain_session_failure(stage, observed);
  REQUIRE(closed);
  CHECK(closed->id == "closed_by_peer");
  CHECK(mentions(*closed,
                 "closed by the server with close frame 1011 (internal error: the server or a proxy "
                 "failed) 'backend down'; close handshake completed"));

  echo.peer_close = CloseFrame{1009, "message too big"};
  echo.size_sweep = {SizeProbe{1024, "echoed", Micros(10), std::nullopt, std::nullopt},
                     SizeProbe{65536, "closed", std::nullopt, echo.peer_close, std::nullopt}};
  echo.largest_echoed_bytes = 1024;
  observed.connection_end->close_frame = echo.peer_close;
  observed.connection_end->handshake_completed = false;
  const auto too_large = explain_session_failure(stage, observed);
  REQUIRE(too_large);
  CHECK(too_large->id == "message_too_large");
  CHECK(mentions(*too_large, "closed by the server with close frame 1009 (message too big"));

  // An end seen at another stage is not this stage's evidence.
  observed.connection_end->stage = Stage::hold;
  const auto elsewhere = explain_session_failure(stage, observed);
  REQUIRE(elsewhere);
  CHECK_FALSE(mentions(*elsewhere, "connection ended during"));

  StageResult close;
  close.stage = Stage::close;
  close.status = StageStatus::failed;
  close.condition = Condition::close_unclean;
  Observations closing;
  closing.close.emplace().code_sent = 1000;
  closing.connection_end = ConnectionEnd{Stage::close, "client", "close_frame", CloseFrame{1000, ""}, false, Micros(0)};
  const auto unclean = explain_session_failure(close, closing);
  REQUIRE(unclean);
  CHECK(unclean->id == "close_unclean");
  CHECK(mentions(*unclean, "the server never answered it, close handshake not completed"));
}

// The hold stage end to end against a scripted WebSocket server that cuts idle connections
// (WsScript::idle_cut) the ways load balancers do: a close frame, FIN, RST, silence, and a
// lifetime limit that keepalive pings do not reset. Times are asserted with bounds a busy machine
// cannot break: a cut set at 400 ms is seen after at least 300 ms (the peer's idle clock starts at
// the echo stage's last frame, a little before the hold) and well under 5 s.
#include <catch2/catch.hpp>

#include "app/progress.hpp"
#include "checks/rules.hpp"
#include "support/finding_checks.hpp"
#include "support/probe_helpers.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::CutBy;
using test::describe;
using test::find_finding;
using test::IdleCut;
using test::mentions;
using test::probe_and_diagnose;
using test::stage_of;
using test::WsScript;
using test::WsScriptPeer;

constexpr auto kCut = 400ms;
constexpr auto kEarliest = Micros(300'000);
constexpr auto kLatest = Micros(5'000'000);

WsScript cutting(CutBy how, std::chrono::milliseconds after = kCut, bool lifetime = false) {
  WsScript script;
  IdleCut cut;
  cut.after = after;
  cut.how = how;
  cut.lifetime = lifetime;
  script.idle_cut = cut;
  return script;
}

ProbeOptions hold_options(const WsScriptPeer& peer, std::chrono::milliseconds hold,
                          std::optional<std::chrono::milliseconds> ping = std::nullopt) {
  auto options = test::probe_options("ws://127.0.0.1:" + std::to_string(peer.port()) + "/", 1500ms);
  options.hold = hold;
  options.hold_ping = ping;
  return options;
}

// A cut the hold saw: the stage failed, close did not run, and the verdict blames the hold.
const HoldObservation& check_cut(const TargetResult& result, const std::string& end, Condition condition,
                                 const std::string& cause = "idle_timeout") {
  INFO(describe(result));
  CHECK(stage_of(result, Stage::echo).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::hold).status == StageStatus::failed);
  CHECK(stage_of(result, Stage::hold).condition == condition);
  CHECK(stage_of(result, Stage::close).status == StageStatus::skipped);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == Stage::hold);
  CHECK(result.verdict.cause == cause);
  REQUIRE(result.observed.hold);
  const auto& hold = *result.observed.hold;
  CHECK(hold.end == end);
  CHECK_FALSE(hold.survived);
  return hold;
}

// A hold that survived: the stage passed, the run too, and the connection answered its final check.
const HoldObservation& check_survived(const TargetResult& result) {
  INFO(describe(result));
  CHECK(stage_of(result, Stage::hold).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::close).status == StageStatus::ok);
  CHECK(result.verdict.cause == "ok");
  REQUIRE(result.observed.hold);
  CHECK(result.observed.hold->survived);
  return *result.observed.hold;
}

void check_cut_time(const HoldObservation& hold) {
  REQUIRE(hold.cut_after);
  REQUIRE(hold.idle_before_cut);
  CHECK(*hold.cut_after >= kEarliest);
  CHECK(*hold.cut_after < kLatest);
  CHECK(*hold.idle_before_cut <= *hold.cut_after);
  CHECK(hold.held == *hold.cut_after);
}

TEST_CASE("hold: a close frame 1001 after 400 ms idle is an idle cut by the server", "[hold]") {
  WsScriptPeer peer(cutting(CutBy::close_frame));
  const auto run = probe_and_diagnose(hold_options(peer, 3s));
  const auto& hold = check_cut(run.result, "close_frame", Condition::closed_by_peer);
  check_cut_time(hold);
  REQUIRE(hold.peer_close);
  CHECK(hold.peer_close->code == 1001);
  CHECK(hold.peer_close->reason == "idle timeout");
  CHECK(hold.closed_by == "server");
  CHECK(hold.requested == Micros(3'000'000));
  CHECK(hold.pings_sent == 0);
  const auto* finding = find_finding(run.result, "idle_timeout");
  REQUIRE(finding);
  CHECK_THAT(finding->summary, Catch::Contains("1001 (going away"));
  // The close frame was answered (RFC 6455 §5.5.1).
  CHECK(peer.wait_for([](const test::WsPeerStats& s) { return s.closes_received == 1; }, 2s));
  const auto client_close = peer.stats().client_close;
  REQUIRE(client_close);
  CHECK(client_close->code == 1001);
  // Cut at ~0.4 s, well before the hold's 3 s: the stage ended at the cut.
  CHECK(run.elapsed < 2500ms);
}

TEST_CASE("hold: FIN without a close frame after 400 ms idle is an idle cut by an intermediary or the server",
          "[hold]") {
  WsScriptPeer peer(cutting(CutBy::fin));
  const auto run = probe_and_diagnose(hold_options(peer, 3s));
  const auto& hold = check_cut(run.result, "fin", Condition::eof);
  check_cut_time(hold);
  CHECK_FALSE(hold.peer_close);
  CHECK(hold.closed_by == "intermediary or server");
  const auto* finding = find_finding(run.result, "idle_timeout");
  REQUIRE(finding);
  CHECK_THAT(finding->summary, Catch::Contains("idle by FIN without a close frame"));
  CHECK_THAT(finding->summary, Catch::Contains("no known default matches"));
}

TEST_CASE("hold: RST after 400 ms idle is an idle cut", "[hold]") {
  WsScriptPeer peer(cutting(CutBy::reset));
  const auto run = probe_and_diagnose(hold_options(peer, 3s));
  const auto& hold = check_cut(run.result, "reset", Condition::reset);
  check_cut_time(hold);
  CHECK(hold.closed_by == "intermediary or server");
}

TEST_CASE("hold: a silent drop is found by the unanswered final ping", "[hold]") {
  WsScriptPeer peer(cutting(CutBy::silent));
  auto options = hold_options(peer, 1s);
  options.budgets.echo = 1000ms;  // the final check's budget
  const auto run = probe_and_diagnose(options);
  const auto& hold = check_cut(run.result, "silent", Condition::ping_unanswered);
  CHECK_FALSE(hold.cut_after);
  CHECK(hold.closed_by == "unknown");
  CHECK(hold.held >= Micros(1'000'000));
  CHECK(peer.stats().idle_cuts == 1);
  CHECK(peer.stats().pings_received >= 1);  // the final ping reached the peer, which kept quiet
  const auto* finding = find_finding(run.result, "idle_timeout");
  REQUIRE(finding);
  CHECK_THAT(finding->summary, Catch::Contains("dropped silently"));
}

TEST_CASE("hold: a drop that resets only our next send is seen at the final ping, idle since the start",
          "[hold]") {
  WsScriptPeer peer(cutting(CutBy::reset_on_next_frame));
  const auto run = probe_and_diagnose(hold_options(peer, 1s));
  const auto& hold = check_cut(run.result, "reset", Condition::reset);
  REQUIRE(hold.cut_after);
  REQUIRE(hold.idle_before_cut);
  CHECK(*hold.cut_after >= Micros(1'000'000));
  CHECK(*hold.idle_before_cut >= Micros(1'000'000));  // the silence before the final ping, not its RTT
  CHECK(hold.pings_sent == 0);                         // the final check is no keepalive
  const auto* finding = find_finding(run.result, "idle_timeout");
  REQUIRE(finding);
  CHECK_THAT(finding->summary, Catch::Contains("idle by RST"));
  CHECK_THAT(finding->summary, !Catch::Contains("lifetime"));
}

TEST_CASE("hold: a held connection that stays up passes, and its final ping is answered", "[hold]") {
  WsScriptPeer peer(WsScript{});
  const auto run = probe_and_diagnose(hold_options(peer, 600ms));
  INFO(describe(run.result));
  const auto& hold = check_survived(run.result);
  CHECK_FALSE(hold.end);
  CHECK(hold.held >= Micros(600'000));
  CHECK(hold.final_check_rtt);
  CHECK(hold.pings_sent == 0);
  CHECK(hold.pongs_received == 0);  // keepalive pongs only: the final check's answer is final_check_rtt
}

TEST_CASE("hold: pings every 100 ms keep an 800 ms idle timeout from cutting; without them it cuts", "[hold]") {
  WsScriptPeer peer(cutting(CutBy::fin, 800ms));
  SECTION("with --hold-ping") {
    const auto run = probe_and_diagnose(hold_options(peer, 1500ms, 100ms));
    INFO(describe(run.result));
    const auto& hold = check_survived(run.result);
    CHECK(hold.ping_interval == Micros(100'000));
    CHECK(hold.pings_sent >= 5);
    CHECK(hold.pongs_received >= 5);
    // Only the silent run alongside was cut (--hold-ping runs one, tests/probe/keepalive_interval_test.cpp).
    REQUIRE(hold.silent_run);
    CHECK(hold.silent_run->end == "fin");
    CHECK(peer.stats().idle_cuts == 1);
  }
  SECTION("with --hold-ping and --hold-message") {
    auto options = hold_options(peer, 1500ms, 100ms);
    options.hold_message = true;
    const auto run = probe_and_diagnose(options);
    INFO(describe(run.result));
    CHECK(stage_of(run.result, Stage::hold).status == StageStatus::ok);
    REQUIRE(run.result.observed.hold);
    CHECK(run.result.observed.hold->keepalive_by_message);
    CHECK(run.result.observed.hold->messages_sent >= 5);
    CHECK(run.result.observed.hold->pings_sent == 0);
    REQUIRE(run.result.observed.hold->silent_run);
    CHECK(run.result.observed.hold->silent_run->end == "fin");
    CHECK(peer.stats().idle_cuts == 1);  // the silent run's
  }
  SECTION("silent") {
    const auto run = probe_and_diagnose(hold_options(peer, 1500ms));
    const auto& hold = check_cut(run.result, "fin", Condition::eof);
    REQUIRE(hold.cut_after);
    CHECK(*hold.cut_after >= Micros(700'000));
    CHECK(*hold.cut_after < kLatest);
  }
}

TEST_CASE("hold: a lifetime limit cuts even with pings, and the verdict says lifetime; no keepalive interval is safe",
          "[hold][keepalive]") {
  WsScriptPeer peer(cutting(CutBy::fin, 700ms, /*lifetime=*/true));
  const auto run = probe_and_diagnose(hold_options(peer, 3s, 150ms));
  const auto& hold = check_cut(run.result, "fin", Condition::eof);
  REQUIRE(hold.cut_after);
  CHECK(*hold.cut_after >= Micros(300'000));
  CHECK(*hold.cut_after < kLatest);
  CHECK(hold.pings_sent >= 1);
  REQUIRE(hold.idle_before_cut);
  CHECK(*hold.idle_before_cut < *hold.cut_after);  // traffic flowed until shortly before the cut
  const auto* finding = find_finding(run.result, "idle_timeout");
  REQUIRE(finding);
  CHECK_THAT(finding->summary, Catch::Contains("a lifetime limit"));
  // The silent run alongside was cut too: no interval keeps this connection up.
  CHECK_FALSE(hold.largest_safe_ping_interval);
  REQUIRE(hold.silent_run);
  CHECK_FALSE(hold.silent_run->survived);
  CHECK(hold.silent_run->end == "fin");
  CHECK(peer.stats().idle_cuts == 2);
  CHECK(mentions(*finding, "no keepalive interval is safe"));
  CHECK(mentions(*finding, "silent run alongside (no keepalives"));
  CHECK(find_hold_notes(run.result).empty());
}

TEST_CASE("hold: a close frame 1011 during the hold is the server's decision: closed_by_peer", "[hold]") {
  auto script = cutting(CutBy::close_frame);
  script.idle_cut->close_code = 1011;
  script.idle_cut->close_reason = "backend failed";
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(hold_options(peer, 3s));
  const auto& hold = check_cut(run.result, "close_frame", Condition::closed_by_peer, "closed_by_peer");
  REQUIRE(hold.peer_close);
  CHECK(hold.peer_close->code == 1011);
  const auto* finding = find_finding(run.result, "closed_by_peer");
  REQUIRE(finding);
  CHECK(finding->stage == Stage::hold);
  CHECK_THAT(finding->summary, Catch::Contains("internal error"));
}

// ---- --hold with --hold-ping runs a silent hold beside the pinged one (probe/hold_companion): one
// invocation, the time of one hold, and the report states the largest keepalive interval that is
// safe. The side-by-side run is asserted by an overlap of the two holds, not by a wall-clock figure.

// The silent hold began while the main one ran: side by side, not one after the other.
void check_side_by_side(const TargetResult& result) {
  REQUIRE(result.observed.hold);
  REQUIRE(result.observed.hold->silent_run);
  const auto& main_hold = stage_of(result, Stage::hold);
  const auto& silent_start = result.observed.hold->silent_run->hold_start_offset;
  REQUIRE(silent_start);
  CHECK(*silent_start >= main_hold.start_offset);
  CHECK(*silent_start < main_hold.start_offset + main_hold.duration);
}

const Finding* hold_note(const std::vector<Finding>& notes) {
  for (const auto& note : notes)
    if (note.id == "keepalive_interval_safe") return &note;
  return nullptr;
}

TEST_CASE("keepalive: pings keep a 600 ms idle timeout at bay, the silent run is cut, the safe interval is stated",
          "[hold][keepalive]") {
  WsScriptPeer peer(cutting(CutBy::fin, 600ms));
  const auto run = probe_and_diagnose(hold_options(peer, 2s, 200ms));
  INFO(describe(run.result));
  const auto& hold = check_survived(run.result);
  REQUIRE(hold.silent_run);
  const auto& silent = *hold.silent_run;
  CHECK_FALSE(silent.failed_before_hold);
  CHECK_FALSE(silent.survived);
  CHECK(silent.end == "fin");
  CHECK(silent.closed_by == "intermediary or server");
  CHECK_FALSE(silent.found_by_final_check);
  REQUIRE(silent.idle_before_cut);
  CHECK(*silent.idle_before_cut >= Micros(450'000));  // the peer's clock started a little before the hold
  CHECK(*silent.idle_before_cut < Micros(1'900'000));  // cut within the hold, well before its end
  check_side_by_side(run.result);
  // Two connections, one invocation; only the silent one was cut.
  CHECK(peer.stats().upgrades == 2);
  CHECK(peer.stats().idle_cuts == 1);

  REQUIRE(hold.largest_safe_ping_interval);
  CHECK(*hold.largest_safe_ping_interval >= Micros(250'000));
  CHECK(*hold.largest_safe_ping_interval < Micros(600'000));
  CHECK(*hold.largest_safe_ping_interval < *silent.idle_before_cut);
  CHECK(*hold.largest_safe_ping_interval >= *hold.ping_interval);

  const auto notes = find_hold_notes(run.result);
  const auto* note = hold_note(notes);
  REQUIRE(note);
  CHECK(note->severity == Severity::info);
  CHECK(note->stage == Stage::hold);
  CHECK_THAT(note->summary, Catch::Contains("Keepalive pings every 200 ms kept the connection up"));
  CHECK_THAT(note->summary, Catch::Contains("the silent connection alongside was cut after"));
  CHECK_THAT(note->summary, Catch::Contains("is safe"));
}

TEST_CASE("keepalive: when the silent run survives too, any interval up to --hold is safe", "[hold][keepalive]") {
  WsScriptPeer peer(WsScript{});
  const auto run = probe_and_diagnose(hold_options(peer, 1s, 300ms));
  const auto& hold = check_survived(run.result);
  REQUIRE(hold.silent_run);
  CHECK(hold.silent_run->survived);
  CHECK(hold.silent_run->held >= Micros(1'000'000));
  check_side_by_side(run.result);
  CHECK(hold.largest_safe_ping_interval == hold.requested);
  const auto notes = find_hold_notes(run.result);
  const auto* note = hold_note(notes);
  REQUIRE(note);
  CHECK_THAT(note->summary, Catch::Contains("Both connections stayed up"));
  // The companion ran the close stage too: both connections were closed by wsprobe.
  CHECK(peer.wait_for([](const test::WsPeerStats& s) { return s.closes_received == 2; }, 2s));
}

TEST_CASE("keepalive: without --hold-ping no companion runs", "[hold][keepalive]") {
  WsScriptPeer peer(WsScript{});
  auto options = hold_options(peer, 500ms, 100ms);
  options.hold_ping.reset();
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.hold);
  CHECK_FALSE(run.result.observed.hold->silent_run);
  CHECK_FALSE(run.result.observed.hold->largest_safe_ping_interval);
  CHECK(peer.stats().upgrades == 1);
}

TEST_CASE("hold: the hold's time does not count toward --timeout", "[hold]") {
  WsScriptPeer peer(WsScript{});
  auto options = hold_options(peer, 1500ms);
  options.budgets.total = 1000ms;  // shorter than the hold alone
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(stage_of(run.result, Stage::hold).status == StageStatus::ok);
  CHECK(stage_of(run.result, Stage::close).status == StageStatus::ok);
  CHECK(run.result.verdict.cause == "ok");
}

TEST_CASE("hold: without --hold the stage is skipped as not requested", "[hold]") {
  WsScriptPeer peer(WsScript{});
  auto options = hold_options(peer, 1s);
  options.hold.reset();
  const auto run = probe_and_diagnose(options);
  CHECK(stage_of(run.result, Stage::hold).status == StageStatus::skipped);
  CHECK(stage_of(run.result, Stage::hold).detail == "not requested");
  CHECK_FALSE(run.result.observed.hold);
}

}  // namespace
}  // namespace wsprobe

namespace wsprobe {
namespace {

TEST_CASE("hold: a watcher hears the hold's progress, elapsed growing, keepalives counted", "[hold][progress]") {
  WsScriptPeer peer(WsScript{});
  auto options = hold_options(peer, 1500ms, 400ms);
  std::vector<HoldProgress> heard;
  options.on_hold_progress = [&heard](const HoldProgress& progress) { heard.push_back(progress); };
  const auto run = test::probe_and_diagnose(options);
  INFO(test::describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  // Once a second from the start, and at each of the 3 keepalives: at least 4 reports, in order.
  REQUIRE(heard.size() >= 4);
  for (std::size_t i = 1; i < heard.size(); ++i) {
    CHECK(heard[i].elapsed >= heard[i - 1].elapsed);
    CHECK(heard[i].pings_sent >= heard[i - 1].pings_sent);
  }
  CHECK(heard.front().total == Micros(1'500'000));
  CHECK(heard.back().pings_sent == run.result.observed.hold->pings_sent);
  CHECK(hold_progress_text({Micros(12'400'000), Micros(90'000'000), 3}) == "hold 12s / 90s, 3 keepalives");
  CHECK(hold_progress_text({Micros(0), Micros(90'000'000), 0}) == "hold 0s / 90s");
}

}  // namespace
}  // namespace wsprobe

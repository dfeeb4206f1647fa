// Writes have the stage's deadline (WsChannel::set_write_deadline): a server that stops reading
// stalls a write of the echo stage or of the size sweep only for the echo budget, never for the
// hold's time (which --hold adds to the channel's hard deadline) nor the probe's whole --timeout.
// The peer stops reading at the first frame above 1 MiB, with a small receive window, so a write
// of 8 MiB cannot finish. Durations are asserted against the configured ones with wide margins.
#include <catch2/catch.hpp>

#include "support/probe_helpers.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::probe_and_diagnose;
using test::stage_of;
using test::WsScript;
using test::WsScriptPeer;

constexpr std::size_t kStallAbove = 1 << 20;
constexpr std::size_t kStalledSize = 8 << 20;
constexpr auto kEchoBudget = 1000ms;
constexpr auto kHold = 30s;
constexpr auto kTotal = 20s;

WsScript stalling() {
  WsScript script;
  script.stop_reading_above = kStallAbove;
  return script;
}

ProbeOptions stall_options(const WsScriptPeer& peer) {
  auto options = test::probe_options("ws://127.0.0.1:" + std::to_string(peer.port()) + "/", kEchoBudget);
  options.budgets.total = kTotal;
  options.count = 1;
  return options;
}

Micros micros(std::chrono::milliseconds d) { return std::chrono::duration_cast<Micros>(d); }

void check_stalled_echo(const TargetResult& result, const WsScriptPeer& peer) {
  const auto& echo = stage_of(result, Stage::echo);
  CHECK(echo.status == StageStatus::failed);
  CHECK(echo.condition == Condition::timeout);
  CHECK_THAT(echo.detail, Catch::Contains("the server stopped reading"));
  // Over when the echo budget ran out: far below --timeout, and below the hold's time.
  CHECK(echo.duration < micros(kTotal) / 4);
  CHECK(peer.stats().stopped_reading == 1);
  REQUIRE(result.observed.connection_end);
  CHECK(result.observed.connection_end->stage == Stage::echo);
  CHECK(result.observed.connection_end->by == "unknown");
  CHECK(result.observed.connection_end->how == "timeout");
}

TEST_CASE("write deadline: a message write the server never takes ends with the echo budget, not the hold's time",
          "[write_deadline][hold]") {
  WsScriptPeer peer(stalling());
  auto options = stall_options(peer);
  options.message_size = kStalledSize;
  options.hold = kHold;
  const auto run = probe_and_diagnose(options, 60s);
  INFO(describe(run.result));
  check_stalled_echo(run.result, peer);
  CHECK(stage_of(run.result, Stage::hold).status == StageStatus::skipped);
  CHECK(run.elapsed < kHold / 2);
  const auto* finding = test::find_finding(run.result, run.result.verdict.cause);
  REQUIRE(finding);
  CHECK_THAT(finding->summary, Catch::Contains("stopped reading"));
}

TEST_CASE("write deadline: a size of the sweep the server never takes fails that size within the echo budget",
          "[write_deadline][sizes]") {
  WsScriptPeer peer(stalling());
  auto options = stall_options(peer);
  options.sweep_sizes = {1024, kStalledSize};
  const auto run = probe_and_diagnose(options, 60s);
  INFO(describe(run.result));
  check_stalled_echo(run.result, peer);
  REQUIRE(run.result.observed.echo);
  const auto& sweep = run.result.observed.echo->size_sweep;
  REQUIRE(sweep.size() == 2);
  CHECK(sweep[0].outcome == "echoed");
  CHECK(sweep[1].outcome == "timeout");
  CHECK(run.result.observed.echo->largest_echoed_bytes == 1024u);
  CHECK(run.elapsed < kTotal / 2);
}

}  // namespace
}  // namespace wsprobe

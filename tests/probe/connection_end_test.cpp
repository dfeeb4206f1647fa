// Close attribution end to end (issue 5): every run records once how its WebSocket connection
// ended (Observations::connection_end), whichever stage saw it, and the finding that blames the
// end carries the same attribution in its evidence.
#include <catch2/catch.hpp>

#include "support/finding_checks.hpp"
#include "support/probe_helpers.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::find_finding;
using test::mentions;
using test::probe_and_diagnose;
using test::stage_of;
using test::WsScript;
using test::WsScriptPeer;

ProbeOptions peer_options(const WsScriptPeer& peer) { return test::probe_options(test::ws_url(peer.port()), 1500ms); }

// The run's connection end, checked for the stage that saw it, who ended it and how.
const ConnectionEnd& check_end(const TargetResult& result, Stage stage, const std::string& by, const std::string& how) {
  REQUIRE(result.observed.connection_end);
  const auto& end = *result.observed.connection_end;
  CHECK(end.stage == stage);
  CHECK(end.by == by);
  CHECK(end.how == how);
  return end;
}

TEST_CASE("connection end: a clean run is closed by wsprobe with 1000, handshake completed", "[connection_end]") {
  WsScriptPeer peer(WsScript{});
  const auto run = probe_and_diagnose(peer_options(peer));
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  const auto& end = check_end(run.result, Stage::close, "client", "close_frame");
  REQUIRE(end.close_frame);
  CHECK(end.close_frame->code == 1000);
  CHECK(end.handshake_completed);
  // It ended after the echo stage began, during the close stage.
  CHECK(end.at >= stage_of(run.result, Stage::close).start_offset);
}

TEST_CASE("connection end: a close frame 1011 during echo is the server's, answered, and the finding says so",
          "[connection_end]") {
  WsScript script;
  script.close_on_first_message = std::make_pair(std::uint16_t{1011}, std::string("backend failed"));
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(peer_options(peer));
  INFO(describe(run.result));
  CHECK(stage_of(run.result, Stage::echo).condition == Condition::closed_by_peer);
  CHECK(run.result.verdict.cause == "closed_by_peer");
  const auto& end = check_end(run.result, Stage::echo, "server", "close_frame");
  REQUIRE(end.close_frame);
  CHECK(end.close_frame->code == 1011);
  CHECK(end.close_frame->reason == "backend failed");
  // wsprobe answered the close frame (RFC 6455 §5.5.1) and the peer read the answer.
  CHECK(end.handshake_completed);
  CHECK(peer.wait_for([](const test::WsPeerStats& s) { return s.closes_received == 1; }, 2s));
  const auto client_close = peer.stats().client_close;
  REQUIRE(client_close);
  CHECK(client_close->code == 1011);
  const auto* finding = find_finding(run.result, "closed_by_peer");
  REQUIRE(finding);
  CHECK(mentions(*finding, "closed by the server with close frame 1011 (internal error: the server or a proxy "
                           "failed) 'backend failed'; close handshake completed"));
}

TEST_CASE("connection end: an RST during echo is the server's or an intermediary's, without a handshake",
          "[connection_end]") {
  WsScript script;
  script.reset_on_message = 1;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(peer_options(peer));
  INFO(describe(run.result));
  CHECK(stage_of(run.result, Stage::echo).condition == Condition::reset);
  const auto& end = check_end(run.result, Stage::echo, "intermediary or server", "reset");
  CHECK_FALSE(end.close_frame);
  CHECK_FALSE(end.handshake_completed);
  const auto* finding = find_finding(run.result, run.result.verdict.cause);
  REQUIRE(finding);
  CHECK(mentions(*finding, "reset by the intermediary or server (RST), no close frame"));
}

TEST_CASE("connection end: a server that never answers wsprobe's close leaves the handshake incomplete",
          "[connection_end]") {
  WsScript script;
  script.on_close = test::OnClientClose::silent;
  WsScriptPeer peer(script);
  auto options = peer_options(peer);
  options.budgets.close = 500ms;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "close_unclean");
  const auto& end = check_end(run.result, Stage::close, "client", "close_frame");
  CHECK_FALSE(end.handshake_completed);
  const auto* finding = find_finding(run.result, "close_unclean");
  REQUIRE(finding);
  CHECK(mentions(*finding, "closed by wsprobe with close frame 1000 (normal"));
  CHECK(mentions(*finding, "the server never answered it"));
}

TEST_CASE("connection end: a cut during the hold is recorded once, as the hold says it", "[connection_end][hold]") {
  WsScript script;
  script.idle_cut = test::IdleCut{};
  script.idle_cut->after = 300ms;
  script.idle_cut->how = test::CutBy::close_frame;
  WsScriptPeer peer(script);
  auto options = peer_options(peer);
  options.hold = 3s;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.hold);
  const auto& end = check_end(run.result, Stage::hold, "server", "close_frame");
  CHECK(end.by == run.result.observed.hold->closed_by);
  REQUIRE(end.close_frame);
  CHECK(end.close_frame->code == 1001);
  CHECK(end.handshake_completed);
  const auto* finding = find_finding(run.result, "idle_timeout");
  REQUIRE(finding);
  CHECK(mentions(*finding, "closed by the server with close frame 1001 (going away"));
}

}  // namespace
}  // namespace wsprobe

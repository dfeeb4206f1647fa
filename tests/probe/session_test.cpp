// The echo and close stages end to end against a scripted WebSocket server (WsScriptPeer): a
// correct 101, then one misbehaviour per test. Each asserts the stage statuses, the echo/close
// observations and the verdict's status, stage and cause id (causes.md).
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/finding_checks.hpp"
#include "support/probe_helpers.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::check_verdict;
using test::describe;
using test::find_finding;
using test::kBudgetCeiling;
using test::kBudgetSlack;
using test::mentions;
using test::OnClientClose;
using test::probe_and_diagnose;
using test::server_frame;
using test::stage_of;
using test::WsPeerStats;
using test::WsScript;
using test::WsScriptPeer;

// Every stage's budget in these tests.
constexpr auto kSessionStageBudget = 1500ms;

// ws://127.0.0.1:PORT/chat through parse_target, every stage budget 1.5 s, count 3.
ProbeOptions session_options(std::uint16_t port) {
  return test::probe_options(test::ws_url(port, "/chat"), kSessionStageBudget);
}

void check_statuses(const TargetResult& result, StageStatus echo, StageStatus close) {
  CHECK(stage_of(result, Stage::upgrade).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::echo).status == echo);
  CHECK(stage_of(result, Stage::close).status == close);
}

std::size_t pongs(const EchoObservation& echo) {
  return static_cast<std::size_t>(std::count_if(echo.ping_rtts.begin(), echo.ping_rtts.end(),
                                                [](const auto& rtt) { return rtt.has_value(); }));
}

Micros budget_micros() { return std::chrono::duration_cast<Micros>(kSessionStageBudget - kBudgetSlack); }

// The upgrade really was a good 101 from the peer.
void check_good_upgrade(const TargetResult& result) {
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->status_code == 101);
  CHECK(result.observed.upgrade->accept == result.observed.upgrade->expected_accept);
  CHECK(result.observed.upgrade->violations.empty());
}

// ---------------------------------------------------------------------------------------------
// A well-behaved script: the baseline the misbehaviours below depart from.

TEST_CASE("a scripted server that pongs, echoes and closes properly passes", "[session]") {
  WsScriptPeer peer(WsScript{});
  const auto options = session_options(peer.port());
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  check_good_upgrade(result);
  check_statuses(result, StageStatus::ok, StageStatus::ok);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  REQUIRE(result.observed.echo);
  CHECK(pongs(*result.observed.echo) == 3);
  REQUIRE(result.observed.echo->messages.size() == 3);
  for (const auto& m : result.observed.echo->messages) CHECK(m.outcome == EchoMessage::Outcome::echoed);
  CHECK(result.observed.echo->unsolicited_messages == 0);
  REQUIRE(result.observed.close);
  REQUIRE(result.observed.close->peer_close);
  CHECK(result.observed.close->peer_close->code == 1000);
  CHECK(result.observed.close->tcp_end == Condition::none);
  CHECK(result.observed.close->tcp_closed_cleanly);

  REQUIRE(peer.wait_for([](const WsPeerStats& s) { return s.closes_received == 1; }, 2s));
  const auto stats = peer.stats();
  CHECK(stats.pings_received == 3);
  CHECK(stats.messages_received == 3);
  REQUIRE(stats.client_close);
  CHECK(stats.client_close->code == 1000);
  CHECK_FALSE(stats.decode_error);
}

// ---------------------------------------------------------------------------------------------
// Echo stage failures

TEST_CASE("a server that never pongs fails at echo: ping_unanswered", "[session]") {
  WsScript script;
  script.answer_pings = false;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_good_upgrade(result);
  check_statuses(result, StageStatus::failed, StageStatus::skipped);
  CHECK(stage_of(result, Stage::echo).condition == Condition::ping_unanswered);
  check_verdict(result, VerdictStatus::fail, Stage::echo, "ping_unanswered");
  REQUIRE(result.observed.echo);
  REQUIRE(result.observed.echo->ping_rtts.size() == 1);
  CHECK_FALSE(result.observed.echo->ping_rtts[0]);
  CHECK(result.observed.echo->messages.empty());  // no message is sent after an unanswered ping
  CHECK_FALSE(result.observed.echo->peer_close);
  // It waited for the pong for the whole echo budget, and not much longer.
  CHECK(stage_of(result, Stage::echo).duration >= budget_micros());
  CHECK(run.elapsed < kBudgetCeiling);
  const auto* finding = find_finding(result, "ping_unanswered");
  REQUIRE(finding);
  CHECK(mentions(*finding, "0 of 1 pings answered"));
  CHECK(peer.stats().pings_received >= 1);
}

TEST_CASE("a server that echoes altered bytes fails at echo: echo_mismatch", "[session]") {
  WsScript script;
  script.corrupt_echoes = true;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::failed, StageStatus::skipped);
  CHECK(stage_of(result, Stage::echo).condition == Condition::message_mismatch);
  check_verdict(result, VerdictStatus::fail, Stage::echo, "echo_mismatch");
  REQUIRE(result.observed.echo);
  CHECK(pongs(*result.observed.echo) == 3);
  REQUIRE(result.observed.echo->messages.size() == 1);
  CHECK(result.observed.echo->messages[0].outcome == EchoMessage::Outcome::mismatch);
  CHECK(result.observed.echo->messages[0].rtt);
  CHECK(result.observed.echo->unsolicited_messages == 0);
  CHECK(run.elapsed < kBudgetCeiling);
}

TEST_CASE("a server that closes 1011 on the first message fails at echo: closed_by_peer", "[session]") {
  WsScript script;
  script.close_on_first_message = std::pair<std::uint16_t, std::string>{1011, "internal error"};
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::failed, StageStatus::skipped);
  CHECK(stage_of(result, Stage::echo).condition == Condition::closed_by_peer);
  check_verdict(result, VerdictStatus::fail, Stage::echo, "closed_by_peer");
  REQUIRE(result.observed.echo);
  CHECK(pongs(*result.observed.echo) == 3);
  REQUIRE(result.observed.echo->messages.size() == 1);
  CHECK(result.observed.echo->messages[0].outcome == EchoMessage::Outcome::no_reply);
  REQUIRE(result.observed.echo->peer_close);
  CHECK(result.observed.echo->peer_close->code == 1011);
  CHECK(result.observed.echo->peer_close->reason == "internal error");
  const auto* finding = find_finding(result, "closed_by_peer");
  REQUIRE(finding);
  CHECK(mentions(*finding, "1011"));
  CHECK(mentions(*finding, "internal error"));
  CHECK(run.elapsed < kBudgetCeiling);
}

TEST_CASE("a server that closes 1009 above a size fails at echo: message_too_large", "[session]") {
  WsScript script;
  script.close_1009_above = 1000;
  WsScriptPeer peer(script);
  auto options = session_options(peer.port());
  options.message_size = 2000;  // --size above the server's limit
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::failed, StageStatus::skipped);
  check_verdict(result, VerdictStatus::fail, Stage::echo, "message_too_large");
  REQUIRE(result.observed.echo);
  REQUIRE(result.observed.echo->messages.size() == 1);
  CHECK(result.observed.echo->messages[0].size_bytes == 2000);
  CHECK(result.observed.echo->messages[0].outcome == EchoMessage::Outcome::no_reply);
  REQUIRE(result.observed.echo->peer_close);
  CHECK(result.observed.echo->peer_close->code == 1009);
  CHECK(result.observed.echo->peer_close->reason == "message too big");
  const auto* finding = find_finding(result, "message_too_large");
  REQUIRE(finding);
  CHECK(mentions(*finding, "1009"));
  CHECK(run.elapsed < kBudgetCeiling);
}

TEST_CASE("the same server passes with messages under its limit", "[session]") {
  WsScript script;
  script.close_1009_above = 1000;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));  // 32-byte messages
  INFO(describe(run.result));
  check_verdict(run.result, VerdictStatus::pass, std::nullopt, "ok");
}

TEST_CASE("a server frame that breaks RFC 6455 fails at echo: ws_protocol_violation", "[session]") {
  struct Case {
    const char* name;
    std::string frame;
    const char* detail;  // a piece of the decoder's words
  };
  const std::vector<Case> cases{
      {"a masked frame", server_frame(Opcode::text, "hello", true, 0, true), "masked"},
      {"RSV1 without an extension", server_frame(Opcode::text, "hello", true, 0x40), "reserved bits"},
      {"a 200-byte ping", server_frame(Opcode::ping, std::string(200, 'p')), "125 bytes"},
      {"a fragmented ping", server_frame(Opcode::ping, "p", false), "control frame is fragmented"},
      {"reserved opcode 3", std::string("\x83\x00", 2), "reserved opcode 3"},
      {"a text message that is not UTF-8", server_frame(Opcode::text, "caf\xc3"), "not valid UTF-8 at byte 3"},
      {"a close code that may not be sent", server_frame(Opcode::close, encode_close_payload(1005, "")), "code 1005"},
      {"an unassigned close code", server_frame(Opcode::close, encode_close_payload(2999, "")), "code 2999"},
      {"a 1-byte close payload", server_frame(Opcode::close, std::string(1, '\x03')), "1-byte payload"},
      {"a close reason that is not UTF-8", server_frame(Opcode::close, encode_close_payload(1000, "\xff")),
       "reason that is not valid UTF-8"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    WsScript script;
    script.after_101 = c.frame;  // in the same write as the 101: reaches the channel as pending bytes
    WsScriptPeer peer(script);
    const auto run = probe_and_diagnose(session_options(peer.port()));
    const auto& result = run.result;
    INFO(describe(result));

    check_good_upgrade(result);
    check_statuses(result, StageStatus::failed, StageStatus::skipped);
    CHECK(stage_of(result, Stage::echo).condition == Condition::protocol_violation);
    CHECK(stage_of(result, Stage::echo).detail.find(c.detail) != std::string::npos);
    check_verdict(result, VerdictStatus::fail, Stage::echo, "ws_protocol_violation");
    REQUIRE(result.observed.echo);
    REQUIRE(result.observed.echo->ping_rtts.size() == 1);
    CHECK_FALSE(result.observed.echo->ping_rtts[0]);
    // Decided on the bytes, not at the budget.
    CHECK(stage_of(result, Stage::echo).duration < std::chrono::duration_cast<Micros>(kSessionStageBudget));
  }
}

TEST_CASE("a reset in the middle of the echo stage fails at echo: closed_by_peer, reset in evidence",
          "[session]") {
  WsScript script;
  script.reset_on_message = 2;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::failed, StageStatus::skipped);
  CHECK(stage_of(result, Stage::echo).condition == Condition::reset);
  check_verdict(result, VerdictStatus::fail, Stage::echo, "closed_by_peer");
  REQUIRE(result.observed.echo);
  CHECK(pongs(*result.observed.echo) == 3);
  REQUIRE(result.observed.echo->messages.size() == 2);
  CHECK(result.observed.echo->messages[0].outcome == EchoMessage::Outcome::echoed);
  CHECK(result.observed.echo->messages[1].outcome == EchoMessage::Outcome::no_reply);
  CHECK(result.observed.echo->connection_end == Condition::reset);
  CHECK_FALSE(result.observed.echo->peer_close);  // no close frame: the server did not close, it reset
  const auto* finding = find_finding(result, "closed_by_peer");
  REQUIRE(finding);
  CHECK(mentions(*finding, "connection ended: reset"));
  CHECK(stage_of(result, Stage::echo).duration < std::chrono::duration_cast<Micros>(kSessionStageBudget));
}

// ---------------------------------------------------------------------------------------------
// Close stage

TEST_CASE("a server that never answers the close frame fails at close: close_unclean", "[session]") {
  WsScript script;
  script.on_close = OnClientClose::silent;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::ok, StageStatus::failed);
  CHECK(stage_of(result, Stage::close).condition == Condition::close_unclean);
  check_verdict(result, VerdictStatus::fail, Stage::close, "close_unclean");
  REQUIRE(result.observed.close);
  CHECK(result.observed.close->code_sent == 1000);
  CHECK_FALSE(result.observed.close->peer_close);
  CHECK_FALSE(result.observed.close->close_rtt);
  CHECK(result.observed.close->tcp_end == Condition::timeout);
  CHECK_FALSE(result.observed.close->tcp_closed_cleanly);
  CHECK(stage_of(result, Stage::close).duration >= budget_micros());
  CHECK(run.elapsed < kBudgetCeiling);
  const auto* finding = find_finding(result, "close_unclean");
  REQUIRE(finding);
  CHECK(mentions(*finding, "TCP end: timeout"));
  CHECK(peer.wait_for([](const WsPeerStats& s) { return s.closes_received == 1; }, 2s));
}

TEST_CASE("a server that answers close and keeps TCP open passes: the client closes", "[session]") {
  WsScript script;
  script.on_close = OnClientClose::answer_then_hold;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  // RFC 6455 §7.1.1: the server should close TCP first, but a client that waits and then closes
  // itself has done its part.
  check_statuses(result, StageStatus::ok, StageStatus::ok);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  REQUIRE(result.observed.close);
  REQUIRE(result.observed.close->peer_close);
  CHECK(result.observed.close->peer_close->code == 1000);
  CHECK(result.observed.close->close_rtt);
  CHECK(result.observed.close->tcp_end == Condition::timeout);
  CHECK_FALSE(result.observed.close->tcp_closed_cleanly);
  CHECK(stage_of(result, Stage::close).duration >= budget_micros());
  CHECK(stage_of(result, Stage::close).detail.find("kept TCP open") != std::string::npos);
  CHECK(run.elapsed < kBudgetCeiling);
  // wsprobe then closed its side: the peer sees the end of the connection.
  CHECK(peer.wait_for([](const WsPeerStats& s) { return s.connections_ended == 1; }, 3s));
}

TEST_CASE("a server that answers close then resets: close warns, verdict passes", "[session]") {
  WsScript script;
  script.on_close = OnClientClose::answer_then_reset;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::ok, StageStatus::warn);
  CHECK(stage_of(result, Stage::close).condition == Condition::reset);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  REQUIRE(result.observed.close);
  REQUIRE(result.observed.close->peer_close);
  CHECK(result.observed.close->peer_close->code == 1000);
  CHECK(result.observed.close->tcp_end == Condition::reset);
  CHECK_FALSE(result.observed.close->tcp_closed_cleanly);
  CHECK(stage_of(result, Stage::close).duration < std::chrono::duration_cast<Micros>(kSessionStageBudget));
}

// ---------------------------------------------------------------------------------------------
// Things that look odd but are fine

TEST_CASE("unsolicited text messages around correct echoes pass and are counted", "[session]") {
  WsScript script;
  script.after_101 = server_frame(Opcode::text, "welcome");
  script.before_each_echo = server_frame(Opcode::text, "welcome");
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::ok, StageStatus::ok);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  CHECK(result.findings.empty());
  REQUIRE(result.observed.echo);
  CHECK(pongs(*result.observed.echo) == 3);
  REQUIRE(result.observed.echo->messages.size() == 3);
  for (const auto& m : result.observed.echo->messages) CHECK(m.outcome == EchoMessage::Outcome::echoed);
  CHECK(result.observed.echo->echo_endpoint == true);
  // One greeting after the 101, one before each of the three echoes.
  CHECK(result.observed.echo->unsolicited_messages == 4);
}

TEST_CASE("echoes fragmented in three frames with a ping between them pass", "[session]") {
  WsScript script;
  script.echo_fragments = 3;
  WsScriptPeer peer(script);
  const auto run = probe_and_diagnose(session_options(peer.port()));
  const auto& result = run.result;
  INFO(describe(result));

  check_statuses(result, StageStatus::ok, StageStatus::ok);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  REQUIRE(result.observed.echo);
  REQUIRE(result.observed.echo->messages.size() == 3);
  for (const auto& m : result.observed.echo->messages) CHECK(m.outcome == EchoMessage::Outcome::echoed);
  CHECK(result.observed.echo->unsolicited_messages == 0);
  // wsprobe answered the ping interleaved in each fragmented echo (RFC 6455 §5.4, §5.5.2).
  CHECK(peer.wait_for([](const WsPeerStats& s) { return s.pongs_received == 3; }, 2s));
}

TEST_CASE("wss:// to the scripted server: subprotocol echoed, fragmented echoes pass", "[session]") {
  test::TestPki pki;
  WsScript script;
  script.subprotocol = "chat";
  script.echo_fragments = 3;
  WsScriptPeer peer(script, pki.leaf());
  auto options = test::probe_options("wss://localhost:" + std::to_string(peer.port()) + "/chat", kSessionStageBudget);
  test::pin_to_loopback(options);
  options.cacert_file = pki.ca_file();
  options.subprotocols = {"chat"};
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  CHECK(stage_of(result, Stage::tls).status == StageStatus::ok);
  check_good_upgrade(result);
  CHECK(result.observed.upgrade->subprotocol == "chat");
  check_statuses(result, StageStatus::ok, StageStatus::ok);
  check_verdict(result, VerdictStatus::pass, std::nullopt, "ok");
  REQUIRE(result.observed.echo);
  REQUIRE(result.observed.echo->messages.size() == 3);
  for (const auto& m : result.observed.echo->messages) CHECK(m.outcome == EchoMessage::Outcome::echoed);
  REQUIRE(result.observed.close);
  REQUIRE(result.observed.close->peer_close);
  CHECK(result.observed.close->peer_close->code == 1000);
  CHECK(peer.stats().last_request.find("Sec-WebSocket-Protocol: chat") != std::string::npos);
}

}  // namespace
}  // namespace wsprobe

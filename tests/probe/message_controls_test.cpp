// The request and message controls end to end: --compress against a real Beast server with
// permessage-deflate, --message / --binary echoed, --expect matched and not matched, --host and
// -A as the server receives them. Each asserts the observations a report shows and the verdict.
#include <catch2/catch.hpp>

#include <algorithm>

#include "checks/rules.hpp"
#include "probe/lab/echo_server.hpp"
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

constexpr auto kControlsStageBudget = 2s;

ProbeOptions controls_options(std::uint16_t port) {
  return test::probe_options(test::ws_url(port), kControlsStageBudget);
}

std::size_t echoed(const EchoObservation& echo) {
  return static_cast<std::size_t>(std::count_if(echo.messages.begin(), echo.messages.end(), [](const EchoMessage& m) {
    return m.outcome == EchoMessage::Outcome::echoed;
  }));
}

// ---------------------------------------------------------------------------------------------
// --compress

TEST_CASE("request controls: --compress against a permessage-deflate server: negotiated - compressed echoes inflated and matched",
          "[probe][request]") {
  lab::EchoServerOptions server_options;
  server_options.deflate = true;
  lab::EchoServer server(server_options);
  auto options = controls_options(server.port());
  options.compress = true;
  options.message_size = 2000;  // worth compressing
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  REQUIRE(result.observed.upgrade);
  const auto& upgrade = *result.observed.upgrade;
  CHECK(upgrade.offered_extensions == std::vector<std::string>{"permessage-deflate; client_max_window_bits"});
  CHECK(upgrade.request.find("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n") !=
        std::string::npos);
  REQUIRE(upgrade.compression);
  CHECK(upgrade.compression->starts_with("permessage-deflate"));
  CHECK(upgrade.violations.empty());

  CHECK(stage_of(result, Stage::echo).status == StageStatus::ok);
  REQUIRE(result.observed.echo);
  const auto& echo = *result.observed.echo;
  CHECK(echo.messages.size() == 3);
  CHECK(echoed(echo) == 3);
  CHECK(echo.compressed_messages_received == 3);
  CHECK(echo.echo_endpoint == true);
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(find_request_notes(result).empty());
}

TEST_CASE("request controls: --compress against a server without it: not negotiated - an info note - echoes still fine",
          "[probe][request]") {
  lab::EchoServer server;
  auto options = controls_options(server.port());
  options.compress = true;
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));

  REQUIRE(result.observed.upgrade);
  CHECK_FALSE(result.observed.upgrade->compression);
  REQUIRE(result.observed.echo);
  CHECK(result.observed.echo->compressed_messages_received == 0);
  CHECK(echoed(*result.observed.echo) == 3);
  CHECK(result.verdict.status == VerdictStatus::pass);
  const auto notes = find_request_notes(result);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].id == "compression_not_negotiated");
  CHECK(notes[0].severity == Severity::info);
  CHECK(mentions(notes[0], "offered Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
  CHECK(mentions(notes[0], "101 Sec-WebSocket-Extensions: (none)"));
  // diagnose() reports it among the findings.
  CHECK(find_finding(result, "compression_not_negotiated") != nullptr);
}

// ---------------------------------------------------------------------------------------------
// --message, --binary

TEST_CASE("request controls: --message is what is sent and echoed - --binary sends it in binary frames", "[probe][request]") {
  lab::EchoServer server;
  auto options = controls_options(server.port());
  options.message = R"({"op":"subscribe","channel":"ticker"})";
  SECTION("text") {}
  SECTION("binary") { options.binary = true; }
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  REQUIRE(result.observed.echo);
  const auto& echo = *result.observed.echo;
  CHECK(echo.custom_message);
  CHECK(echo.payload_kind == (options.binary ? "binary" : "text"));
  REQUIRE(echo.messages.size() == 3);
  for (const auto& m : echo.messages) CHECK(m.size_bytes == options.message->size());
  CHECK(echoed(echo) == 3);
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(server.messages_received() >= 3);
}

TEST_CASE("a --message that is not UTF-8 goes in binary frames and is echoed byte for byte", "[probe][request]") {
  lab::EchoServer server;
  auto options = controls_options(server.port());
  options.message = std::string("\x00\xff\xfe binary\x80", 11);
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  REQUIRE(result.observed.echo);
  CHECK(result.observed.echo->payload_kind == "binary");
  CHECK(echoed(*result.observed.echo) == 3);
  CHECK(result.verdict.status == VerdictStatus::pass);
}

TEST_CASE("random --binary payloads are echoed", "[probe][request]") {
  lab::EchoServer server;
  auto options = controls_options(server.port());
  options.binary = true;
  options.message_size = 300;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.echo);
  CHECK(run.result.observed.echo->payload_kind == "binary");
  CHECK_FALSE(run.result.observed.echo->custom_message);
  CHECK(echoed(*run.result.observed.echo) == 3);
}

// ---------------------------------------------------------------------------------------------
// --expect

TEST_CASE("request controls: --expect matched by the echo of --message passes", "[probe][request]") {
  lab::EchoServer server;
  auto options = controls_options(server.port());
  options.message = "hello world";
  options.expect = "wor.d$";
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  REQUIRE(result.observed.echo);
  REQUIRE(result.observed.echo->expect);
  const auto& expect = *result.observed.echo->expect;
  CHECK(expect.pattern == "wor.d$");
  CHECK(expect.matched);
  CHECK(expect.replies_checked == 1);
  CHECK(expect.matching_reply == "hello world");
  CHECK(stage_of(result, Stage::echo).status == StageStatus::ok);
  CHECK(result.verdict.status == VerdictStatus::pass);
}

TEST_CASE("request controls: --expect that no reply matches fails the echo stage with echo_expect_failed", "[probe][request]") {
  lab::EchoServer server;
  auto options = controls_options(server.port());
  options.message = "hello world";
  options.expect = "\"status\":\\s*\"ok\"";
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  const auto& echo_stage = stage_of(result, Stage::echo);
  CHECK(echo_stage.status == StageStatus::failed);
  CHECK(echo_stage.condition == Condition::message_mismatch);
  CHECK(echo_stage.detail == "no reply matched --expect '\"status\":\\s*\"ok\"' (3 replies; last: 'hello world')");
  // It waited for a late matching reply until the echo budget ran out, no longer.
  CHECK(echo_stage.duration >= std::chrono::duration_cast<Micros>(kControlsStageBudget - 100ms));
  CHECK(echo_stage.duration < std::chrono::duration_cast<Micros>(kControlsStageBudget + 1s));
  REQUIRE(result.observed.echo);
  REQUIRE(result.observed.echo->expect);
  CHECK_FALSE(result.observed.echo->expect->matched);
  CHECK(result.observed.echo->expect->last_reply == "hello world");
  CHECK(result.observed.echo->echo_endpoint == true);  // it did echo; the application check failed
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == Stage::echo);
  CHECK(result.verdict.cause == "echo_expect_failed");
  const auto* finding = find_finding(result, "echo_expect_failed");
  REQUIRE(finding);
  CHECK(mentions(*finding, "--expect '\"status\":\\s*\"ok\"': 3 replies checked, none matched"));
  CHECK(mentions(*finding, "last reply: 'hello world'"));
  CHECK(stage_of(result, Stage::close).status == StageStatus::skipped);
}

TEST_CASE("request controls: --expect against a server that never answers fails with no replies", "[probe][request]") {
  lab::EchoServerOptions server_options;
  server_options.echo = false;
  lab::EchoServer server(server_options);
  auto options = controls_options(server.port());
  options.expect = "ok";
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  CHECK(stage_of(result, Stage::echo).condition == Condition::message_mismatch);
  CHECK(stage_of(result, Stage::echo).detail == "no reply matched --expect 'ok' (no replies)");
  CHECK(result.verdict.cause == "echo_expect_failed");
}

TEST_CASE("request controls: --expect matched by a reply that is not an echo: the stage passes - the endpoint does not echo",
          "[probe][request]") {
  // The server answers every message with a status object, and what follows is no echo either
  // (same length, other bytes): under --expect that is a reply, not a corrupted echo.
  test::WsScript script;
  script.before_each_echo = test::server_frame(Opcode::text, R"({"status": "ok", "seq": 1})");
  script.corrupt_echoes = true;
  test::WsScriptPeer peer(script);
  auto options = controls_options(peer.port());
  options.message = R"({"op":"status"})";
  options.expect = "\"status\":\\s*\"ok\"";
  const auto run = probe_and_diagnose(options);
  const auto& result = run.result;
  INFO(describe(result));
  CHECK(stage_of(result, Stage::echo).status == StageStatus::ok);
  REQUIRE(result.observed.echo);
  const auto& echo = *result.observed.echo;
  REQUIRE(echo.expect);
  CHECK(echo.expect->matched);
  CHECK(echo.expect->matching_reply == R"({"status": "ok", "seq": 1})");
  CHECK(echo.echo_endpoint == false);
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(find_finding(result, "echo_mismatch") == nullptr);
  CHECK(find_finding(result, "echo_not_echo_endpoint") != nullptr);
}

TEST_CASE("without --expect the same server is a corrupted echo (echo_mismatch)", "[probe][request]") {
  test::WsScript script;
  script.corrupt_echoes = true;
  test::WsScriptPeer peer(script);
  auto options = controls_options(peer.port());
  options.message = R"({"op":"status"})";
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "echo_mismatch");
  REQUIRE(run.result.observed.echo);
  CHECK_FALSE(run.result.observed.echo->expect);
}

// ---------------------------------------------------------------------------------------------
// --host, -A, headers as the server receives them

TEST_CASE("request controls: --host and -A and extra headers reach the server as given", "[probe][request]") {
  test::WsScriptPeer peer(test::WsScript{});
  auto options = controls_options(peer.port());
  options.host_header = "echo.internal.example";
  options.user_agent = "probe-ua/2";
  options.headers = {{"X-Tenant", "blue"}};
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.status == VerdictStatus::pass);
  const auto request = peer.stats().last_request;
  CHECK(request.find("\r\nHost: echo.internal.example\r\n") != std::string::npos);
  CHECK(request.find("\r\nUser-Agent: probe-ua/2\r\n") != std::string::npos);
  CHECK(request.find("\r\nX-Tenant: blue\r\n") != std::string::npos);
  CHECK(request.find("Sec-WebSocket-Extensions") == std::string::npos);
}

}  // namespace
}  // namespace wsprobe

// Hostile peers (issue 11): the real executable against a loopback server that misbehaves on
// purpose. Each run must end within its --timeout plus a small slack, in bounded memory, with a
// failing verdict that names what the peer did: never PASS, never a hang.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>
#include <string_view>

#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::OnClientClose;
using test::server_frame;
using test::WsScript;
using test::WsScriptPeer;

// The budgets every case runs with: the whole probe within 3 s, each stage within 2 s.
const std::vector<std::string> kHostileBudgets{"--timeout", "3s", "--upgrade-timeout", "2s", "--echo-timeout", "2s",
                                               "--close-timeout", "2s", "--count", "1", "--json"};
// Process start, report and exit on a busy machine; the point is "not 60 s", not a timing gate.
constexpr auto kProcessSlack = 7s;
constexpr long kMemoryBoundKiB = 32 * 1024;

struct Outcome {
  std::string stage;      // the verdict's failing stage
  std::string cause;      // its cause id
  std::string detail;     // that stage's detail
};

// Under AddressSanitizer (the sanitized suite sets WSPROBE_SANITIZED) every process carries ~200 MiB
// of shadow memory and quarantine whatever the peer sends: the memory bound is the Release suite's
// to check, the sanitized suite checks what that memory holds.
bool sanitized() {
  const char* flag = std::getenv("WSPROBE_SANITIZED");
  return flag && std::string_view(flag) == "1";
}

Outcome probe_hostile(const WsScript& script) {
  WsScriptPeer peer(script);
  auto args = kHostileBudgets;
  args.push_back("ws://127.0.0.1:" + std::to_string(peer.port()) + "/");
  test::BinaryOptions options;
  options.timeout = 40s;
  const auto run = test::run_wsprobe(args, options);
  INFO(run.describe());
  CHECK_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);
  CHECK(run.elapsed < std::chrono::duration_cast<std::chrono::milliseconds>(3s + kProcessSlack));
  CHECK(run.max_rss_kib > 0);
  if (!sanitized()) CHECK(run.max_rss_kib < kMemoryBoundKiB);
  const auto report = testing::parse_valid_report(run.out);
  REQUIRE(report["results"].size() == 1);
  const auto& result = report["results"][0];
  CHECK(result["verdict"]["status"] == "fail");
  Outcome outcome;
  outcome.cause = result["verdict"]["cause"].get<std::string>();
  if (result["verdict"]["stage"].is_string()) outcome.stage = result["verdict"]["stage"].get<std::string>();
  for (const auto& stage : result["stages"])
    if (stage["name"] == outcome.stage && stage["detail"].is_string()) outcome.detail = stage["detail"].get<std::string>();
  return outcome;
}

std::string random_bytes(std::size_t n) {
  std::mt19937 generator(6455);  // fixed: the same bytes every run
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(generator() & 0xFF);
  return out;
}

TEST_CASE("hostile peer: a ping flood is bounded and named, within the deadline", "[hostile][binary]") {
  WsScript script;
  script.flood_after_101 = server_frame(Opcode::ping, "flood");
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "echo");
  CHECK(outcome.cause == "ws_frame_flood");
  CHECK_THAT(outcome.detail, Catch::Contains("control-frame flood"));
}

TEST_CASE("hostile peer: endless continuation frames are bounded", "[hostile][binary]") {
  WsScript script;
  script.after_101 = server_frame(Opcode::text, "a", false);
  script.flood_after_101 = server_frame(Opcode::continuation, "b", false);
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "echo");
  CHECK(outcome.cause == "ws_frame_flood");
  CHECK_THAT(outcome.detail, Catch::Contains("fragments"));
}

TEST_CASE("hostile peer: a frame header announcing 2^62 bytes is refused at once", "[hostile][binary]") {
  WsScript script;
  script.after_101 = std::string("\x82\x7f\x40\x00\x00\x00\x00\x00\x00\x00", 10);
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "echo");
  CHECK(outcome.cause == "ws_protocol_violation");
  CHECK_THAT(outcome.detail, Catch::Contains("4611686018427387904 bytes"));
}

TEST_CASE("hostile peer: an echo that is not UTF-8 breaks RFC 6455 §8.1", "[hostile][binary]") {
  WsScript script;
  script.append_to_echoes = "\xff";
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "echo");
  CHECK(outcome.cause == "ws_protocol_violation");
  CHECK_THAT(outcome.detail, Catch::Contains("not valid UTF-8"));
  CHECK_THAT(outcome.detail, Catch::Contains("ff"));
}

TEST_CASE("hostile peer: 1 MiB of random bytes after the 101", "[hostile][binary]") {
  WsScript script;
  script.after_101 = random_bytes(1024 * 1024);
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "echo");
  CHECK(outcome.cause == "ws_protocol_violation");
}

TEST_CASE("hostile peer: a 101 whose header lines never end is a protocol violation", "[hostile][binary]") {
  WsScript script;
  script.endless_101_head = true;
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "upgrade");
  CHECK(outcome.cause == "upgrade_protocol_violation");
  CHECK_THAT(outcome.detail, Catch::Contains("does not end within 16 KiB"));
}

TEST_CASE("hostile peer: a 101 sent one byte at a time runs out the upgrade budget", "[hostile][binary]") {
  WsScript script;
  script.trickle_101 = 100ms;  // the 101 takes ~13 s
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "upgrade");
  CHECK(outcome.cause == "upgrade_timeout");
}

TEST_CASE("hostile peer: a server that ignores the close frame", "[hostile][binary]") {
  WsScript script;
  script.on_close = OnClientClose::silent;
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "close");
  CHECK(outcome.cause == "close_unclean");
}

TEST_CASE("hostile peer: a frame after the server's close frame", "[hostile][binary]") {
  WsScript script;
  script.on_close = OnClientClose::answer_then_data;
  const auto outcome = probe_hostile(script);
  CHECK(outcome.stage == "close");
  CHECK(outcome.cause == "ws_protocol_violation");
  CHECK_THAT(outcome.detail, Catch::Contains("after the server's close frame"));
}

}  // namespace
}  // namespace wsprobe

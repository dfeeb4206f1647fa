// --hold, --hold-ping and --hold-message: what the command line becomes, what it refuses (exit 2),
// and a hold through the real executable against a server that cuts idle connections.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "app/cli.hpp"
#include "support/parse_args.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;

// `args` followed by a URL (never probed: the tests stop at parsing).
CliParse parse_hold_args(std::vector<std::string> args) {
  args.push_back("ws://example.test/");
  return test::parse_args(std::move(args));
}

TEST_CASE("hold flags: --hold, --hold-ping and --hold-message become ProbeOptions", "[hold][cli]") {
  const auto silent = parse_hold_args({"--hold", "90s"});
  REQUIRE(silent.options);
  CHECK(silent.options->probe.hold == std::chrono::milliseconds(90000));
  CHECK_FALSE(silent.options->probe.hold_ping);
  CHECK_FALSE(silent.options->probe.hold_message);

  const auto pinged = parse_hold_args({"--hold", "2m", "--hold-ping", "20s", "--hold-message"});
  REQUIRE(pinged.options);
  CHECK(pinged.options->probe.hold == std::chrono::milliseconds(120000));
  CHECK(pinged.options->probe.hold_ping == std::chrono::milliseconds(20000));
  CHECK(pinged.options->probe.hold_message);

  const auto none = parse_hold_args({});
  REQUIRE(none.options);
  CHECK_FALSE(none.options->probe.hold);
}

TEST_CASE("hold flags: nonsense is a usage error naming the flag", "[hold][cli]") {
  struct Bad {
    std::vector<std::string> args;
    std::string_view says;
  };
  const Bad bad[] = {
      {{"--hold", "soon"}, "--hold: 'soon' is not a duration"},
      {{"--hold", "0s"}, "--hold: '0s' is not a duration"},
      {{"--hold", "25h"}, "from 1ms to 24h"},
      {{"--hold-ping", "20s"}, "--hold-ping needs --hold"},
      {{"--hold", "60s", "--hold-ping", "60s"}, "must be shorter than --hold 60s"},
      {{"--hold", "60s", "--hold-ping", "90s"}, "must be shorter than --hold"},
      {{"--hold", "60s", "--hold-ping", "10ms"}, "50ms or more"},
      {{"--hold", "60s", "--hold-message"}, "--hold-message needs --hold-ping"},
  };
  for (const auto& [args, says] : bad) {
    const auto result = parse_hold_args(args);
    INFO(result.message);
    CHECK_FALSE(result.options);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.message, Catch::Contains(std::string(says)));
  }
}

TEST_CASE("hold: the executable reports an idle cut by FIN, exit 1, and a surviving hold, exit 0", "[hold][cli]") {
  const std::vector<std::string> budgets{"--timeout", "10s", "--echo-timeout", "1s", "--count", "1", "--no-color"};
  SECTION("cut") {
    test::WsScript script;
    script.idle_cut = test::IdleCut{};
    script.idle_cut->after = 400ms;
    script.idle_cut->how = test::CutBy::fin;
    test::WsScriptPeer peer(script);
    auto args = budgets;
    for (const auto* arg : {"--hold", "3s"}) args.emplace_back(arg);
    args.push_back("ws://127.0.0.1:" + std::to_string(peer.port()) + "/");
    args.emplace_back("--json");
    const auto run = test::run_wsprobe(args);
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 1);
    const auto report = testing::parse_valid_report(run.out);
    const auto& result = report["results"][0];
    CHECK(result["verdict"]["cause"] == "idle_timeout");
    CHECK(result["verdict"]["stage"] == "hold");
    CHECK(run.elapsed < 3s);  // the stage ends at the cut, not at the end of the hold
  }
  SECTION("survives with keepalive pings") {
    test::WsScript script;
    script.idle_cut = test::IdleCut{};
    script.idle_cut->after = 800ms;
    test::WsScriptPeer peer(script);
    auto args = budgets;
    for (const auto* arg : {"--hold", "1500ms", "--hold-ping", "100ms"}) args.emplace_back(arg);
    args.push_back("ws://127.0.0.1:" + std::to_string(peer.port()) + "/");
    const auto run = test::run_wsprobe(args);
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 0);
    CHECK(peer.stats().idle_cuts == 1);  // the silent run alongside; the pinged connection stayed up
  }
}

}  // namespace
}  // namespace wsprobe

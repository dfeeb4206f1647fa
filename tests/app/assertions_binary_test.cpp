// Assertions through the real executable, as a CI job uses them: --expect-status for an endpoint
// that must refuse anonymous clients, --max-stage and --fail-on deciding the exit code.
#include <catch2/catch.hpp>

#include "probe/lab/echo_server.hpp"
#include "support/canned_peer.hpp"
#include "support/probe_helpers.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"

namespace wsprobe {
namespace {

const std::string kUnauthorized =
    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

bool has_finding(const nlohmann::json& result, const std::string& id) {
  for (const auto& finding : result["findings"])
    if (finding["id"] == id) return true;
  return false;
}

TEST_CASE("wsprobe --expect-status 401: a refusing endpoint passes, and fails any other expectation",
          "[assertions][binary]") {
  test::CannedPeer peer(test::CannedScript::answer_http(kUnauthorized));
  SECTION("expected: exit 0, the upgrade marked as expected, the refusal kept as a note") {
    const auto run =
        test::run_wsprobe({"--no-followup", "--no-color", "--expect-status", "401", test::ws_url(peer.port(), "/ws")});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("=> PASS") && Catch::Contains("upgrade exp"));
    CHECK_THAT(run.out, Catch::Contains("as --expect-status 401 expects"));
  }
  SECTION("not expected: exit 1 with status_unexpected beside the refusal's own cause") {
    const auto run =
        test::run_wsprobe({"--no-followup", "--json", "--expect-status", "101", test::ws_url(peer.port(), "/ws")});
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    const auto result = testing::parse_valid_report(run.out)["results"][0];
    CHECK(result["verdict"]["cause"] == "upgrade_rejected_auth");
    CHECK(has_finding(result, "status_unexpected"));
    CHECK(result["assertions"]["expect_status"] == 101);
  }
}

TEST_CASE("wsprobe --max-stage: a broken limit degrades (exit 3), and fails with --fail-on warn (exit 1)",
          "[assertions][binary]") {
  lab::EchoServer echo;
  // No real stage takes less than a microsecond: the limit is broken on every machine.
  const std::vector<std::string> base{"--json", "--max-stage", "upgrade=0.001ms", test::ws_url(echo.port(), "/ws")};
  const auto degraded = test::run_wsprobe(base);
  INFO(degraded.describe());
  CHECK(degraded.exit_code == 3);
  const auto result = testing::parse_valid_report(degraded.out)["results"][0];
  CHECK(result["verdict"]["status"] == "degraded");
  REQUIRE(has_finding(result, "stage_slow"));
  for (const auto& finding : result["findings"])
    if (finding["id"] == "stage_slow") CHECK(finding["assertion"] == "--max-stage upgrade=0.001ms");

  auto failing = base;
  failing.insert(failing.begin(), {"--fail-on", "warn"});
  const auto failed = test::run_wsprobe(failing);
  INFO(failed.describe());
  CHECK(failed.exit_code == 1);
  CHECK(testing::parse_valid_report(failed.out)["results"][0]["verdict"]["status"] == "fail");
}

}  // namespace
}  // namespace wsprobe

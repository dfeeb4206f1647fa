// Issue 5's "done when", scaled down: a real forward proxy (tinyproxy) whose idle timeout cuts
// WebSocket tunnels, a silent hold measured against it, and the pinged hold with its silent run
// alongside that states the largest safe keepalive interval. Tolerances are wide: a busy machine
// may stretch every time, never shrink the proxy's timer below what it was set to.
#include <catch2/catch.hpp>

#include "probe/lab/echo_server.hpp"
#include "support/real_proxies.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"

namespace wsprobe {
namespace {

constexpr int kProxyIdleSeconds = 2;

nlohmann::json hold_of(const nlohmann::json& result) {
  for (const auto& stage : result["stages"])
    if (stage["name"] == "hold") return stage;
  FAIL("no hold stage");
  return {};
}

TEST_CASE("through tinyproxy with a 2 s idle timeout: the silent hold is cut by FIN at about 2 s", "[proxy][hold]") {
  lab::EchoServer echo{lab::EchoServerOptions{}};
  test::Tinyproxy proxy({.idle_timeout_s = kProxyIdleSeconds});
  const auto url = "ws://127.0.0.1:" + std::to_string(echo.port()) + "/";
  const auto run = test::run_wsprobe({"--json", "--proxy", proxy.url(), "--hold", "4s", "--no-followup", url},
                                     test::without_proxy_variables());
  INFO(run.describe() << "\ntinyproxy log:\n" << proxy.log());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);
  const auto report = testing::parse_valid_report(run.out);
  const auto& result = report["results"][0];
  CHECK(result["verdict"]["cause"] == "idle_timeout");
  CHECK(result["verdict"]["stage"] == "hold");
  const auto hold = hold_of(result)["observed"];
  CHECK(hold["end"] == "fin");
  CHECK(hold["closed_by"] == "intermediary or server");
  const auto cut_us = hold["cut_after_us"].get<std::int64_t>();
  CHECK(cut_us >= kProxyIdleSeconds * 1'000'000 - 500'000);
  CHECK(cut_us < 4'000'000);  // before the hold's end: the proxy cut it, not wsprobe
  CHECK(result["connection_end"]["how"] == "fin");
  CHECK(result["connection_end"]["stage"] == "hold");
}

TEST_CASE("through tinyproxy with a 2 s idle timeout: pings keep it up, the silent run alongside is cut",
          "[proxy][hold][keepalive]") {
  lab::EchoServer echo{lab::EchoServerOptions{}};
  test::Tinyproxy proxy({.idle_timeout_s = kProxyIdleSeconds});
  const auto url = "ws://127.0.0.1:" + std::to_string(echo.port()) + "/";
  const auto run = test::run_wsprobe(
      {"--json", "--proxy", proxy.url(), "--hold", "4s", "--hold-ping", "500ms", "--no-followup", url},
      test::without_proxy_variables());
  INFO(run.describe() << "\ntinyproxy log:\n" << proxy.log());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  const auto report = testing::parse_valid_report(run.out);
  const auto& result = report["results"][0];
  CHECK(result["verdict"]["status"] == "pass");
  const auto hold = hold_of(result)["observed"];
  CHECK(hold["survived"] == true);
  const auto& silent = hold["silent_run"];
  REQUIRE(silent.is_object());
  CHECK(silent["survived"] == false);
  CHECK(silent["end"] == "fin");
  // The safe interval lies between the proven ping interval and the proxy's idle timeout.
  const auto safe_us = hold["largest_safe_ping_interval_us"].get<std::int64_t>();
  CHECK(safe_us >= 500'000);
  CHECK(safe_us < kProxyIdleSeconds * 1'000'000 + 2'000'000);
  bool stated = false;
  for (const auto& finding : result["findings"]) stated = stated || finding["id"] == "keepalive_interval_safe";
  CHECK(stated);
}

}  // namespace
}  // namespace wsprobe

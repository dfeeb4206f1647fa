// Many targets on one event loop (issue 6), through probe_all as `wsprobe` runs it: concurrency
// proven by ordering (endpoints that answer only once another endpoint saw its request), and what
// the run's --deadline does to a target it cuts and to one it leaves unprobed. The outputs, exit
// codes and input order are tested on the binary (fleet_binary_test.cpp).
#include <catch2/catch.hpp>

#include <mutex>

#include "app/run.hpp"
#include "checks/rules_run.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/canned_peer.hpp"
#include "support/held_upgrade.hpp"
#include "support/probe_helpers.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::ws_url;

CliOptions fleet_options(std::size_t concurrency) {
  CliOptions cli;
  cli.concurrency = concurrency;
  cli.followups = false;  // the fleet is the point here, not the diagnosis of each failure
  return cli;
}

// The targets' urls in the order `ended` saw them end.
struct Completion {
  std::mutex mutex;
  std::vector<std::string> urls;

  std::function<void(const TargetResult&)> callback() {
    return [this](const TargetResult& result) {
      std::lock_guard lock(mutex);
      urls.push_back(result.target.url);
    };
  }
};

RunReport report_of(std::vector<TargetResult> results) {
  RunReport report;
  report.tool.version = "test";
  report.results = std::move(results);
  return report;
}

std::vector<std::string> causes(const std::vector<TargetResult>& results) {
  std::vector<std::string> out;
  for (const auto& result : results) out.push_back(result.verdict.cause);
  return out;
}

// Two endpoints, each holding its 101 until the other one has received its upgrade request.
struct Barrier {
  lab::EchoServer echo;
  std::unique_ptr<test::HeldUpgrade> first, second;
  Barrier() {
    first = std::make_unique<test::HeldUpgrade>(echo.port(), [this] { return second->requests() > 0; });
    second = std::make_unique<test::HeldUpgrade>(echo.port(), [this] { return first->requests() > 0; });
  }
  std::vector<ProbeOptions> targets() const {
    // Short stage budgets: alone, the first upgrade waits in vain and times out.
    return {test::probe_options(ws_url(first->port()), 2s), test::probe_options(ws_url(second->port()), 2s)};
  }
};

}  // namespace

TEST_CASE("probe_all -j 2: two endpoints that wait for each other's request both pass", "[fleet][run]") {
  Barrier barrier;
  Completion completion;
  const auto results = probe_all(barrier.targets(), fleet_options(2), completion.callback());
  REQUIRE(results.size() == 2);
  INFO(test::describe(results[0]) << test::describe(results[1]));
  CHECK(causes(results) == std::vector<std::string>{"ok", "ok"});
  CHECK(barrier.first->released() == 1);
  CHECK(barrier.second->released() == 1);
  CHECK(exit_code_for(report_of(results)) == 0);
}

TEST_CASE("probe_all -j 1: the first of two endpoints that wait for each other times out", "[fleet][run]") {
  Barrier barrier;
  Completion completion;
  const auto results = probe_all(barrier.targets(), fleet_options(1), completion.callback());
  REQUIRE(results.size() == 2);
  INFO(test::describe(results[0]) << test::describe(results[1]));
  CHECK(results[0].verdict.status == VerdictStatus::fail);
  CHECK(results[0].verdict.stage == Stage::upgrade);
  CHECK(test::stage_of(results[0], Stage::upgrade).condition == Condition::timeout);
  // The second one's turn came after the first had asked: its barrier was already open.
  CHECK(results[1].verdict.cause == "ok");
  CHECK(completion.urls == std::vector<std::string>{results[0].target.url, results[1].target.url});
  CHECK(exit_code_for(report_of(results)) == 1);
}

TEST_CASE("probe_all --deadline: a target whose turn comes after it is not connected to", "[fleet][run]") {
  lab::EchoServer echo;
  // Holds its request for good: the first target runs until the deadline cuts it.
  test::HeldUpgrade stuck(echo.port(), [] { return false; });
  test::CannedPeer late(test::CannedScript::answer_http("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
  auto cli = fleet_options(1);
  cli.deadline = 1s;
  Completion completion;
  const auto results = probe_all({test::probe_options(ws_url(stuck.port()), 10s), test::probe_options(ws_url(late.port()))},
                                 cli, completion.callback());
  REQUIRE(results.size() == 2);
  INFO(test::describe(results[0]) << test::describe(results[1]));

  // Cut by the deadline, not by its own 10 s stage budget.
  CHECK(results[0].verdict.cause == "run_deadline_exceeded");
  CHECK(results[0].verdict.stage == Stage::upgrade);
  REQUIRE(test::find_finding(results[0], "upgrade_timeout") != nullptr);

  CHECK(results[1].verdict.status == VerdictStatus::fail);
  CHECK_FALSE(results[1].verdict.stage.has_value());
  CHECK(results[1].verdict.cause == "run_deadline_exceeded");
  for (const auto& stage : results[1].stages) {
    CHECK(stage.status == StageStatus::skipped);
    CHECK(stage.detail == kRunDeadlineDetail);
  }
  CHECK(late.connections() == 0);
  CHECK(results[1].target.url == ws_url(late.port()));
  test::require_valid_report(results[1]);
  CHECK(exit_code_for(report_of(results)) == 1);
}

}  // namespace wsprobe

// Clock integrity (issue 12): a stage whose clock the event loop's lateness covers in part is
// named (probe_clock_contaminated, info), and a time assertion broken on such a figure says so.
#include <catch2/catch.hpp>

#include "checks/clock_integrity.hpp"
#include "checks/verdict.hpp"
#include "support/finding_checks.hpp"
#include "support/result_builder.hpp"

namespace wsprobe {
namespace {

using std::chrono::milliseconds;
using test::has_evidence;
using testing::Scheme;

const Finding* find_id(const TargetResult& result, std::string_view id) {
  for (const auto& finding : result.findings)
    if (finding.id == id) return &finding;
  return nullptr;
}

TargetResult with_lag(Stage stage, milliseconds duration, milliseconds lag) {
  auto probe = testing::healthy(Scheme::wss);
  for (auto& each : probe.stages)
    if (each.status != StageStatus::skipped) each.loop_lag = Micros(0);
  testing::stage_of(probe, stage).duration = duration;
  testing::stage_of(probe, stage).loop_lag = lag;
  return probe;
}

}  // namespace

TEST_CASE("clock integrity: a stage the loop's lateness covers is named, the verdict stands", "[checks][clock]") {
  auto result = with_lag(Stage::tls, milliseconds(58), milliseconds(42));
  diagnose(result);
  const auto* finding = find_id(result, "probe_clock_contaminated");
  REQUIRE(finding);
  CHECK(finding->severity == Severity::info);
  CHECK(finding->stage == Stage::tls);
  CHECK(has_evidence(*finding, "wsprobe's event loop ran 42 ms late during the tls stage's 58 ms"));
  CHECK(finding->summary.find("not the path's alone") != std::string::npos);
  CHECK(result.verdict.status == VerdictStatus::pass);
}

TEST_CASE("clock integrity: lateness under 5 ms or under a tenth of the stage is noise", "[checks][clock]") {
  for (auto [duration, lag] : {std::pair{milliseconds(20), milliseconds(4)}, std::pair{milliseconds(900), milliseconds(60)}}) {
    auto result = with_lag(Stage::upgrade, duration, lag);
    diagnose(result);
    CHECK_FALSE(find_id(result, "probe_clock_contaminated"));
  }
  auto unmeasured = testing::healthy(Scheme::ws);  // no loop_lag: a probe outside a run
  diagnose(unmeasured);
  CHECK_FALSE(find_id(unmeasured, "probe_clock_contaminated"));
}

TEST_CASE("clock integrity: --max-stage broken on a contaminated figure says so", "[checks][clock][assertions]") {
  SECTION("the lateness explains the excess: the breach is only possible") {
    auto probe = with_lag(Stage::tls, milliseconds(340), milliseconds(120));
    probe.assertions.max_stage = {StageLimit{Stage::tls, milliseconds(300), "tls=300ms"}};
    diagnose(probe);
    const auto* slow = find_id(probe, "stage_slow");
    REQUIRE(slow);
    CHECK(slow->summary ==
          "tls took 340ms, above --max-stage tls=300ms (measured while wsprobe's event loop ran 120 ms late during "
          "the tls stage's 340 ms, enough to explain the excess).");
    CHECK(slow->confidence == Confidence::possible);
    CHECK(test::mentions(*slow, "the figure may be wsprobe's, not the path's"));
  }
  SECTION("the stage is slow even without the lateness: still certain, still said") {
    auto probe = with_lag(Stage::tls, milliseconds(900), milliseconds(100));
    probe.assertions.max_stage = {StageLimit{Stage::tls, milliseconds(300), "tls=300ms"}};
    diagnose(probe);
    const auto* slow = find_id(probe, "stage_slow");
    REQUIRE(slow);
    CHECK(slow->confidence == Confidence::certain);
    CHECK(slow->summary.find("measured while wsprobe's event loop ran 100 ms late") != std::string::npos);
  }
}

}  // namespace wsprobe

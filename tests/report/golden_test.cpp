// Every fixture rendered in every form, compared with tests/report/golden/. After an intended
// change: WSPROBE_UPDATE_GOLDEN=1 ./wsprobe_tests "[report]", then review `git diff`.
#include <catch2/catch.hpp>

#include "report/golden.hpp"
#include "report/human.hpp"
#include "report/json.hpp"
#include "report/junit.hpp"
#include "report/markdown.hpp"
#include "report/prometheus.hpp"
#include "support/report_fixtures.hpp"

using namespace wsprobe;
using wsprobe::testing::check_golden;

namespace {

void require_golden(const std::string& relative_path, const std::string& actual) {
  const auto result = check_golden(relative_path, actual);
  INFO(result.message);
  CHECK(result.ok);
  if (result.ok && !result.message.empty()) WARN(result.message);
}

}  // namespace

TEST_CASE("human and JSON renderings match the golden files", "[report][golden]") {
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) {
      const std::string stem = "tests/report/golden/" + name;
      require_golden(stem + ".txt", render_human(report, HumanStyle{false, false}));
      require_golden(stem + ".color.txt", render_human(report, HumanStyle{true, false}));
      require_golden(stem + ".verbose.txt", render_human(report, HumanStyle{false, true}));
      require_golden(stem + ".json", render_json(report));
    }
  }
}

TEST_CASE("JUnit, Prometheus and Markdown renderings match the golden files", "[report][golden]") {
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) {
      const std::string stem = "tests/report/golden/" + name;
      require_golden(stem + ".junit.xml", render_junit(report));
      require_golden(stem + ".prom", render_prometheus(report));
      require_golden(stem + ".md", render_markdown(report));
    }
  }
}

// samples/ holds example reports for users and the README; they come from the same fixtures, so
// they cannot drift from what the renderer writes.
TEST_CASE("the sample reports are the fixtures' reports", "[report][golden]") {
  require_golden("samples/report-pass.json", render_json(fixtures::pass_wss()));
  require_golden("samples/report-fail.json", render_json(fixtures::fail_upgrade_403()));
  // A named, tagged fleet with broken assertions, in every CI format (issue 6).
  const auto fleet = fixtures::fleet_named();
  require_golden("samples/fleet/report.json", render_json(fleet));
  std::string lines;
  for (const auto& result : fleet.results) lines += render_json_line(result);
  require_golden("samples/fleet/report.jsonl", lines);
  require_golden("samples/fleet/report.junit.xml", render_junit(fleet));
  require_golden("samples/fleet/report.prom", render_prometheus(fleet));
  require_golden("samples/fleet/report.md", render_markdown(fleet));
  require_golden("samples/fleet/report.txt", render_human(fleet, HumanStyle{}));
}

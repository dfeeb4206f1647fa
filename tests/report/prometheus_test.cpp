// The Prometheus text exposition as node_exporter's textfile collector reads it, checked with the
// Prometheus project's own parser (python3-prometheus-client, tests/support/parse_prometheus.py):
// every family once with HELP and TYPE, no timestamps, the values the fixtures hold, labels that
// survive any byte a targets file or a URL can hold.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "report/prometheus.hpp"
#include "report/temp_file.hpp"
#include "support/report_fixtures.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"

using namespace wsprobe;
using json = nlohmann::json;
using wsprobe::testing::TempFile;

namespace {

using Labels = std::map<std::string, std::string>;
using wsprobe::test::occurrences;

struct Parsed {
  test::BinaryRun run;
  json families;  // [{name, type, help, samples: [{name, labels, value, timestamp}]}]
};

Parsed parse_metrics(const std::string& text) {
  const TempFile file("metrics.prom", text);
  Parsed parsed{test::run_binary("/usr/bin/python3",
                                 {std::string(WSPROBE_SOURCE_DIR) + "/tests/support/parse_prometheus.py", file.path()}),
                json::array()};
  if (parsed.run.exit_code == 0) parsed.families = json::parse(parsed.run.out).at("families");
  return parsed;
}

Parsed parse_metrics_ok(const std::string& text) {
  auto parsed = parse_metrics(text);
  INFO(parsed.run.describe());
  REQUIRE(parsed.run.exit_code == 0);
  return parsed;
}

// The samples named `name` whose labels include every pair of `labels`.
std::vector<json> samples(const Parsed& parsed, const std::string& name, const Labels& labels = {}) {
  std::vector<json> out;
  for (const auto& family : parsed.families)
    for (const auto& sample : family.at("samples")) {
      if (sample.at("name") != name) continue;
      bool match = true;
      for (const auto& [key, value] : labels) match = match && sample.at("labels").value(key, "\x01") == value;
      if (match) out.push_back(sample);
    }
  return out;
}

// The value of the one sample that matches; empty when none or several do.
std::optional<double> value(const Parsed& parsed, const std::string& name, const Labels& labels = {}) {
  const auto found = samples(parsed, name, labels);
  if (found.size() != 1) return std::nullopt;
  return found.front().at("value").get<double>();
}

}  // namespace

TEST_CASE("every fixture's metrics parse, each family once, gauges with help and no timestamps", "[report][prometheus]") {
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) {
      const auto text = render_prometheus(report);
      const auto parsed = parse_metrics_ok(text);
      REQUIRE_FALSE(parsed.families.empty());
      for (const auto& family : parsed.families) {
        const std::string family_name = family.at("name");
        INFO(family_name);
        CHECK(family_name.starts_with("wsprobe_"));
        CHECK(family.at("type") == "gauge");
        CHECK_FALSE(family.at("help").get<std::string>().empty());
        CHECK(occurrences(text, "# TYPE " + family_name + " ") == 1);
        CHECK(occurrences(text, "# HELP " + family_name + " ") == 1);
        for (const auto& sample : family.at("samples")) CHECK(sample.at("timestamp").is_null());
      }
    }
  }
}

TEST_CASE("the metrics parser rejects a broken exposition", "[report][prometheus]") {
  const auto good = render_prometheus(fixtures::pass_wss());
  for (const std::string broken : {"wsprobe_probe_success{url=\"wss://x} 1\n",  // unterminated label value
                                   "wsprobe_probe_success{url=\"a\"} one\n",    // not a number
                                   "wsprobe probe_success 1\n"}) {
    INFO(broken);
    CHECK(parse_metrics(good + broken).run.exit_code != 0);
  }
}

TEST_CASE("a passing target's metrics hold its success, stage times, latency and certificate", "[report][prometheus]") {
  const auto report = fixtures::pass_wss();
  const auto& result = report.results.front();
  const auto parsed = parse_metrics_ok(render_prometheus(report));
  const Labels url{{"url", "wss://echo.example.test/socket"}};

  CHECK(value(parsed, "wsprobe_probe_success", url) == 1);
  CHECK(value(parsed, "wsprobe_verdict", {{"status", "pass"}, {"cause", "ok"}}) == 1);
  CHECK(value(parsed, "wsprobe_probe_duration_seconds", url) == Approx(0.09722));
  CHECK(value(parsed, "wsprobe_stage_duration_seconds", {{"stage", "tls"}}) == Approx(0.02408));
  CHECK(samples(parsed, "wsprobe_stage_duration_seconds", {{"stage", "hold"}}).empty());  // skipped: not a 0
  CHECK(value(parsed, "wsprobe_upgrade_status_code") == 101);

  const auto& echo = *result.observed.echo;
  CHECK(value(parsed, "wsprobe_latency_seconds", {{"kind", "ping"}, {"quantile", "0.95"}}) ==
        Approx(echo.ping_latency->p95.count() / 1e6));
  CHECK(value(parsed, "wsprobe_latency_seconds", {{"kind", "echo"}, {"quantile", "0.5"}}) ==
        Approx(echo.echo_latency->p50.count() / 1e6));
  CHECK(value(parsed, "wsprobe_latency_samples", {{"kind", "ping"}}) == 5);

  CHECK(value(parsed, "wsprobe_cert_expiry_timestamp_seconds") == 1767225600);
  CHECK(value(parsed, "wsprobe_cert_days_left") == 212);
  CHECK(value(parsed, "wsprobe_findings", {{"severity", "fail"}}) == 0);
  CHECK(value(parsed, "wsprobe_run_timestamp_seconds") == 1748856600);
  CHECK(value(parsed, "wsprobe_build_info", {{"version", "0.1.0"}}) == 1);
  CHECK(samples(parsed, "wsprobe_hold_survived").empty());  // no hold ran
}

TEST_CASE("a failing target's metrics say which stage failed and why", "[report][prometheus]") {
  const auto parsed = parse_metrics_ok(render_prometheus(fixtures::fail_tcp_refused()));
  CHECK(value(parsed, "wsprobe_probe_success") == 0);
  CHECK(value(parsed, "wsprobe_verdict", {{"status", "fail"}, {"cause", "tcp_refused"}, {"stage", "tcp"}}) == 1);
  CHECK(value(parsed, "wsprobe_stage_duration_seconds", {{"stage", "tcp"}}) == Approx(0.000795));
  CHECK(samples(parsed, "wsprobe_stage_duration_seconds", {{"stage", "tls"}}).empty());
  CHECK(value(parsed, "wsprobe_findings", {{"severity", "fail"}}) == 1);
  CHECK(samples(parsed, "wsprobe_latency_seconds").empty());

  const auto hold = parse_metrics_ok(render_prometheus(fixtures::fail_hold_idle()));
  CHECK(value(hold, "wsprobe_hold_survived") == 0);
  CHECK(value(hold, "wsprobe_hold_cut_after_seconds") == Approx(60.004));
}

TEST_CASE("targets file names and tags label every sample; nodes add their address", "[report][prometheus]") {
  const auto parsed = parse_metrics_ok(render_prometheus(fixtures::fleet_named()));
  CHECK(value(parsed, "wsprobe_probe_success", {{"name", "echo-eu"}, {"tags", "prod,eu-west-1"}}) == 1);
  CHECK(value(parsed, "wsprobe_probe_success", {{"name", "echo-us"}}) == 1);  // degraded still succeeds
  CHECK(value(parsed, "wsprobe_probe_success", {{"name", "api"}}) == 0);      // --fail-on warn failed it
  CHECK(value(parsed, "wsprobe_findings", {{"name", "echo-us"}, {"severity", "warn"}}) == 1);
  CHECK(value(parsed, "wsprobe_assertions_broken", {{"name", "echo-us"}}) == 1);
  CHECK(value(parsed, "wsprobe_assertions_broken", {{"name", "echo-eu"}}) == 0);
  // The URL as the report shows it: the token redacted.
  CHECK(value(parsed, "wsprobe_probe_success", {{"url", "wss://api.example.test/v2/stream?token=REDACTED"}}) == 0);
  // A target without a name has no name label at all.
  const auto unnamed = samples(parsed, "wsprobe_probe_success", {{"tags", "legacy"}});
  REQUIRE(unnamed.size() == 1);
  CHECK_FALSE(unnamed.front().at("labels").contains("name"));

  const auto nodes = parse_metrics_ok(render_prometheus(fixtures::fail_nodes_partial()));
  CHECK(samples(nodes, "wsprobe_probe_success").size() == 4);
  CHECK(value(nodes, "wsprobe_probe_success", {{"address", "203.0.113.43"}}) == 0);
  CHECK(value(nodes, "wsprobe_probe_success", {{"address", "203.0.113.41"}}) == 1);
  CHECK(value(nodes, "wsprobe_verdict", {{"address", "203.0.113.43"}, {"cause", "tcp_timeout"}}) == 1);
}

TEST_CASE("label values survive quotes, backslashes, newlines and bytes that are not UTF-8", "[report][prometheus]") {
  auto report = fixtures::pass_wss();
  auto& target = report.results.front().target;
  target.url = "wss://echo.example.test/a\"b\\c";
  target.name = "line one\nline two";
  target.tags = {"caf\xc3\xa9", "bad\xff"};
  const auto parsed = parse_metrics_ok(render_prometheus(report));
  const auto found = samples(parsed, "wsprobe_probe_success");
  REQUIRE(found.size() == 1);
  const auto& labels = found.front().at("labels");
  CHECK(labels.at("url") == "wss://echo.example.test/a\"b\\c");
  CHECK(labels.at("name") == "line one\nline two");
  CHECK(labels.at("tags") == "caf\xc3\xa9,bad\xef\xbf\xbd");  // U+FFFD for the stray byte
}

// The JSON report against schema/wsprobe-report.schema.json: every fixture validates, and
// documents with typical mistakes do not (a schema that accepts anything would pass the first).
#include <catch2/catch.hpp>

#include "report/json.hpp"
#include "support/report_fixtures.hpp"
#include "support/schema_validation.hpp"

using namespace wsprobe;
using wsprobe::testing::report_schema;
using wsprobe::testing::schema_errors;
using nlohmann::json;

namespace {

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& error : errors) out += error + "\n";
  return out;
}

json pass_document() { return json::parse(render_json(fixtures::pass_wss())); }

}  // namespace

TEST_CASE("every fixture's JSON validates against the schema", "[report][schema]") {
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) {
      const auto errors = schema_errors(json::parse(render_json(report)));
      INFO(joined(errors));
      CHECK(errors.empty());
      // to_json() (sorted keys) and render_json() (stage order) hold the same document.
      CHECK(to_json(report) == json::parse(render_json(report)));
    }
  }
}

TEST_CASE("documents with typical mistakes fail validation", "[report][schema]") {
  auto doc = pass_document();
  auto& result = doc["results"][0];
  std::string mistake;

  SECTION("missing verdict") { result.erase("verdict"); }
  SECTION("verdict status not in the enum") { result["verdict"]["status"] = "passed"; }
  SECTION("extra top-level field") { doc["generated_by"] = "hand"; }
  SECTION("extra field in a stage") { result["stages"][0]["duration_ms"] = 1.5; }
  SECTION("stage status not in the enum") { result["stages"][2]["status"] = "error"; }
  SECTION("cause id not snake_case") {
    result["verdict"] = {{"status", "fail"}, {"stage", "tls"}, {"cause", "TLS-Untrusted"},
                         {"summary", ""}, {"hop", nullptr}};
  }
  SECTION("a pass whose cause is not ok") { result["verdict"]["cause"] = "tcp_refused"; }
  SECTION("stages out of order") { std::swap(result["stages"][2], result["stages"][3]); }
  SECTION("a stage missing") { result["stages"].erase(1); }
  SECTION("a skipped stage with a time") { result["stages"][1]["start_us"] = 0; }
  SECTION("a failed stage without a condition") {
    result["stages"][2]["status"] = "failed";
    result["stages"][2]["condition"] = nullptr;
  }
  SECTION("a duration as a float") { result["duration_us"] = 97.22; }
  SECTION("tcp observations on the dns stage") { result["stages"][0]["observed"] = result["stages"][2]["observed"]; }
  SECTION("latency in milliseconds") {
    auto& latency = result["stages"][5]["observed"]["ping_latency"];
    latency["p50_ms"] = 8.1;
    latency.erase("p50_us");
  }
  SECTION("finding severity not in the enum") {
    result["findings"] = json::array({{{"id", "x"}, {"severity", "error"}, {"stage", "tls"},
                                       {"confidence", "certain"}, {"summary", ""},
                                       {"evidence", json::array()}, {"fix", ""}, {"hop", nullptr}}});
  }
  SECTION("results not an array") { doc["results"] = result; }
  SECTION("started_at not a date-time") { result["started_at"] = "yesterday"; }
  SECTION("follow-up kind not in the enum") {
    auto followup = json::parse(render_json(fixtures::fail_upgrade_403()))["results"][0]["followups"][0];
    followup["kind"] = "plain_head";
    result["followups"] = json::array({followup});
  }
  SECTION("fingerprint with an extra field") {
    result["fingerprints"] = json::array({{{"name", "nginx"}, {"role", "server"}, {"confidence", "likely"},
                                           {"evidence", json::array()}, {"version", "1.24"}}});
  }

  CHECK_FALSE(schema_errors(doc).empty());
}

TEST_CASE("schema errors name the offending path", "[report][schema]") {
  auto doc = pass_document();
  doc["results"][0]["verdict"]["status"] = "passed";
  const auto errors = schema_errors(doc);
  REQUIRE_FALSE(errors.empty());
  CHECK(joined(errors).find("[verdict]") != std::string::npos);
}

// The schema repeats the model's enums; a value added to the model must be added there too.
TEST_CASE("schema enums list every model value", "[report][schema]") {
  const auto& defs = report_schema().at("definitions");
  const auto in = [](const json& values, std::string_view name) {
    return std::find(values.begin(), values.end(), json(std::string(name))) != values.end();
  };
  for (int s = static_cast<int>(Stage::dns); s <= static_cast<int>(Stage::close); ++s)
    CHECK(in(defs.at("stage_name").at("enum"), to_string(static_cast<Stage>(s))));
  for (int s = static_cast<int>(StageStatus::ok); s <= static_cast<int>(StageStatus::skipped); ++s)
    CHECK(in(defs.at("stage_status").at("enum"), to_string(static_cast<StageStatus>(s))));
  for (int c = static_cast<int>(Condition::dns_nxdomain); c <= static_cast<int>(Condition::interrupted); ++c)
    CHECK(in(defs.at("condition").at("enum"), to_string(static_cast<Condition>(c))));
  CHECK(defs.at("stage_name").at("enum").size() == 8);
  CHECK(defs.at("condition").at("enum").size() ==
        static_cast<std::size_t>(static_cast<int>(Condition::interrupted)));
}

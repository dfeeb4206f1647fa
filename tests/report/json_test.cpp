// Properties of the JSON report the golden files do not make obvious.
#include <catch2/catch.hpp>

#include "report/json.hpp"
#include "support/report_fixtures.hpp"
#include "support/schema_validation.hpp"

using namespace wsprobe;
using nlohmann::json;

TEST_CASE("results is an array even for one target", "[report][json]") {
  const auto doc = json::parse(render_json(fixtures::pass_wss()));
  CHECK(doc.at("schema_version") == 1);
  REQUIRE(doc.at("results").is_array());
  CHECK(doc.at("results").size() == 1);
  CHECK(json::parse(render_json(fixtures::multi_target())).at("results").size() == 6);
}

TEST_CASE("every stage appears, in order; a skipped one has no times and no observation", "[report][json]") {
  const auto doc = json::parse(render_json(fixtures::fail_dns_skipped()));
  const auto& stages = doc.at("results")[0].at("stages");
  const std::vector<std::string> order{"dns", "proxy", "tcp", "tls", "upgrade", "echo", "hold", "close"};
  REQUIRE(stages.size() == order.size());
  for (std::size_t i = 0; i < order.size(); ++i) CHECK(stages[i].at("name") == order[i]);
  for (std::size_t i = 1; i < order.size(); ++i) {
    CHECK(stages[i].at("status") == "skipped");
    CHECK(stages[i].at("start_us").is_null());
    CHECK(stages[i].at("duration_us").is_null());
    CHECK(stages[i].at("observed").is_null());
  }
  CHECK(stages[0].at("condition") == "dns_nxdomain");
  CHECK(stages[0].at("observed").at("addresses").empty());
  CHECK(stages[0].at("observed").at("server") == "192.0.2.53");
}

TEST_CASE("unobserved optionals are null, never 0", "[report][json]") {
  const auto doc = json::parse(render_json(fixtures::fail_tcp_refused()));
  const auto& tcp = doc.at("results")[0].at("stages")[2];
  CHECK(tcp.at("observed").at("remote_endpoint").is_null());
  CHECK(tcp.at("observed").at("attempts")[0].at("duration_us") == 410);
  CHECK(tcp.at("observed").at("attempts")[0].at("condition") == "connect_refused");
  const auto pass = json::parse(render_json(fixtures::pass_wss()));
  const auto& stages = pass.at("results")[0].at("stages");
  CHECK(stages[0].at("condition").is_null());
  CHECK(stages[0].at("detail").is_null());
  CHECK(stages[4].at("observed").at("time_to_first_byte_us") == 7950);
  CHECK(stages[4].at("observed").at("first_bytes_hex").is_null());
  CHECK(stages[5].at("observed").at("ping_latency").at("p50_us") == 8300);
}

TEST_CASE("bytes that are not UTF-8 still make a valid document", "[report][json]") {
  auto report = fixtures::fail_upgrade_403();
  auto& upgrade = *report.results.front().observed.upgrade;
  upgrade.body = "\x1f\x8b\x08\x00\xff gzip?";
  upgrade.headers.push_back({"X-Bad", "\xc0\xaf"});
  std::string text;
  REQUIRE_NOTHROW(text = render_json(report));
  const auto doc = json::parse(text);
  const auto& observed = doc.at("results")[0].at("stages")[4].at("observed");
  CHECK(observed.at("body") == "\x1f\xef\xbf\xbd\x08\x00\xef\xbf\xbd gzip?");
  CHECK(observed.at("headers").back().at("value") == "\xef\xbf\xbd\xef\xbf\xbd");
  REQUIRE_NOTHROW(to_json(report).dump());
  CHECK(wsprobe::testing::schema_errors(doc).empty());
}

TEST_CASE("follow-ups and fingerprints are arrays on every result", "[report][json]") {
  const auto doc = json::parse(render_json(fixtures::multi_target()));
  for (const auto& result : doc.at("results")) {
    CHECK(result.at("followups").is_array());
    CHECK(result.at("fingerprints").is_array());
  }
  const auto& result = doc.at("results")[2];
  CHECK(result.at("fingerprints")[0].at("name") == "AWS ALB");
  const auto& followup = result.at("followups")[0];
  CHECK(followup.at("kind") == "plain_get");
  CHECK(followup.at("status_code") == 403);
  CHECK(followup.at("inner_tls_answered").is_null());
  CHECK(followup.at("failed_stage").is_null());
}

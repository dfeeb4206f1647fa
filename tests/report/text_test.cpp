// The shared text helpers the JUnit, Prometheus and Markdown renderers rely on, at their edges.
#include <catch2/catch.hpp>

#include "report/text.hpp"
#include "support/report_fixtures.hpp"

using namespace wsprobe;

TEST_CASE("seconds are exact decimals without trailing zeros", "[report][text]") {
  CHECK(text::format_seconds(Micros(0)) == "0");
  CHECK(text::format_seconds(Micros(795)) == "0.000795");
  CHECK(text::format_seconds(Micros(24080)) == "0.02408");
  CHECK(text::format_seconds(Micros(1000000)) == "1");
  CHECK(text::format_seconds(Micros(60004000)) == "60.004");
}

TEST_CASE("a command line reads back as the same words in a shell", "[report][text]") {
  CHECK(text::command_line({"wsprobe", "--junit", "report.xml", "wss://x.example.test/a"}) ==
        "wsprobe --junit report.xml wss://x.example.test/a");
  CHECK(text::command_line({"wsprobe", "-H", "X-Team: core", "wss://x/?a=1&b=2"}) ==
        "wsprobe -H 'X-Team: core' 'wss://x/?a=1&b=2'");
  CHECK(text::command_line({"--message", "it's", ""}) == "--message 'it'\\''s' ''");
}

TEST_CASE("hex evidence decodes back to its bytes, and nothing else does", "[report][text]") {
  CHECK(text::bytes_from_hex("48 54 0d 0a") == std::string("HT\r\n"));
  CHECK(text::bytes_from_hex("4854") == std::string("HT"));
  CHECK_FALSE(text::bytes_from_hex("48 5"));
  CHECK_FALSE(text::bytes_from_hex("zz"));
}

TEST_CASE("the run summary counts verdicts, leaving out zeros", "[report][text]") {
  CHECK(text::run_summary(fixtures::multi_target()) == "6 targets: 1 pass, 1 degraded, 4 fail");
  CHECK(text::run_summary(fixtures::fleet_named()) == "4 targets: 1 pass, 1 degraded, 2 fail");
}

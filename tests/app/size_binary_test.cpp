// The size sweep flags: what --sizes and --max-size become (parse_cli), what they refuse (exit 2
// naming the flag), and the real executable finding a Beast server's message size limit.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "app/cli.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/parse_args.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"

namespace wsprobe {
namespace {

using test::run_wsprobe;

// `args` followed by a URL (the discard port: nothing connects, the tests stop at parsing).
CliParse parse_sweep_args(std::vector<std::string> args) {
  args.push_back("ws://127.0.0.1:9/");
  return test::parse_args(std::move(args));
}

std::vector<std::size_t> sweep_of(std::vector<std::string> args) {
  const auto parsed = parse_sweep_args(std::move(args));
  INFO("exit " << parsed.exit_code << ": " << parsed.message);
  REQUIRE(parsed.options);
  return parsed.options->probe.sweep_sizes;
}

std::string usage_error(std::vector<std::string> args) {
  const auto parsed = parse_sweep_args(std::move(args));
  REQUIRE_FALSE(parsed.options);
  CHECK(parsed.exit_code == 2);
  return parsed.message;
}

constexpr std::size_t K = 1024;

// The echo stage's detail in a JSON report (validated against the schema), with its verdict cause.
std::pair<std::string, std::string> echo_detail_and_cause(const std::string& json) {
  const auto report = testing::parse_valid_report(json);
  REQUIRE(report["results"].size() == 1);
  const auto& result = report["results"][0];
  std::string detail;
  for (const auto& stage : result["stages"])
    if (stage["name"] == "echo" && stage["detail"].is_string()) detail = stage["detail"].get<std::string>();
  return {detail, result["verdict"]["cause"].get<std::string>()};
}

TEST_CASE("size sweep flags: --sizes takes a list of sizes, sorted, without repeats", "[cli][sweep]") {
  CHECK(sweep_of({"--sizes", "1K,64K,1M"}) == std::vector<std::size_t>{K, 64 * K, K * K});
  CHECK(sweep_of({"--sizes", "64K,1K,64k,100"}) == std::vector<std::size_t>{100, K, 64 * K});
  CHECK(sweep_of({"--sizes", "16M"}) == std::vector<std::size_t>{16 * K * K});
  CHECK(sweep_of({}).empty());
}

TEST_CASE("size sweep flags: --max-size doubles from 1K, or from --size, up to the size", "[cli][sweep]") {
  CHECK(sweep_of({"--max-size", "8K"}) == std::vector<std::size_t>{K, 2 * K, 4 * K, 8 * K});
  CHECK(sweep_of({"--max-size", "100K"}) ==
        std::vector<std::size_t>{K, 2 * K, 4 * K, 8 * K, 16 * K, 32 * K, 64 * K, 100 * K});
  CHECK(sweep_of({"--size", "300", "--max-size", "1000"}) == std::vector<std::size_t>{300, 600, 1000});
  CHECK(sweep_of({"--max-size", "512"}) == std::vector<std::size_t>{512});
  CHECK(sweep_of({"--size", "1", "--max-size", "16M"}).size() == 25);
}

TEST_CASE("size sweep flags: --sizes and --max-size refuse what makes no sense, naming the flag", "[cli][sweep]") {
  struct Case {
    std::vector<std::string> args;
    const char* words;
  };
  std::string many;
  for (int i = 1; i <= 33; ++i) many += (many.empty() ? "" : ",") + std::to_string(i);
  const std::vector<Case> cases{
      {{"--sizes", "1K,lots"}, "--sizes: 'lots' is not a size from 1 byte to 16M"},
      {{"--sizes", "0"}, "--sizes: '0' is not a size"},
      {{"--sizes", "17M"}, "--sizes: '17M' is not a size"},
      {{"--sizes", "1K,,2K"}, "--sizes: '' is not a size"},
      {{"--sizes", "1K,"}, "--sizes: a size is missing after ','"},
      {{"--sizes", many}, "--sizes: at most 32 sizes"},
      {{"--max-size", "big"}, "--max-size: 'big' is not a size"},
      {{"--max-size", "32M"}, "--max-size: '32M' is not a size"},
      {{"--size", "4K", "--max-size", "1K"}, "--max-size 1K is below --size 4K"},
      {{"--sizes", "1K", "--max-size", "1M"}, "--sizes and --max-size exclude each other"},
      {{"--echo", "off", "--sizes", "1K"}, "--sizes needs echoes: not with --echo off"},
      {{"--echo", "off", "--max-size", "1M"}, "--max-size needs echoes"},
  };
  for (const auto& c : cases) {
    INFO(c.args[0] << " " << c.args[1]);
    CHECK_THAT(usage_error(c.args), Catch::Contains(c.words));
  }
}

TEST_CASE("wsprobe --max-size finds a server's message size limit (close 1009) and exits 1", "[cli][sweep]") {
  lab::EchoServerOptions options;
  options.read_message_max = 10000;
  lab::EchoServer server(options);
  const auto run = run_wsprobe({"--timeout", "20s", "--echo-timeout", "3s", "--count", "2", "--json", "--max-size",
                                "64K", server.url()});
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);
  const auto [detail, cause] = echo_detail_and_cause(run.out);
  CHECK(cause == "message_too_large");
  CHECK_THAT(detail, Catch::StartsWith("largest echoed 8 KiB; 16 KiB: server sent close 1009"));
}

TEST_CASE("wsprobe --sizes against a server without a limit passes and exits 0", "[cli][sweep]") {
  lab::EchoServer server;
  const auto run = run_wsprobe({"--timeout", "20s", "--count", "2", "--json", "--sizes", "1K,64K,256K", server.url()});
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  const auto [detail, cause] = echo_detail_and_cause(run.out);
  CHECK(cause == "ok");
  CHECK(detail == "size sweep: every size echoed, up to 256 KiB");
}

}  // namespace
}  // namespace wsprobe

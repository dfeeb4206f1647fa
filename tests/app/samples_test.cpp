// samples/ is what users copy: the targets files and the command lines in the CI samples must
// parse with wsprobe's own parser, and the CI files must be valid YAML, so the samples work as written.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "app/cli.hpp"

namespace wsprobe {
namespace {

const std::string kSamples = WSPROBE_SOURCE_DIR "/samples/";

CliParse parse_words(const std::vector<std::string>& words) {
  std::vector<const char*> argv{"wsprobe"};
  for (const auto& word : words) argv.push_back(word.c_str());
  std::istringstream no_stdin;
  return parse_cli(static_cast<int>(argv.size()), argv.data(), &no_stdin);
}

// The words of a shell command after the wsprobe binary, with the targets file the sample uses
// swapped for `targets`: `"$WSPROBE_SRC/build/app/wsprobe" --targets targets.yaml -j 4 \` ...
std::vector<std::string> wsprobe_words(std::string command, const std::string& targets) {
  command = std::regex_replace(command, std::regex("\\\\\n"), " ");
  const auto start = command.find("wsprobe\"");
  REQUIRE(start != std::string::npos);
  std::istringstream in(command.substr(start + 8));
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word == "targets.yaml" ? targets : word);
  return words;
}

std::string github_command() {
  const auto workflow = YAML::LoadFile(kSamples + "ci/github-actions.yml");
  for (const auto& step : workflow["jobs"]["wsprobe"]["steps"])
    if (step["name"] && step["name"].as<std::string>() == "Probe the endpoints") return step["run"].as<std::string>();
  FAIL("no 'Probe the endpoints' step");
  return {};
}

std::string gitlab_command() {
  const auto job = YAML::LoadFile(kSamples + "ci/gitlab-ci.yml")["wsprobe"];
  for (const auto& line : job["script"])
    if (line.as<std::string>().find("build/app/wsprobe\"") != std::string::npos) return line.as<std::string>();
  FAIL("no wsprobe line in the GitLab script");
  return {};
}

bool has_output(const CliOptions& cli, OutputFormat format) {
  for (const auto& output : cli.outputs)
    if (output.format == format) return true;
  return false;
}

}  // namespace

TEST_CASE("the sample targets files parse, every entry with its own options", "[samples]") {
  const auto yaml = parse_words({"--targets", kSamples + "targets.yaml"});
  INFO(yaml.message);
  REQUIRE(yaml.options);
  const auto& targets = yaml.options->targets;
  REQUIRE(targets.size() == 4);
  CHECK(targets[0].target.name == "chat");
  CHECK(targets[0].assertions.max_stage.size() == 2);
  CHECK(targets[1].assertions.expect_subprotocol == "graphql-transport-ws");
  CHECK(targets[2].assertions.expect_status == 401);
  REQUIRE(targets[3].hold);
  CHECK(targets[3].hold->count() == 60000);

  const auto lines = parse_words({"--targets", kSamples + "targets.txt"});
  INFO(lines.message);
  REQUIRE(lines.options);
  REQUIRE(lines.options->targets.size() == 3);
  CHECK(lines.options->targets[2].target.name == "internal");
}

TEST_CASE("the CI samples' wsprobe command lines parse and write a JUnit report", "[samples]") {
  for (const auto& command : {github_command(), gitlab_command()}) {
    const auto parsed = parse_words(wsprobe_words(command, kSamples + "targets.yaml"));
    INFO(command << "\n" << parsed.message);
    REQUIRE(parsed.options);
    CHECK(parsed.options->targets.size() == 4);
    CHECK(parsed.options->concurrency == 4u);
    CHECK(has_output(*parsed.options, OutputFormat::junit));
  }
}

TEST_CASE("the Kubernetes sample's targets and arguments parse and write Prometheus metrics", "[samples]") {
  std::vector<YAML::Node> documents = YAML::LoadAllFromFile(kSamples + "ci/k8s-cronjob.yaml");
  REQUIRE(documents.size() == 2);
  const auto targets_yaml = documents[0]["data"]["targets.yaml"].as<std::string>();
  const auto container = documents[1]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
  const auto path = std::string(WSPROBE_BINARY) + ".k8s-sample-targets.yaml";
  std::ofstream(path) << targets_yaml;
  std::vector<std::string> words;
  for (const auto& arg : container["args"])
    words.push_back(arg.as<std::string>() == "/etc/wsprobe/targets.yaml" ? path : arg.as<std::string>());
  const auto parsed = parse_words(words);
  std::remove(path.c_str());
  INFO(parsed.message);
  REQUIRE(parsed.options);
  CHECK(parsed.options->targets.size() == 2);
  CHECK(has_output(*parsed.options, OutputFormat::prometheus));
  CHECK(has_output(*parsed.options, OutputFormat::jsonl));
}

}  // namespace wsprobe

// The README is the user's manual: these tests keep its cause table and option list true to the code.
#include <catch2/catch.hpp>

#include <regex>

#include "app/cli.hpp"
#include "report/cause_table.hpp"
#include "support/text_checks.hpp"

namespace {

std::string read_readme() { return wsprobe::test::read_file(WSPROBE_SOURCE_DIR "/README.md"); }

}  // namespace

TEST_CASE("README's cause table is the catalogue's", "[readme]") {
  const auto readme = read_readme();
  const std::string begin = "<!-- causes:begin -->\n";
  const auto start = readme.find(begin);
  const auto end = readme.find("<!-- causes:end -->");
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  const auto table = readme.substr(start + begin.size(), end - start - begin.size());
  // On a mismatch: wsprobe causes > table, and paste it between the markers.
  CHECK(table == wsprobe::render_cause_table());
}

TEST_CASE("README documents every option in --help", "[readme]") {
  const char* argv[] = {"wsprobe", "--help"};
  const auto parsed = wsprobe::parse_cli(2, argv);
  REQUIRE(parsed.exit_code == 0);
  const auto readme = read_readme();
  const std::regex long_option("--[a-z][a-z-]+");
  std::size_t options = 0;
  for (std::sregex_iterator it(parsed.message.begin(), parsed.message.end(), long_option), end; it != end; ++it) {
    ++options;
    INFO("option " << it->str());
    CHECK(readme.find("`" + it->str()) != std::string::npos);
  }
  CHECK(options >= 20);
}

TEST_CASE("the setup script's demo runs the binary the build makes", "[readme]") {
  // `bash scripts/setup.sh demo` is the README's first command: it builds into ./build and runs
  // the binary from there, so the path it names must be where CMake puts wsprobe.
  const auto script = wsprobe::test::read_file(WSPROBE_SOURCE_DIR "/scripts/setup.sh");
  std::smatch match;
  REQUIRE(std::regex_search(script, match, std::regex(R"(demo\)[^\n]*\./build/(\S+) demo)")));
  const std::string binary = WSPROBE_BINARY;
  const std::string built_suffix = "/" + match[1].str();
  CHECK(binary.size() > built_suffix.size());
  CHECK(binary.compare(binary.size() - built_suffix.size(), built_suffix.size(), built_suffix) == 0);
}

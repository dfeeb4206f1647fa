// The catalogue against the public contract: ../shared/diagnosis/causes.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "checks/catalogue.hpp"
#include "checks/verdict.hpp"
#include "support/rule_scenarios.hpp"

using namespace wsprobe;

namespace {

const std::string kCausesPath = WSPROBE_SOURCE_DIR "/../shared/diagnosis/causes.md";

struct DocumentedCause {
  std::string id;
  std::string stage;  // as the table writes it: "-", "tls", "echo/hold", "tcp..echo"
};

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

std::string unquote(std::string s) {
  s = trim(std::move(s));
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
  return s;
}

// Rows of the id table: "| `id` | stage | meaning |".
std::optional<std::vector<DocumentedCause>> read_causes_table() {
  std::ifstream in(kCausesPath);
  if (!in) return std::nullopt;
  std::vector<DocumentedCause> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
    if (cells.size() < 3) continue;
    out.push_back({unquote(cells[0]), trim(cells[1])});
  }
  return out;
}

// The ids in backticks on the "Warnings ..." paragraph.
std::vector<std::string> read_documented_warnings() {
  std::ifstream in(kCausesPath);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  const auto start = text.find("Warnings");
  if (start == std::string::npos) return out;
  for (auto pos = text.find('`', start); pos != std::string::npos; pos = text.find('`', pos)) {
    const auto end = text.find('`', pos + 1);
    if (end == std::string::npos) break;
    out.push_back(text.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

// The stages a table cell allows: one name, "a/b", or a range "a..b" (in stage order).
std::vector<Stage> allowed_stages(const std::string& cell) {
  std::vector<Stage> out;
  if (const auto dots = cell.find(".."); dots != std::string::npos) {
    const auto from = stage_from_string(cell.substr(0, dots));
    const auto to = stage_from_string(cell.substr(dots + 2));
    if (from && to)
      for (int s = static_cast<int>(*from); s <= static_cast<int>(*to); ++s) out.push_back(static_cast<Stage>(s));
    return out;
  }
  std::stringstream parts(cell);
  for (std::string part; std::getline(parts, part, '/');)
    if (const auto stage = stage_from_string(trim(part))) out.push_back(*stage);
  return out;
}

bool is_snake_case(std::string_view id) {
  if (id.empty() || id.front() < 'a' || id.front() > 'z' || id.back() == '_') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok || (c == '_' && id[i + 1] == '_')) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("every cause id in causes.md is catalogued - explained - and at its stage", "[checks]") {
  const auto table = read_causes_table();
  if (!table) {
    WARN("skipped: " << kCausesPath << " is absent (CI clones shared/ beside the repo)");
    return;
  }
  REQUIRE(table->size() >= 40);  // the table as of writing has 44 rows; a parse that finds few is broken
  for (const auto& documented : *table) {
    SECTION(documented.id) {
      const auto* cause = find_cause(documented.id);
      REQUIRE(cause != nullptr);
      CHECK_FALSE(cause->title.empty());
      CHECK_FALSE(cause->explanation.empty());
      CHECK_FALSE(cause->fix.empty());
      if (documented.stage == "-") {
        CHECK_FALSE(cause->stage);
      } else {
        const auto allowed = allowed_stages(documented.stage);
        INFO("table stage: " << documented.stage);
        REQUIRE_FALSE(allowed.empty());
        REQUIRE(cause->stage);
        CHECK(std::find(allowed.begin(), allowed.end(), *cause->stage) != allowed.end());
      }
    }
  }
}

TEST_CASE("the warnings causes.md names are catalogued", "[checks]") {
  if (!read_causes_table()) {
    WARN("skipped: " << kCausesPath << " is absent");
    return;
  }
  const auto warnings = read_documented_warnings();
  REQUIRE_FALSE(warnings.empty());
  for (const auto& id : warnings) {
    INFO(id);
    const auto* cause = find_cause(id);
    REQUIRE(cause != nullptr);
    CHECK_FALSE(cause->fix.empty());
  }
}

TEST_CASE("catalogue ids are unique snake_case with text", "[checks]") {
  std::set<std::string_view> seen;
  REQUIRE_FALSE(cause_catalogue().empty());
  for (const auto& cause : cause_catalogue()) {
    INFO(cause.id);
    CHECK(is_snake_case(cause.id));
    CHECK(seen.insert(cause.id).second);
    CHECK_FALSE(cause.title.empty());
    CHECK_FALSE(cause.explanation.empty());
    CHECK_FALSE(cause.fix.empty());
    CHECK(find_cause(cause.id) == &cause);
  }
  CHECK(find_cause("ok") != nullptr);
  CHECK(find_cause("no_such_cause") == nullptr);
  CHECK(find_cause("") == nullptr);
}

TEST_CASE("every id the rules produce is catalogued - at the stage the finding names", "[checks]") {
  std::set<std::string> produced;
  for (const auto& scenario : testing::rule_scenarios()) {
    auto result = scenario.make();
    diagnose(result);
    produced.insert(result.verdict.cause);
    for (const auto& finding : result.findings) {
      INFO(scenario.name << ": " << finding.id);
      produced.insert(finding.id);
      const auto* cause = find_cause(finding.id);
      REQUIRE(cause != nullptr);
      REQUIRE(cause->stage);
      CHECK(*cause->stage == finding.stage);
    }
  }
  // The scenarios reach every rule family: dns, tcp, tls, upgrade, echo, close, warnings.
  CHECK(produced.size() >= 40);
  for (const auto& id : produced) {
    INFO(id);
    CHECK(find_cause(id) != nullptr);
  }
}

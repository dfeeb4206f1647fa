#include "support/jsonl_line.hpp"

#include <catch2/catch.hpp>

#include "report/json.hpp"
#include "support/schema_validation.hpp"

namespace wsprobe::testing {

nlohmann::json parse_valid_result_line(const std::string& line) {
  INFO("line: " << line);
  REQUIRE(line.find('\n') == std::string::npos);
  REQUIRE(nlohmann::json::accept(line));
  auto result = nlohmann::json::parse(line);
  RunReport empty;
  empty.tool.version = "test";
  auto document = to_json(empty);
  document["results"] = nlohmann::json::array({result});
  const auto errors = schema_errors(document);
  INFO("schema: " << (errors.empty() ? "" : errors.front()));
  CHECK(errors.empty());
  return result;
}

}  // namespace wsprobe::testing

#include "support/report_json.hpp"

#include <catch2/catch.hpp>

#include "support/schema_validation.hpp"

namespace wsprobe::testing {

nlohmann::json parse_valid_report(const std::string& text) {
  auto document = nlohmann::json::parse(text, nullptr, false);
  REQUIRE_FALSE(document.is_discarded());
  const auto errors = schema_errors(document);
  for (const auto& error : errors) UNSCOPED_INFO("schema: " << error);
  CHECK(errors.empty());
  return document;
}

}  // namespace wsprobe::testing

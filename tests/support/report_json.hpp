#pragma once
// A JSON report the real binary printed, parsed and checked against the schema.
#include <nlohmann/json.hpp>
#include <string>

namespace wsprobe::testing {

// Parses `text` (REQUIREs it is JSON) and CHECKs it validates against the report schema, each
// violation shown as "schema: <path>: <what>".
nlohmann::json parse_valid_report(const std::string& text);

}  // namespace wsprobe::testing

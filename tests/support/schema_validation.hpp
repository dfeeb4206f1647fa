#pragma once
// Validation of a JSON report against schema/wsprobe-report.schema.json (draft-07, valijson), for
// the renderer tests and for integration tests that run the real CLI.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wsprobe::testing {

// The schema's violations in `document`, one "<json path>: <what is wrong>" per entry; empty when
// the document is valid. A schema that cannot be read or parsed is reported as an error too, so a
// broken schema fails every test that uses it instead of passing them.
std::vector<std::string> schema_errors(const nlohmann::json& document);

// The schema document itself (parsed once).
const nlohmann::json& report_schema();

}  // namespace wsprobe::testing

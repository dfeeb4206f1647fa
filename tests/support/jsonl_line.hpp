#pragma once
// --jsonl lines checked against the report schema: the schema validates whole documents, so each
// line (one element of `results`) is wrapped into a one-result document.
#include <nlohmann/json.hpp>
#include <string>

namespace wsprobe::testing {

// Parses one line (REQUIREs it is JSON on one line) and CHECKs that it validates as a result.
nlohmann::json parse_valid_result_line(const std::string& line);

}  // namespace wsprobe::testing

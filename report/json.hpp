#pragma once
// The JSON report (schema/wsprobe-report.schema.json): one document per run, `results` an array
// even for one target.
#include <nlohmann/json.hpp>
#include <string>

#include "model/report.hpp"

namespace wsprobe {

inline constexpr int kJsonSchemaVersion = 1;

nlohmann::json to_json(const TargetResult& result);
nlohmann::json to_json(const RunReport& report);
std::string render_json(const RunReport& report);  // pretty-printed, trailing newline

}  // namespace wsprobe

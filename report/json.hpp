#pragma once
// The JSON report (schema/wsprobe-report.schema.json): one document per run, `results` an array
// even for one target. Every stage appears in order; a skipped stage has null times. Each stage
// carries `observed` (its Observations member, or null when absent); optionals not observed are
// null, never 0; durations are integer microseconds in `*_us` fields. Strings are valid UTF-8
// (bytes from the peer that are not become U+FFFD), so dump() never throws on them.
#include <nlohmann/json.hpp>
#include <string>

#include "model/report.hpp"

namespace wsprobe {

inline constexpr int kJsonSchemaVersion = 1;

// The document as a value (keys sorted, as nlohmann::json keeps them).
nlohmann::json to_json(const TargetResult& result);
nlohmann::json to_json(const RunReport& report);
// The document as text, keys in reading order (schema_version, tool, results; stage fields in
// the schema's order), pretty-printed, trailing newline.
std::string render_json(const RunReport& report);
// --jsonl: one target's result on one line (an element of the report's `results`, the schema's
// #/definitions/result), newline-terminated, written as each target ends.
std::string render_json_line(const TargetResult& result);

}  // namespace wsprobe

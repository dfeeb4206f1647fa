#pragma once
// What the tests ask of a finding's evidence: a line exactly as a rule words it, or a phrase in one
// of its lines (the words around a measured number vary).
#include <algorithm>
#include <string>
#include <string_view>

#include "model/report.hpp"

namespace wsprobe::test {

// One of the finding's evidence lines is exactly `line`.
inline bool has_evidence(const Finding& finding, std::string_view line) {
  return std::find(finding.evidence.begin(), finding.evidence.end(), line) != finding.evidence.end();
}

// One of the finding's evidence lines contains `text`.
inline bool mentions(const Finding& finding, std::string_view text) {
  return std::any_of(finding.evidence.begin(), finding.evidence.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

}  // namespace wsprobe::test

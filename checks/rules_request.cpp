// Notes on what the request controls asked for and did not get.
#include <algorithm>

#include "checks/rules.hpp"
#include "wire/permessage_deflate.hpp"

namespace wsprobe {

std::vector<Finding> find_request_notes(const TargetResult& result) {
  std::vector<Finding> findings;
  const auto& upgrade = result.observed.upgrade;
  const auto stage = std::find_if(result.stages.begin(), result.stages.end(),
                                  [](const StageResult& s) { return s.stage == Stage::upgrade; });
  const bool upgraded = stage != result.stages.end() &&
                        (stage->status == StageStatus::ok || stage->status == StageStatus::warn);
  if (!upgrade || !upgraded || upgrade->compression) return findings;
  const auto offer = std::find_if(upgrade->offered_extensions.begin(), upgrade->offered_extensions.end(),
                                  [](const std::string& element) { return is_permessage_deflate(element); });
  if (offer == upgrade->offered_extensions.end()) return findings;
  auto finding = make_finding("compression_not_negotiated", Severity::info, Stage::upgrade, Confidence::certain);
  finding.evidence.push_back("offered Sec-WebSocket-Extensions: " + *offer);
  std::string answered;
  for (const auto& e : upgrade->extensions) answered += (answered.empty() ? "" : ", ") + e;
  finding.evidence.push_back("101 Sec-WebSocket-Extensions: " + (answered.empty() ? std::string("(none)") : answered));
  findings.push_back(std::move(finding));
  return findings;
}

}  // namespace wsprobe

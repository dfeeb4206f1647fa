#include "model/report.hpp"

namespace wsprobe {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warn: return "warn";
    case Severity::fail: return "fail";
  }
  return "unknown";
}

std::string_view to_string(Confidence confidence) {
  switch (confidence) {
    case Confidence::certain: return "certain";
    case Confidence::likely: return "likely";
    case Confidence::possible: return "possible";
  }
  return "unknown";
}

std::string_view to_string(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::pass: return "pass";
    case VerdictStatus::degraded: return "degraded";
    case VerdictStatus::fail: return "fail";
  }
  return "unknown";
}

int exit_code_for(const RunReport& report) {
  bool degraded = false;
  for (const auto& result : report.results) {
    if (result.verdict.status == VerdictStatus::fail) return 1;
    if (result.verdict.status == VerdictStatus::degraded) degraded = true;
  }
  return degraded ? 3 : 0;
}

}  // namespace wsprobe

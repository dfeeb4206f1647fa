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

const StageResult* find_stage(const TargetResult& result, Stage stage) {
  for (const auto& each : result.stages)
    if (each.stage == stage) return &each;
  return nullptr;
}

bool stage_passed(const TargetResult& result, Stage stage) {
  const auto* each = find_stage(result, stage);
  return each && (each->status == StageStatus::ok || each->status == StageStatus::warn);
}

std::optional<std::int64_t> leaf_cert_days_left(const TargetResult& result) {
  const auto& tls = result.observed.tls;
  if (!tls || tls->peer_chain.empty() || result.started_at_epoch_s <= 0) return std::nullopt;
  constexpr std::int64_t kSecondsPerDay = 86400;
  const auto seconds = tls->peer_chain.front().not_after_epoch_s - result.started_at_epoch_s;
  return seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
}

int exit_code_for(const RunReport& report) {
  if (report.interrupted) return kExitInterrupted;
  bool degraded = false;
  for (const auto& result : report.results) {
    if (result.verdict.status == VerdictStatus::fail) return 1;
    if (result.verdict.status == VerdictStatus::degraded) degraded = true;
  }
  return degraded ? 3 : 0;
}

}  // namespace wsprobe

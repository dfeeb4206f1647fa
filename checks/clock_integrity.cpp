#include "checks/clock_integrity.hpp"

#include "checks/evidence.hpp"
#include "checks/rules.hpp"
#include "model/join.hpp"

namespace wsprobe {

std::optional<Micros> contaminating_lag(const StageResult& stage) {
  if (!stage.loop_lag || stage.status == StageStatus::skipped) return std::nullopt;
  const auto lag = *stage.loop_lag;
  if (lag < kContaminatingLag || static_cast<double>(lag.count()) < kContaminatingShare * static_cast<double>(stage.duration.count()))
    return std::nullopt;
  return lag;
}

std::string lag_words(const StageResult& stage) {
  return "wsprobe's event loop ran " + duration_words(stage.loop_lag.value_or(Micros(0))) + " late during the " +
         std::string(to_string(stage.stage)) + " stage's " + duration_words(stage.duration);
}

std::optional<Finding> find_clock_contamination(const TargetResult& result) {
  const StageResult* worst = nullptr;
  std::vector<std::string> stages;
  std::vector<std::string> evidence;
  for (const auto& stage : result.stages) {
    const auto lag = contaminating_lag(stage);
    if (!lag) continue;
    if (!worst || *lag > *worst->loop_lag) worst = &stage;
    stages.emplace_back(to_string(stage.stage));
    evidence.push_back(lag_words(stage));
  }
  if (!worst) return std::nullopt;
  auto finding = make_finding("probe_clock_contaminated", Severity::info, worst->stage, Confidence::certain);
  finding.summary = "The " + join(stages, ", ") + (stages.size() == 1 ? " time includes" : " times include") +
                    " wsprobe's own delays: its event loop was busy (other targets' work, or the machine's) for " +
                    duration_words(*worst->loop_lag) + " of the " + std::string(to_string(worst->stage)) +
                    " stage, so the figure is not the path's alone.";
  finding.evidence = std::move(evidence);
  return finding;
}

}  // namespace wsprobe

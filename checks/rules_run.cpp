// The run's --deadline: targets it left unprobed, and probes it cut short.
#include "checks/rules_run.hpp"

#include <cstdio>

#include "checks/rules.hpp"
#include "checks/verdict.hpp"

namespace wsprobe {
namespace {

std::string seconds(Micros duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", static_cast<double>(duration.count()) / 1e6);
  return text;
}

std::string seconds(std::chrono::milliseconds duration) { return seconds(Micros(duration)); }

bool is_timeout(Condition condition) {
  return condition == Condition::timeout || condition == Condition::connect_timeout ||
         condition == Condition::dns_timeout;
}

}  // namespace

void diagnose_not_run(TargetResult& result, std::chrono::milliseconds deadline, Micros turn_at) {
  result.stages.clear();
  for (const auto stage : {Stage::dns, Stage::proxy, Stage::tcp, Stage::tls, Stage::upgrade, Stage::echo, Stage::hold,
                           Stage::close}) {
    StageResult skipped;
    skipped.stage = stage;
    skipped.status = StageStatus::skipped;
    skipped.detail = std::string(kRunDeadlineDetail);
    result.stages.push_back(std::move(skipped));
  }
  auto finding = make_finding("run_deadline_exceeded", Severity::fail, Stage::dns, Confidence::certain);
  finding.evidence.push_back("--deadline " + seconds(deadline) + "; this target's turn came " + seconds(turn_at) +
                             " into the run: not connected to");
  result.findings = {std::move(finding)};
  result.verdict = fold_verdict(result.findings);
  result.verdict.stage.reset();  // no stage ran, so none failed
}

void note_deadline_cut(TargetResult& result, std::chrono::milliseconds deadline, std::chrono::milliseconds budget) {
  if (result.verdict.status != VerdictStatus::fail) return;
  const StageResult* failed = nullptr;
  for (const auto& stage : result.stages)
    if (stage.status == StageStatus::failed) {
      failed = &stage;
      break;
    }
  // A stage that timed out before the shortened budget was spent hit its own limit.
  if (!failed || !is_timeout(failed->condition) || result.total_duration < Micros(budget)) return;
  auto finding = make_finding("run_deadline_exceeded", Severity::fail, failed->stage, Confidence::certain);
  finding.evidence.push_back("--deadline " + seconds(deadline) + " left this target " + seconds(budget) +
                             " of its --timeout; the " + std::string(to_string(failed->stage)) +
                             " stage timed out when that ran out");
  result.findings.insert(result.findings.begin(), std::move(finding));
  result.verdict = fold_verdict(result.findings);
}

}  // namespace wsprobe

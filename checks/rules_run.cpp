// The run's --deadline: targets it left unprobed, and probes it cut short.
#include "checks/rules_run.hpp"

#include "checks/evidence.hpp"
#include "checks/rules.hpp"
#include "checks/verdict.hpp"
#include "model/interruption.hpp"

namespace wsprobe {
namespace {

bool is_timeout(Condition condition) {
  return condition == Condition::timeout || condition == Condition::connect_timeout ||
         condition == Condition::dns_timeout;
}

void skip_every_stage(TargetResult& result, const std::string& detail) {
  result.stages.clear();
  for (const auto stage : {Stage::dns, Stage::proxy, Stage::tcp, Stage::tls, Stage::upgrade, Stage::echo, Stage::hold,
                           Stage::close}) {
    StageResult skipped;
    skipped.stage = stage;
    skipped.status = StageStatus::skipped;
    skipped.detail = detail;
    result.stages.push_back(std::move(skipped));
  }
}

}  // namespace

void diagnose_not_run(TargetResult& result, std::chrono::milliseconds deadline, Micros turn_at) {
  skip_every_stage(result, std::string(kRunDeadlineDetail));
  auto finding = make_finding("run_deadline_exceeded", Severity::fail, Stage::dns, Confidence::certain);
  finding.evidence.push_back("--deadline " + duration_words(deadline) + "; this target's turn came " + duration_words(turn_at) +
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
  finding.evidence.push_back("--deadline " + duration_words(deadline) + " left this target " + duration_words(budget) +
                             " of its --timeout; the " + std::string(to_string(failed->stage)) +
                             " stage timed out when that ran out");
  result.findings.insert(result.findings.begin(), std::move(finding));
  result.verdict = fold_verdict(result.findings);
}

Finding explain_interruption(const StageResult& stage, const Observations& observed) {
  auto finding = make_finding("run_interrupted", Severity::fail, stage.stage, Confidence::certain);
  finding.evidence.push_back(std::string(to_string(stage.stage)) + " stage: " + stage.detail);
  if (stage.stage == Stage::hold && observed.hold)
    finding.evidence.push_back("the hold had lasted " + duration_words(observed.hold->held) + " of the " +
                               duration_words(observed.hold->requested) + " asked for, the connection still up");
  finding.summary = "wsprobe was stopped during the " + std::string(to_string(stage.stage)) +
                    " stage; what ran before it is reported as seen, and nothing is concluded about the endpoint.";
  return finding;
}

Finding explain_unfinished(const TargetResult& result) {
  const auto signal_name = result.interrupted.value_or("a signal");
  const auto not_run = not_run_interrupted(signal_name);
  const StageResult* first = nullptr;
  for (const auto& stage : result.stages)
    if (stage.status == StageStatus::skipped && stage.detail == not_run) {
      first = &stage;
      break;
    }
  auto finding = make_finding("run_interrupted", Severity::fail, first ? first->stage : Stage::dns, Confidence::certain);
  finding.evidence.push_back("the run was interrupted by " + signal_name +
                             (first ? " before the " + std::string(to_string(first->stage)) + " stage"
                                    : std::string(" while its follow-ups ran")));
  finding.summary = "wsprobe was stopped before this probe finished; what ran is reported as seen, and nothing "
                    "is concluded about the rest.";
  return finding;
}

void diagnose_not_started(TargetResult& result, const std::string& signal_name) {
  skip_every_stage(result, not_run_interrupted(signal_name));
  auto finding = make_finding("run_interrupted", Severity::fail, Stage::dns, Confidence::certain);
  finding.evidence.push_back("the run was interrupted by " + signal_name + " before this target's turn: not connected to");
  finding.summary = "wsprobe was stopped before this target was probed.";
  result.findings = {std::move(finding)};
  result.interrupted = signal_name;
  result.verdict = fold_verdict(result.findings);
  result.verdict.stage.reset();  // no stage ran, so none failed
}

}  // namespace wsprobe

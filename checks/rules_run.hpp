#pragma once
// The run as a whole: its --deadline (issue 6), one deadline over many targets, and its
// interruption by SIGINT/SIGTERM (issue 11). Pure: the caller says when each target's turn came,
// what budget it got and which signal came.
#include <chrono>
#include <string>
#include <string_view>

#include "model/report.hpp"

namespace wsprobe {

// The detail of every stage of a target the run's --deadline left unprobed.
inline constexpr std::string_view kRunDeadlineDetail = "not run: the run's --deadline passed";

// A target whose turn came `turn_at` into the run, at or after its `deadline`, is not probed:
// every stage skipped with kRunDeadlineDetail, the one finding run_deadline_exceeded (evidence:
// the deadline and when the turn came), the verdict fail at no stage. Keeps result.target and
// started_at.
void diagnose_not_run(TargetResult& result, std::chrono::milliseconds deadline, Micros turn_at);

// A diagnosed target whose --timeout the deadline shortened to `budget`: when it failed on a
// timeout once that budget was spent, the deadline cut it, not the stage's own limit. Then
// run_deadline_exceeded leads the findings (the stage's own finding stays after it, as evidence
// of where it stood) and the verdict is refolded. Otherwise nothing changes.
void note_deadline_cut(TargetResult& result, std::chrono::milliseconds deadline, std::chrono::milliseconds budget);

// The finding for a stage the run's interruption stopped (Condition::interrupted): run_interrupted
// at that stage, certain, saying what had been seen (how long a hold had held) and that nothing is
// concluded about the endpoint.
Finding explain_interruption(const StageResult& stage, const Observations& observed);

// A target the interruption left unfinished with no stage failed (it came between two stages):
// run_interrupted at the first stage not run, certain.
Finding explain_unfinished(const TargetResult& result);

// A target whose turn came after the run was interrupted by `signal_name`: every stage skipped
// ("not run: interrupted by SIGTERM"), the one finding run_interrupted at no stage, verdict fail.
void diagnose_not_started(TargetResult& result, const std::string& signal_name);

}  // namespace wsprobe

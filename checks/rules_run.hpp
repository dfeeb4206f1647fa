#pragma once
// The run's --deadline (issue 6): one deadline over many targets. Pure: the caller says when each
// target's turn came and what budget it got.
#include <chrono>
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

}  // namespace wsprobe

#pragma once
// From what the probe saw to findings and one verdict. Pure: no I/O, no clock.
#include <vector>

#include "model/report.hpp"

namespace wsprobe {

// Every finding the observations support: the failing stage's cause, then warnings and notes.
std::vector<Finding> find_problems(const TargetResult& result);

// Folds findings into a verdict: fail if any finding fails, degraded if any warns, else pass; the
// first failing stage; one primary cause (the first failure's, else the first warning's, else ok).
Verdict fold_verdict(const std::vector<Finding>& findings);

// Fills result.findings and result.verdict.
void diagnose(TargetResult& result);

}  // namespace wsprobe

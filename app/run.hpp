#pragma once
// One run of wsprobe: probe every target, diagnose, render, and the exit code.
#include <functional>
#include <memory>
#include <vector>

#include "app/cli.hpp"
#include "model/interruption.hpp"
#include "model/report.hpp"

namespace wsprobe {

// Exit codes (README): 0 pass, 1 fail, 3 degraded; 2 usage (or a report that cannot be written),
// 4 an internal error; 5 interrupted by SIGINT or SIGTERM (reports written with what was seen).
int run(const CliOptions& cli);

// The probing half of a run: each of `targets` is one job on one io_context, at most
// cli.concurrency at once, started in input order. A job probes (probe_target, or probe_nodes
// with cli.all_addresses), runs the follow-ups (unless cli.followups is off) and diagnoses.
//
// cli.deadline, counted from this call: a target starts with budgets.total = min(its --timeout,
// what is left of the deadline); a target whose turn comes after the deadline is not probed
// (checks/rules_run.hpp: every stage skipped, run_deadline_exceeded).
//
// `ended` is called with each result as its target ends, in completion order. Returns the results
// in input order.
//
// `interruption` (null: none): given to every target; the first SIGINT or SIGTERM during the call
// interrupts it (app/signals.hpp), targets not started yet are diagnosed as not started.
std::vector<TargetResult> probe_all(std::vector<ProbeOptions> targets, const CliOptions& cli,
                                    const std::function<void(const TargetResult&)>& ended,
                                    const std::shared_ptr<Interruption>& interruption = nullptr);

}  // namespace wsprobe

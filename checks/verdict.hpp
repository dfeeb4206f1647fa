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

// Fills result.findings and result.verdict: the probe's own findings, then the broken assertions
// of result.assertions (checks/assertions.hpp: an expected --expect-status refusal stops failing,
// --fail-on warn raises warnings to failures). The caller copies ProbeOptions::assertions into
// result.assertions. Pure and repeatable: diagnosing a result again gives the same findings.
void diagnose(TargetResult& result);

// --all-addresses: `parent.nodes` hold one diagnosed probe per address, each diagnosed with the
// parent's assertions (node_options copies ProbeOptions, assertions included), so every node answers
// to the same --max-stage, --expect-status, --fail-on...; the caller sets parent.assertions too.
// Fills the parent's findings and verdict: pass when every node passes, the nodes' shared cause when
// all fail alike, else lb_node_partial_failure naming the failing nodes (on nodes failing only by
// --fail-on warn, without the load balancer's usual causes); the nodes' warnings under the parent's
// --fail-on.
void diagnose_nodes(TargetResult& parent);

}  // namespace wsprobe

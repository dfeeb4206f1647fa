#pragma once
// Runs the stages against one target in order, stopping at the first failure; later stages are
// reported as skipped. Produces stages and observations only: checks/ decides the verdict.
#include "model/report.hpp"
#include "model/target.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

net::awaitable<TargetResult> probe_target(ProbeOptions options);

// probe_target writing into `result` (a fresh TargetResult), for a caller that keeps the result
// anyway: a held probe's frame then carries no second TargetResult (about 4 KiB) and no copy of
// the options. `options` and `result` must outlive the await.
net::awaitable<void> probe_target_into(const ProbeOptions& options, TargetResult& result);

// Stamps result.started_at (ISO 8601 UTC, milliseconds) and started_at_epoch_s with the wall clock now.
void stamp_start(TargetResult& result);

// A stage that did not run, and why.
StageResult skipped_stage(Stage stage, std::string detail);

// Blocking form: runs probe_target on its own io_context.
TargetResult run_probe(const ProbeOptions& options);

}  // namespace wsprobe

#pragma once
// Runs the stages against one target in order, stopping at the first failure; later stages are
// reported as skipped. Produces stages and observations only: checks/ decides the verdict.
#include "model/report.hpp"
#include "model/target.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

net::awaitable<TargetResult> probe_target(ProbeOptions options);

// Blocking form: runs probe_target on its own io_context.
TargetResult run_probe(const ProbeOptions& options);

}  // namespace wsprobe

#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// tcp: connects to context.addresses in order, recording every attempt, until one stands.
// Fills context.tcp and observed.tcp. The clock runs from the first SYN to the connection that
// stood (or the last failure). Conditions: connect_refused, connect_timeout, unreachable, reset.
net::awaitable<StageResult> run_tcp(ProbeContext& context);

}  // namespace wsprobe

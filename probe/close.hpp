#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// close: sends close 1000 and waits for the peer's close frame and the TCP close.
// Conditions: close_unclean, timeout, reset.
net::awaitable<StageResult> run_close(ProbeContext& context);

}  // namespace wsprobe

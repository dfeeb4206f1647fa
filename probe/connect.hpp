#pragma once
#include <string>

#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// tcp: connects to context.addresses in order, recording every attempt, until one stands.
// Fills context.tcp and observed.tcp. The clock runs from the first SYN to the connection that
// stood (or the last failure). Conditions: connect_refused, connect_timeout, unreachable, reset.
// Each attempt gets the stage's remaining budget divided by the addresses left (at least 1 s,
// or what remains), so one black-holed address leaves time for the next. No addresses: internal.
net::awaitable<StageResult> run_tcp(ProbeContext& context);

// The condition for a failed connect: as classify_io_error, except that any timeout (our
// deadline, beast::error::timeout, or the kernel's ETIMEDOUT) is connect_timeout.
Condition classify_connect_error(const error_code& ec);

// "127.0.0.1:443", "[::1]:443".
std::string format_endpoint(const tcp::endpoint& endpoint);

}  // namespace wsprobe

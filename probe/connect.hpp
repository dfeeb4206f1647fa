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
// The port is context.connect_port (--connect-to's PORT2, else the URL's).
//
// --proxy-protocol v1|v2: once the connection stands, the PROXY header goes out before any other
// byte (source: our local endpoint, destination: the remote one, as an NLB with proxy protocol
// sends it); observed.proxy_protocol_version and _header_hex record it. A failed write fails the
// stage with the write's condition (reset, eof, timeout).
//
// When context.tcp is already set, the proxy stage opened it as a tunnel: no connect is made,
// observed.via_proxy is set, remote_endpoint is the "host:port" asked of the proxy, and the
// stage is ok ("tunnelled through the proxy"), after the PROXY header when one is asked for.
net::awaitable<StageResult> run_tcp(ProbeContext& context);

// One connect attempt's share of what is left before `deadline`: an equal part per address left,
// but at least 1 s (or all that remains), so one black-holed address leaves time for the next.
Clock::duration attempt_budget(Clock::time_point deadline, Clock::time_point now, std::size_t attempts_left);

// The condition for a failed connect: as classify_io_error, except that any timeout (our
// deadline, beast::error::timeout, or the kernel's ETIMEDOUT) is connect_timeout.
Condition classify_connect_error(const error_code& ec);

// "127.0.0.1:443", "[::1]:443".
std::string format_endpoint(const tcp::endpoint& endpoint);

}  // namespace wsprobe

#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// echo: pings (RTT each) and, unless --echo off, messages checked for their echo: --message or
// --size random bytes, in text frames (binary with --binary, or when --message is not UTF-8).
// Compressed replies are inflated when the upgrade negotiated permessage-deflate. With --expect,
// every data message of the stage is a reply matched against the pattern (its first 4 KiB), a
// reply that is not the echo is no mismatch, and without a match by the end of the echo budget
// the stage fails with message_mismatch. Conditions: ping_unanswered, not_echoed (with --echo
// require), message_mismatch, closed_by_peer, protocol_violation, eof, reset, timeout.
net::awaitable<StageResult> run_echo(ProbeContext& context);

}  // namespace wsprobe

#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// echo: pings (RTT each) and, unless --echo off, text messages of --size random bytes, checking
// each reply. Conditions: ping_unanswered, not_echoed (with --echo require), message_mismatch,
// closed_by_peer, eof, reset, timeout.
net::awaitable<StageResult> run_echo(ProbeContext& context);

}  // namespace wsprobe

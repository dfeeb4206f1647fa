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
// With --sizes / --max-size, a size sweep follows the messages once the endpoint echoed
// (probe/size_sweep.hpp); its first failure fails the stage with the sweep's condition and a
// detail "largest echoed 64 KiB; 128 KiB: server sent close 1009 'message too big'".
net::awaitable<StageResult> run_echo(ProbeContext& context);

// `size` random bytes; with `binary` false, ASCII letters and digits (a text frame must carry
// UTF-8, RFC 6455 §8.1).
std::string random_payload(std::size_t size, bool binary);

}  // namespace wsprobe

#pragma once
// --sizes / --max-size: after the echo stage's pings and messages, one message of each size, in
// ascending order, each waiting for its echo; the first size that does not come back intact ends
// the sweep. What a size limit looks like on the wire: a close frame (1009 "message too big",
// RFC 6455 §7.4.1), a dropped connection (FIN or RST without a close frame), or silence.
#include <cstddef>
#include <string>
#include <vector>

#include "model/observations.hpp"
#include "model/target.hpp"
#include "probe/ws_channel.hpp"

namespace wsprobe {

// The largest message the WebSocket channel must accept for these options: twice the largest
// echo wsprobe can ask for (--message, --size, the sweep's largest size), at least 1 MiB. Replies
// above it are refused by the frame decoder, which bounds what a hostile server makes us buffer.
std::size_t channel_message_limit(const ProbeOptions& options);

// "64 KiB", "1 MiB", "1500 bytes".
std::string describe_size(std::size_t bytes);

// Why the sweep stopped: condition closed_by_peer, eof, reset, timeout, not_echoed, message_mismatch
// or protocol_violation; detail "largest echoed 64 KiB; 128 KiB: server sent close 1009 ..."; and
// how the connection ended when it did (a close frame, FIN, RST, a send not done in time).
using SweepStop = ChannelStop;

// Sends each of `sizes` (random payloads, binary or text) and records a SizeProbe each in
// observed.size_sweep, largest_echoed_bytes, and the peer's close frame or the connection's end
// in observed.peer_close / connection_end. Each size's write and its wait for the echo end by
// `deadline` (the echo stage's, which also bounds the channel's writes); a server that stops
// reading fails the size with timeout then. The clock of a size's rtt starts before its send.
net::awaitable<SweepStop> run_size_sweep(WsChannel& channel, EchoObservation& observed,
                                         const std::vector<std::size_t>& sizes, bool binary,
                                         Clock::time_point deadline);

}  // namespace wsprobe

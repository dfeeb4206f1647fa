#pragma once
#include <chrono>

#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// How long the final check of a hold may wait for its answer: the echo budget, at most 5 s. The
// pipeline adds it and --hold to the probe's deadline, so holding never eats into --timeout.
std::chrono::milliseconds hold_check_budget(const ProbeOptions& options);

// hold (--hold): after the echo stage, keeps the connection open for options.hold over
// context.channel, silent or sending a keepalive every --hold-ping (a ping; a small text message
// with --hold-message, whose echo or any reply counts), answering the server's pings and reading
// all along, so a close frame, FIN or RST is seen when it comes. Then proves the connection alive:
// a ping (or message with --hold-message) answered within hold_check_budget. The clock starts when
// the stage starts; HoldObservation::cut_after counts from there, idle_before_cut from our last
// keepalive (or the start). pings_sent, messages_sent and pongs_received count keepalives only,
// not the final check, whose answer is final_check_rtt. Conditions when the connection died: closed_by_peer (a close frame; it is
// answered), eof (FIN), reset (RST), ping_unanswered (the final check got no answer: a silent
// drop), protocol_violation.
net::awaitable<StageResult> run_hold(ProbeContext& context);

}  // namespace wsprobe

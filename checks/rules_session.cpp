// echo and close failures: pings, echoes and close frames after a good 101.
#include "checks/rules.hpp"
#include "wire/close_codes.hpp"

namespace wsprobe {
namespace {

constexpr std::uint16_t kMessageTooBig = 1009;  // RFC 6455 §7.4.1

std::string describe_close(const CloseFrame& close) { return close_frame_explained(close); }

// A write at the echo stage that the server never took: it stopped reading.
bool write_stalled(const Observations& observed, const StageResult& stage) {
  const auto& end = observed.connection_end;
  return stage.stage == Stage::echo && stage.condition == Condition::timeout && end && end->stage == Stage::echo &&
         end->how == "timeout";
}

// The size of the sweep that ended it, when the sweep (--sizes / --max-size) failed.
const SizeProbe* failed_size(const EchoObservation* echo) {
  if (!echo || echo->size_sweep.empty() || echo->size_sweep.back().outcome == "echoed") return nullptr;
  return &echo->size_sweep.back();
}

// A size refused after smaller ones passed: the server closed, dropped or went silent on it.
bool refused_above_a_size(const EchoObservation& echo, const SizeProbe& failed) {
  if (failed.peer_close && failed.peer_close->code == kMessageTooBig) return true;
  return echo.largest_echoed_bytes && failed.outcome != "mismatch";
}

std::string describe_failure(const SizeProbe& failed) {
  std::string out = std::to_string(failed.size_bytes) + " bytes: " + failed.outcome;
  if (failed.peer_close) out += " by the server's " + describe_close(*failed.peer_close);
  if (failed.connection_end)
    out += failed.connection_end == Condition::reset ? " (RST, no close frame)" : " (FIN, no close frame)";
  if (failed.outcome == "timeout") out += " (no echo within the echo budget)";
  return out;
}

// Where the limit usually lives; nginx's client_max_body_size limits HTTP request bodies only.
constexpr std::string_view kSizeLimitKnobs =
    " The limit is usually the server's maximum message size: Boost.Beast read_message_max, Node ws "
    "maxPayload, Python websockets max_size, gorilla/websocket SetReadLimit. nginx client_max_body_size does "
    "not apply to WebSocket frames.";

}  // namespace

std::optional<Finding> explain_session_failure(const StageResult& stage, const Observations& observed) {
  std::string_view id;
  switch (stage.condition) {
    case Condition::ping_unanswered: id = "ping_unanswered"; break;
    case Condition::not_echoed: id = "echo_not_echoed"; break;
    case Condition::message_mismatch: id = "echo_mismatch"; break;
    case Condition::protocol_violation: id = "ws_protocol_violation"; break;
    case Condition::frame_flood: id = "ws_frame_flood"; break;
    case Condition::close_unclean: id = "close_unclean"; break;
    case Condition::timeout: id = stage.stage == Stage::close ? "close_unclean" : "ping_unanswered"; break;
    default: id = "closed_by_peer"; break;
  }
  const auto* echo = observed.echo ? &*observed.echo : nullptr;
  const bool expect_failed = echo && echo->expect && !echo->expect->matched;
  if (id == "echo_mismatch" && expect_failed) id = "echo_expect_failed";
  if (id == "closed_by_peer" && echo && echo->peer_close && echo->peer_close->code == kMessageTooBig)
    id = "message_too_large";
  const auto* failed = stage.stage == Stage::echo ? failed_size(echo) : nullptr;
  if (failed && refused_above_a_size(*echo, *failed)) id = "message_too_large";
  // A size of the sweep that got no answer is an echo that did not come, not an unanswered ping.
  else if (failed && id == "ping_unanswered") id = "echo_not_echoed";
  // Silence above a size may also be a slow path: only a close frame or a drop is certain.
  const bool silent = failed && (failed->outcome == "timeout" || failed->outcome == "not_echoed");
  auto finding = make_finding(id, Severity::fail, stage.stage,
                              id == "message_too_large" && silent ? Confidence::likely : Confidence::certain);
  if (failed) {
    std::size_t echoed = 0;
    for (const auto& size : echo->size_sweep) echoed += size.outcome == "echoed";
    finding.evidence.push_back(
        "size sweep: " + std::to_string(echoed) + " of " + std::to_string(echo->size_sweep.size()) +
        " sizes echoed" +
        (echo->largest_echoed_bytes ? ", largest " + std::to_string(*echo->largest_echoed_bytes) + " bytes" : ""));
    finding.evidence.push_back("first failure at " + describe_failure(*failed));
    if (id == "message_too_large") finding.fix += kSizeLimitKnobs;
  }
  if (echo && stage.stage == Stage::echo) {
    // The sweep's failure line already names the close frame that ended it.
    if (echo->peer_close && !(failed && failed->peer_close))
      finding.evidence.push_back("server sent " + describe_close(*echo->peer_close));
    if (echo->connection_end)
      finding.evidence.push_back(std::string("connection ended: ") + std::string(to_string(*echo->connection_end)));
    std::size_t pongs = 0;
    for (const auto& rtt : echo->ping_rtts) pongs += rtt.has_value();
    finding.evidence.push_back(std::to_string(pongs) + " of " + std::to_string(echo->ping_rtts.size()) +
                               " pings answered");
    if (expect_failed) {
      const auto& expect = *echo->expect;
      finding.evidence.push_back("--expect '" + expect.pattern + "': " + std::to_string(expect.replies_checked) +
                                 " replies checked, none matched");
      if (expect.last_reply) finding.evidence.push_back("last reply: '" + *expect.last_reply + "'");
    }
  }
  if (observed.close && stage.stage == Stage::close) {
    finding.evidence.push_back("wsprobe sent close 1000");
    finding.evidence.push_back("TCP end: " + std::string(to_string(observed.close->tcp_end)));
  }
  if (id == "ping_unanswered" && write_stalled(observed, stage))
    finding.summary = "A frame wsprobe sent was not taken within the echo budget: the server (or a proxy) stopped "
                      "reading, so no pong or echo could follow.";
  if (observed.connection_end && observed.connection_end->stage == stage.stage)
    finding.evidence.push_back(describe_connection_end(*observed.connection_end));
  if (!stage.detail.empty()) finding.evidence.push_back(std::string(to_string(stage.stage)) + ": " + stage.detail);
  return finding;
}

std::string describe_connection_end(const ConnectionEnd& end) {
  std::string out = "connection ended during the " + std::string(to_string(end.stage)) + " stage: ";
  const std::string by = end.by == "client" ? "wsprobe" : "the " + end.by;
  if (end.how == "close_frame") {
    out += "closed by " + by + " with " + (end.close_frame ? close_frame_explained(*end.close_frame) : "a close frame");
    if (end.handshake_completed) return out + "; close handshake completed";
    return out + (end.by == "client" ? "; the server never answered it, close handshake not completed"
                                     : "; close handshake not completed");
  }
  if (end.how == "fin") return out + "closed by " + by + " with FIN, no close frame (a browser sees 1006)";
  if (end.how == "reset") return out + "reset by " + by + " (RST), no close frame (a browser sees 1006)";
  if (end.how == "timeout")
    return out + "timed out: the server (or a proxy) took no more of what wsprobe sent, or answered nothing in time";
  if (end.how == "silent") return out + "no sign from the server: nothing answered (a silent drop, or a stalled server)";
  if (end.how == "abandoned") return out + "wsprobe dropped it after the failure, without a close frame";
  return out + end.how + " (" + end.by + ")";
}

}  // namespace wsprobe

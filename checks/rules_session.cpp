// echo and close failures: pings, echoes and close frames after a good 101.
#include "checks/rules.hpp"

namespace wsprobe {
namespace {

constexpr std::uint16_t kMessageTooBig = 1009;  // RFC 6455 §7.4.1

std::string describe_close(const CloseFrame& close) {
  std::string out = "close frame";
  if (close.code) out += " " + std::to_string(*close.code);
  if (!close.reason.empty()) out += " '" + close.reason + "'";
  return out;
}

}  // namespace

std::optional<Finding> explain_session_failure(const StageResult& stage, const Observations& observed) {
  std::string_view id;
  switch (stage.condition) {
    case Condition::ping_unanswered: id = "ping_unanswered"; break;
    case Condition::not_echoed: id = "echo_not_echoed"; break;
    case Condition::message_mismatch: id = "echo_mismatch"; break;
    case Condition::protocol_violation: id = "ws_protocol_violation"; break;
    case Condition::close_unclean: id = "close_unclean"; break;
    case Condition::timeout: id = stage.stage == Stage::close ? "close_unclean" : "ping_unanswered"; break;
    default: id = "closed_by_peer"; break;
  }
  const auto* echo = observed.echo ? &*observed.echo : nullptr;
  const bool expect_failed = echo && echo->expect && !echo->expect->matched;
  if (id == "echo_mismatch" && expect_failed) id = "echo_expect_failed";
  if (id == "closed_by_peer" && echo && echo->peer_close && echo->peer_close->code == kMessageTooBig)
    id = "message_too_large";
  auto finding = make_finding(id, Severity::fail, stage.stage, Confidence::certain);
  if (echo && stage.stage == Stage::echo) {
    if (echo->peer_close) finding.evidence.push_back("server sent " + describe_close(*echo->peer_close));
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
  if (!stage.detail.empty()) finding.evidence.push_back(std::string(to_string(stage.stage)) + ": " + stage.detail);
  return finding;
}

}  // namespace wsprobe

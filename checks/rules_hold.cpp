// hold failures: when, how and by whom an open connection was cut, matched against the timing map
// of knowledge-base.md (idle unless noted).
#include <cmath>
#include <cstdio>

#include "checks/rules.hpp"

namespace wsprobe {
namespace {

struct KnownTimeout {
  double seconds;
  std::string_view who;
  bool lifetime = false;  // counts from the connection's start, busy or idle
  // Cuts without a sign: a silent drop, or an RST only when we next send. Such a timeout matches
  // any measured time at or above it, since nothing shows when it fired.
  bool unseen = false;
};

constexpr KnownTimeout kTimingMap[] = {
    {30, "GCP load balancer backend service timeout (30 s default)", true},
    {30, "HAProxy timeout client without timeout tunnel (OpenShift router: 30 s)"},
    {60, "AWS ALB idle timeout (60 s default)"},
    {60, "nginx proxy_read_timeout (60 s)"},
    {60, "AWS Classic ELB idle timeout (60 s default)"},
    {100, "Cloudflare (about 100 s without data)"},
    {120, "Cloudflare proxy read timeout (120 s in newer docs)"},
    {180, "Traefik v2 respondingTimeouts.idleTimeout (180 s)"},
    {240, "Azure Load Balancer idle timeout (4 min, dropped silently)", false, true},
    {300, "Envoy stream_idle_timeout (5 min)"},
    {300, "Azure Front Door (5 min idle)"},
    {350, "AWS NLB idle timeout (350 s, RST only on the next send)", false, true},
    {600, "API Gateway or CloudFront (10 min idle)"},
    {7200, "API Gateway WebSocket lifetime (2 h)", true},
    {14400, "Azure Front Door lifetime (4 h)", true},
};

// ±10%, at least ±2 s: handshakes, timer granularity and round trips blur the edge.
bool near(double measured, double known) { return std::abs(measured - known) <= std::max(2.0, known * 0.1); }

std::string seconds(Micros duration) {
  char out[32];
  std::snprintf(out, sizeof out, "%.1f s", static_cast<double>(duration.count()) / 1e6);
  return out;
}

// RFC 6455 §7.4.1 and the IANA registry, with what each usually means behind a load balancer.
std::string_view close_code_meaning(std::uint16_t code) {
  switch (code) {
    case 1000: return "normal closure";
    case 1001: return "going away: the server or a proxy is shutting down, or cut an idle connection";
    case 1002: return "protocol error";
    case 1003: return "unsupported data";
    case 1007: return "invalid payload data";
    case 1008: return "policy violation: often authentication expired or an origin refused";
    case 1009: return "message too big";
    case 1010: return "extension required";
    case 1011: return "internal error: the server or a proxy failed";
    case 1012: return "service restart";
    case 1013: return "try again later: overloaded";
    case 1014: return "bad gateway: a proxy's upstream failed";
    default: return code >= 4000 ? "application-defined" : "unregistered";
  }
}

std::string describe_close(const CloseFrame& close) {
  if (!close.code) return "a close frame without a status code";
  std::string out = "a close frame " + std::to_string(*close.code) + " (" +
                    std::string(close_code_meaning(*close.code)) + ")";
  if (!close.reason.empty()) out += " '" + close.reason + "'";
  return out;
}

// Close codes an idle or lifetime cut sends; any other code is the server's own decision.
bool is_cut_code(const std::optional<std::uint16_t>& code) { return !code || *code == 1000 || *code == 1001; }

std::string how(const HoldObservation& hold) {
  if (hold.end == "close_frame" && hold.peer_close) return "by " + describe_close(*hold.peer_close);
  if (hold.end == "fin") return "by FIN without a close frame (a browser sees 1006)";
  if (hold.end == "reset") return "by RST without a close frame (a browser sees 1006)";
  return "";
}

// What the measured time is: an idle time, a lifetime (keepalives flowed), or an upper bound
// (a silent drop shows nothing; an RST may be our next send meeting a long-expired timer).
enum class Measure { idle, lifetime, silent, reset };

// The known timeouts the measured time matches, joined with " or ".
std::string matches(Micros measured_time, Measure measure) {
  const auto measured = static_cast<double>(measured_time.count()) / 1e6;
  std::string out;
  for (const auto& known : kTimingMap) {
    bool hit = false;
    switch (measure) {
      case Measure::idle: hit = near(measured, known.seconds); break;
      case Measure::lifetime: hit = known.lifetime && near(measured, known.seconds); break;
      case Measure::silent: hit = known.unseen && measured >= known.seconds; break;
      case Measure::reset: hit = near(measured, known.seconds) || (known.unseen && measured >= known.seconds); break;
    }
    if (hit) out += (out.empty() ? "" : " or ") + std::string(known.who);
  }
  return out;
}

}  // namespace

std::optional<Finding> explain_hold_failure(const StageResult& stage, const Observations& observed) {
  if (!observed.hold || !observed.hold->end) return explain_session_failure(stage, observed);
  const auto& hold = *observed.hold;
  const bool closed_by_server = hold.end == "close_frame" && hold.peer_close && !is_cut_code(hold.peer_close->code);
  const auto keepalives = hold.pings_sent + hold.messages_sent;
  const auto keepalive_word = hold.keepalive_by_message ? "messages" : "pings";

  auto finding = make_finding(closed_by_server ? "closed_by_peer" : "idle_timeout", Severity::fail, Stage::hold,
                              Confidence::certain);
  if (closed_by_server) {
    finding.summary = "The server closed the held connection after " + seconds(*hold.cut_after) + " with " +
                      describe_close(*hold.peer_close) + ": its own decision, not an idle cut.";
  } else if (hold.end == "silent") {
    // No sign at all: the idle timeout is at most the hold; an L4 balancer that drops silently fits.
    const auto found = matches(hold.held, Measure::silent);
    finding.summary = "No answer to the final " + std::string(hold.keepalive_by_message ? "message" : "ping") +
                      " after holding " + seconds(hold.held) +
                      ": the connection was dropped silently (no close frame, FIN or RST)" +
                      (found.empty() ? "." : "; fits " + found + ".");
  } else if (keepalives > 0) {
    // It died although traffic flowed: what counts is the time since the connection began.
    const auto found = matches(*hold.cut_after, Measure::lifetime);
    finding.summary = "Cut after " + seconds(*hold.cut_after) + " " + how(hold) + " although " +
                      std::to_string(keepalives) + " keepalive " + keepalive_word +
                      " went out: a lifetime limit (or an idle timer that ignores them), not an idle timeout" +
                      (found.empty() ? "." : "; matches " + found + ".");
  } else {
    const auto found = matches(*hold.idle_before_cut, hold.end == "reset" ? Measure::reset : Measure::idle);
    finding.summary = "Cut after " + seconds(*hold.cut_after) + " idle " + how(hold) +
                      (found.empty() ? ": no known default matches; the idle timeout on the path is about " +
                                           seconds(*hold.idle_before_cut) + "."
                                     : ": matches " + found + ".");
  }

  finding.evidence.push_back("held " + seconds(hold.held) + " of " + seconds(hold.requested) + " asked");
  if (hold.end == "silent") {
    finding.evidence.push_back("end: silent, no close frame, FIN or RST; the final check went unanswered");
  } else {
    finding.evidence.push_back("end: " + *hold.end + ", " + how(hold));
    finding.evidence.push_back("cut " + seconds(*hold.cut_after) + " after the hold began, " +
                               seconds(*hold.idle_before_cut) + " after wsprobe last sent");
  }
  finding.evidence.push_back("closed by: " + hold.closed_by);
  if (hold.ping_interval)
    finding.evidence.push_back(std::to_string(keepalives) + " keepalive " + keepalive_word + " sent, every " +
                               seconds(*hold.ping_interval) + "; " + std::to_string(hold.pongs_received) +
                               " pongs received");
  else
    finding.evidence.push_back("silent hold: no keepalive sent");
  return finding;
}

}  // namespace wsprobe

// hold failures: when, how and by whom an open connection was cut, matched against the timing map
// of knowledge-base.md (idle unless noted).
#include <cmath>

#include "checks/evidence.hpp"
#include "checks/rules.hpp"
#include "wire/close_codes.hpp"

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


std::string describe_close(const CloseFrame& close) { return "a " + close_frame_explained(close); }

// Close codes an idle or lifetime cut sends; any other code is the server's own decision.
bool is_cut_code(const std::optional<std::uint16_t>& code) { return !code || *code == 1000 || *code == 1001; }

// "by FIN without a close frame (a browser sees 1006)" for a hold's end (HoldObservation::end).
std::string how(const std::optional<std::string>& end, const std::optional<CloseFrame>& peer_close) {
  if (end == "close_frame" && peer_close) return "by " + describe_close(*peer_close);
  if (end == "fin") return "by FIN without a close frame (a browser sees 1006)";
  if (end == "reset") return "by RST without a close frame (a browser sees 1006)";
  return "";
}
std::string how(const HoldObservation& hold) { return how(hold.end, hold.peer_close); }

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

// "silent run alongside (no keepalives): cut after 0.6 s idle by FIN without a close frame ...".
std::string describe_silent_run(const SilentHold& silent) {
  std::string out = "silent run alongside (no keepalives";
  if (silent.remote_endpoint) out += ", to " + *silent.remote_endpoint;
  out += "): ";
  if (silent.failed_before_hold) {
    out += "never reached its hold, its " + std::string(to_string(*silent.failed_before_hold)) + " stage failed";
    return silent.failure_detail.empty() ? out : out + ": " + silent.failure_detail;
  }
  if (silent.survived) return out + "survived " + duration_words(silent.held) + ", its final ping answered";
  if (!silent.end) return out + "failed after " + duration_words(silent.held) + " without a cut";
  if (silent.end == "silent") return out + "dropped silently, found by its unanswered final ping after " + duration_words(silent.held);
  if (silent.found_by_final_check)
    return out + "cut " + how(silent.end, silent.peer_close) + " when its final ping went out after " + duration_words(silent.held) +
           " idle (the timer may have fired at any time before)";
  out += "cut after " + duration_words(*silent.cut_after);
  if (silent.idle_before_cut) out += " (" + duration_words(*silent.idle_before_cut) + " idle)";
  out += " " + how(silent.end, silent.peer_close);
  if (!silent.closed_by.empty()) out += ", closed by: " + silent.closed_by;
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
    finding.summary = "The server closed the held connection after " + duration_words(*hold.cut_after) + " with " +
                      describe_close(*hold.peer_close) + ": its own decision, not an idle cut.";
  } else if (hold.end == "silent") {
    // No sign at all: the idle timeout is at most the hold; an L4 balancer that drops silently fits.
    const auto found = matches(hold.held, Measure::silent);
    finding.summary = "No answer to the final " + std::string(hold.keepalive_by_message ? "message" : "ping") +
                      " after holding " + duration_words(hold.held) +
                      ": the connection was dropped silently (no close frame, FIN or RST)" +
                      (found.empty() ? "." : "; fits " + found + ".");
  } else if (keepalives > 0 && hold.silent_run && hold.silent_run->survived) {
    // The same hold without keepalives lived: no timer ended this one, its keepalives did.
    finding.summary = "Cut after " + duration_words(*hold.cut_after) + " " + how(hold) + " although " +
                      std::to_string(keepalives) + " keepalive " + keepalive_word +
                      " went out, while the silent connection held alongside survived: the keepalives themselves "
                      "seem to end it (" + keepalive_word + " the server or a proxy refuses, or a limit on them), "
                      "not an idle or lifetime timer.";
  } else if (keepalives > 0) {
    // It died although traffic flowed: what counts is the time since the connection began.
    const auto found = matches(*hold.cut_after, Measure::lifetime);
    finding.summary = "Cut after " + duration_words(*hold.cut_after) + " " + how(hold) + " although " +
                      std::to_string(keepalives) + " keepalive " + keepalive_word +
                      " went out: a lifetime limit (or an idle timer that ignores them), not an idle timeout" +
                      (found.empty() ? "." : "; matches " + found + ".");
  } else {
    const auto found = matches(*hold.idle_before_cut, hold.end == "reset" ? Measure::reset : Measure::idle);
    finding.summary = "Cut after " + duration_words(*hold.cut_after) + " idle " + how(hold) +
                      (found.empty() ? ": no known default matches; the idle timeout on the path is about " +
                                           duration_words(*hold.idle_before_cut) + "."
                                     : ": matches " + found + ".");
  }

  finding.evidence.push_back("held " + duration_words(hold.held) + " of " + duration_words(hold.requested) + " asked");
  if (hold.end == "silent") {
    finding.evidence.push_back("end: silent, no close frame, FIN or RST; the final check went unanswered");
  } else {
    finding.evidence.push_back("end: " + *hold.end + ", " + how(hold));
    finding.evidence.push_back("cut " + duration_words(*hold.cut_after) + " after the hold began, " +
                               duration_words(*hold.idle_before_cut) + " after wsprobe last sent");
  }
  finding.evidence.push_back("closed by: " + hold.closed_by);
  if (hold.ping_interval)
    finding.evidence.push_back(std::to_string(keepalives) + " keepalive " + keepalive_word + " sent, every " +
                               duration_words(*hold.ping_interval) + "; " + std::to_string(hold.pongs_received) +
                               " pongs received");
  else
    finding.evidence.push_back("silent hold: no keepalive sent");
  if (hold.silent_run) {
    finding.evidence.push_back(describe_silent_run(*hold.silent_run));
    finding.evidence.push_back("no keepalive interval is safe: the connection died with keepalives");
  }
  if (observed.connection_end && observed.connection_end->stage == Stage::hold)
    finding.evidence.push_back(describe_connection_end(*observed.connection_end));
  return finding;
}

std::vector<Finding> find_hold_notes(const TargetResult& result) {
  const auto& hold = result.observed.hold;
  if (!hold || !hold->survived || !hold->silent_run || !hold->ping_interval) return {};
  const auto& silent = *hold->silent_run;
  const auto interval = *hold->ping_interval;
  const auto keepalive_word = hold->keepalive_by_message ? "messages" : "pings";
  const auto& safe = hold->largest_safe_ping_interval;
  auto finding = make_finding("keepalive_interval_safe", Severity::info, Stage::hold, Confidence::likely);
  const auto kept = "Keepalive " + std::string(keepalive_word) + " every " + duration_words(interval) +
                    " kept the connection up for " + duration_words(hold->held) + "; ";
  if (silent.failed_before_hold || !safe) {
    finding.confidence = Confidence::possible;
    finding.summary = kept + "the silent run alongside did not tell how long an idle connection lives, so only " +
                      duration_words(interval) + " is known to be safe.";
  } else if (silent.survived) {
    finding.confidence = Confidence::certain;
    finding.summary = "Both connections stayed up for " + duration_words(hold->held) +
                      ", the silent one too: no idle cut within --hold, so any keepalive interval up to " +
                      duration_words(*safe) + " is safe (hold longer to find the idle timeout).";
  } else if (silent.found_by_final_check) {
    finding.summary = kept + "the silent connection alongside was dropped without a sign at some time within " +
                      duration_words(silent.held) + " (found only by its final ping): keep keepalives every " +
                      duration_words(*safe) + " or more often.";
  } else {
    const auto found = matches(*silent.idle_before_cut, silent.end == "reset" ? Measure::reset : Measure::idle);
    finding.summary = kept + "the silent connection alongside was cut after " + duration_words(*silent.idle_before_cut) +
                      " idle: any keepalive interval up to " + duration_words(*safe) +
                      " is safe (the cut less a safety margin: 10%, at least 2 s, at most half)" +
                      (found.empty() ? "." : "; the cut matches " + found + ".");
  }
  finding.evidence.push_back(std::to_string(hold->pings_sent + hold->messages_sent) + " keepalive " + keepalive_word +
                             " sent, every " + duration_words(interval) + "; the final check answered after " +
                             duration_words(hold->held));
  finding.evidence.push_back(describe_silent_run(silent));
  if (safe) finding.evidence.push_back("largest safe keepalive interval: " + duration_words(*safe));
  return {std::move(finding)};
}

}  // namespace wsprobe

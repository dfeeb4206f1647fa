#include "probe/hold.hpp"

#include <algorithm>
#include <cstdio>

#include "probe/errors.hpp"
#include "wire/close_codes.hpp"

namespace wsprobe {
namespace {

constexpr auto kMaxCheckBudget = std::chrono::milliseconds(5000);
constexpr std::string_view kKeepalivePayload = "wsprobe-keepalive";
constexpr std::string_view kCheckPayload = "wsprobe-hold-check";

Micros since(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<Micros>(to - from);
}

std::string seconds_text(Micros duration) {
  char out[32];
  std::snprintf(out, sizeof out, "%.1f s", static_cast<double>(duration.count()) / 1e6);
  return out;
}

// How often a watcher (a terminal) hears how far the hold is.
constexpr auto kProgressEvery = std::chrono::seconds(1);

// One hold: the loop, the final check and what they saw, written into the observation.
class HoldRun {
 public:
  HoldRun(ProbeContext& context, HoldObservation& observed)
      : context_(context), channel_(*context.channel), observed_(observed) {}

  net::awaitable<StageResult> run() {
    StageTimer timer(context_, Stage::hold);
    const auto& options = context_.options;
    start_ = Clock::now();
    last_send_ = start_;
    const auto hold_end = std::min(start_ + *options.hold, channel_.hard_deadline());
    // Only the hold's own traffic gets the hold's time: keepalives, the final check, answers.
    channel_.set_write_deadline(hold_end + hold_check_budget(options));
    const auto interval = options.hold_ping;
    std::optional<Clock::time_point> next_keepalive;
    if (interval) next_keepalive = start_ + *interval;
    std::optional<Clock::time_point> next_progress;
    if (options.on_hold_progress) next_progress = start_;

    while (!ended_) {
      const auto now = Clock::now();
      if (now >= hold_end) break;
      if (next_keepalive && now >= *next_keepalive) {
        co_await send_probe(kKeepalivePayload);
        // A late wake-up skips the missed beats instead of sending a burst.
        *next_keepalive = std::max(*next_keepalive + *interval, now + *interval / 2);
        if (next_progress) next_progress = now;  // show the keepalive at once
        continue;
      }
      if (next_progress && now >= *next_progress) {
        options.on_hold_progress(
            HoldProgress{since(start_, now), observed_.requested, observed_.pings_sent + observed_.messages_sent});
        *next_progress = now + kProgressEvery;
      }
      auto wake = next_keepalive ? std::min(*next_keepalive, hold_end) : hold_end;
      if (next_progress) wake = std::min(wake, *next_progress);
      auto event = co_await channel_.next(wake);
      co_await handle(std::move(event));
    }
    observed_.held = since(start_, ended_ ? end_at_ : Clock::now());
    if (!ended_) co_await final_check();

    if (observed_.survived) {
      char rtt[32];
      std::snprintf(rtt, sizeof rtt, "%.1f ms", static_cast<double>(observed_.final_check_rtt->count()) / 1e3);
      co_return timer.finish(StageStatus::ok, Condition::none,
                             "held " + seconds_text(observed_.held) + "; the final " +
                                 (by_message() ? "message" : "ping") + " was answered in " + rtt);
    }
    co_return timer.finish(StageStatus::failed, condition_, detail_);
  }

 private:
  // Proves the connection alive: a ping (a message with --hold-message) that must be answered
  // within the check budget. No answer and no other sign is a silent drop.
  net::awaitable<void> final_check() {
    const auto sent = Clock::now();
    checking_ = true;
    co_await send_probe(kCheckPayload);
    const auto deadline = std::min(sent + hold_check_budget(context_.options), channel_.hard_deadline());
    while (!ended_ && !answered_) {
      auto event = co_await channel_.next(deadline);
      if (event.kind == WsEvent::Kind::failure && event.condition == Condition::timeout) break;
      co_await handle(std::move(event));
    }
    if (answered_) {
      observed_.survived = true;
      observed_.final_check_rtt = since(sent, answered_at_);
      co_return;
    }
    if (ended_) co_return;
    ended_ = true;
    end_at_ = Clock::now();
    observed_.end = "silent";
    record_end("unknown", "silent", end_at_);
    condition_ = Condition::ping_unanswered;
    detail_ = std::string("no answer to the final ") + (by_message() ? "message" : "ping") + " within " +
              seconds_text(since(sent, Clock::now())) + " after holding " + seconds_text(observed_.held) +
              ": dropped silently (no close frame, FIN or RST)";
  }

  bool by_message() const { return context_.options.hold_message; }

  // A keepalive or the final check: a ping, or a text message with --hold-message.
  net::awaitable<void> send_probe(std::string_view payload) {
    const auto ec = co_await channel_.send(by_message() ? Opcode::text : Opcode::ping, payload);
    const auto now = Clock::now();
    if (ec) {
      const auto seen = connection_end_of(ec, Stage::hold);
      auto words = "our " + std::string(by_message() ? "message" : "ping") + " failed: " + describe_error(ec);
      if (seen.how == "fin" || seen.how == "reset")
        end(seen.how, classify_io_error(ec), now, std::move(words));
      else
        stop(classify_io_error(ec), now, std::move(words), seen);
      co_return;
    }
    // The final check is no keepalive, and the idle it ends is what an idle timer counted: an RST
    // that answers it (an NLB's) tells of the silence before it.
    if (checking_) co_return;
    (by_message() ? observed_.messages_sent : observed_.pings_sent) += 1;
    last_send_ = now;
  }

  net::awaitable<void> handle(WsEvent event) {
    switch (event.kind) {
      case WsEvent::Kind::message:
        if (checking_ && by_message()) answer(event.at);
        break;
      case WsEvent::Kind::pong:
        if (checking_ && !by_message()) answer(event.at);
        else ++observed_.pongs_received;
        break;
      case WsEvent::Kind::ping: break;  // WsChannel answered it (RFC 6455 §5.5.2)
      case WsEvent::Kind::close: {
        const auto close = parse_close_payload(event.frame.payload);
        observed_.peer_close = close;
        end("close_frame", Condition::closed_by_peer, event.at, "the server sent " + close_frame_brief(close), "server");
        context_.observed.connection_end->close_frame = close;
        context_.observed.connection_end->handshake_completed = co_await channel_.answer_close(close);
        break;
      }
      case WsEvent::Kind::failure:
        if (event.condition == Condition::timeout && event.at < channel_.hard_deadline()) break;  // a soft wake-up
        if (event.condition == Condition::eof) {
          end("fin", Condition::eof, event.at, "FIN without a close frame");
        } else if (event.condition == Condition::reset) {
          end("reset", Condition::reset, event.at, "RST without a close frame");
        } else {
          stop(event.condition, event.at, event.detail, connection_end_of(event, Stage::hold));
        }
        break;
    }
  }

  void answer(Clock::time_point at) {
    answered_ = true;
    answered_at_ = at;
  }

  // The connection was cut: `how` is HoldObservation::end, `by` who cut it (ConnectionEnd::by).
  void end(std::string how, Condition condition, Clock::time_point at, std::string words,
           std::string by = "intermediary or server") {
    ended_ = true;
    end_at_ = at;
    condition_ = condition;
    record_end(std::move(by), how, at);
    observed_.end = std::move(how);
    observed_.cut_after = since(start_, at);
    observed_.idle_before_cut = since(last_send_, at);
    detail_ = words + " after " + seconds_text(*observed_.cut_after) + " (" +
              seconds_text(*observed_.idle_before_cut) + " after our last send)";
  }

  // The hold ended without a cut to time (a write not done in time, a protocol violation): the
  // stage fails with the session's condition and HoldObservation::end stays empty.
  void stop(Condition condition, Clock::time_point at, std::string detail, const ConnectionEnd& seen) {
    ended_ = true;
    end_at_ = at;
    condition_ = condition;
    detail_ = std::move(detail);
    record_end(seen.by, seen.how, at);
  }

  // The probe's ConnectionEnd, and the hold's closed_by that says the same.
  void record_end(std::string by, std::string how, Clock::time_point at) {
    auto& end = context_.observed.connection_end.emplace();
    end.stage = Stage::hold;
    end.by = std::move(by);
    end.how = std::move(how);
    end.at = context_.offset(at);
    observed_.closed_by = end.by;
  }

  ProbeContext& context_;
  WsChannel& channel_;
  HoldObservation& observed_;
  Clock::time_point start_{};
  Clock::time_point last_send_{};
  bool checking_ = false;
  bool answered_ = false;
  Clock::time_point answered_at_{};
  bool ended_ = false;
  Clock::time_point end_at_{};
  Condition condition_ = Condition::none;
  std::string detail_;
};

}  // namespace

std::chrono::milliseconds hold_check_budget(const ProbeOptions& options) {
  return std::min(options.budgets.echo, kMaxCheckBudget);
}

net::awaitable<StageResult> run_hold(ProbeContext& context) {
  auto& observed = context.observed.hold.emplace();
  observed.requested = std::chrono::duration_cast<Micros>(context.options.hold.value_or(std::chrono::milliseconds(0)));
  if (context.options.hold_ping) observed.ping_interval = std::chrono::duration_cast<Micros>(*context.options.hold_ping);
  observed.keepalive_by_message = context.options.hold_message;
  if (!context.channel || !context.options.hold) {
    StageTimer timer(context, Stage::hold);
    co_return timer.finish(StageStatus::failed, Condition::internal, "no WebSocket connection to hold");
  }
  HoldRun hold(context, observed);
  co_return co_await hold.run();
}

}  // namespace wsprobe

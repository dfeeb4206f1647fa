#include "probe/echo.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <regex>

#include "model/latency.hpp"
#include "probe/errors.hpp"
#include "probe/size_sweep.hpp"
#include "wire/close_codes.hpp"
#include "wire/hex.hpp"
#include "wire/utf8.hpp"
#include "wire/permessage_deflate.hpp"

namespace wsprobe {
namespace {

// How long the first message may go unanswered before the endpoint counts as "does not echo":
// long enough for a slow path (ten times the worst ping), short enough that a non-echo endpoint
// does not cost the whole echo budget.
constexpr auto kMinEchoWait = std::chrono::milliseconds(1000);
// --expect looks at this much of each reply: libstdc++'s std::regex recurses once per character
// and overflows an 8 MiB stack on some 15 KiB inputs, and the server chooses the input.
constexpr std::size_t kExpectWindowBytes = 4 * 1024;
// How much of a reply the report keeps (ExpectCheck).
constexpr std::size_t kReplyEvidenceBytes = 256;

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size));
  return bytes;
}

// A text frame must carry UTF-8 (RFC 6455 §8.1): random text stays within ASCII letters and digits.
std::string random_text(std::size_t size) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  auto bytes = random_bytes(size);
  for (auto& c : bytes) c = kAlphabet[static_cast<unsigned char>(c) % kAlphabet.size()];
  return bytes;
}

Micros since(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<Micros>(to - from);
}

// Why waiting stopped, when it was not the awaited frame (not the run's interruption by a signal,
// model/interruption.hpp).
using EchoStop = ChannelStop;

// The replies' application-level check (--expect): every data message of the stage is a reply.
class ReplyMatcher {
 public:
  ReplyMatcher(const std::optional<std::string>& pattern, EchoObservation& observed) : observed_(observed) {
    if (!pattern) return;
    observed.expect.emplace().pattern = *pattern;
    try {
      regex_.emplace(*pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      // The CLI validated the pattern; one that still fails matches nothing.
    }
  }
  bool enabled() const { return observed_.expect.has_value(); }
  bool matched() const { return enabled() && observed_.expect->matched; }

  void check(std::string_view reply) {
    if (!enabled() || matched()) return;
    auto& expect = *observed_.expect;
    ++expect.replies_checked;
    const auto window = reply.substr(0, kExpectWindowBytes);
    bool hit = false;
    try {
      hit = regex_ && std::regex_search(window.begin(), window.end(), *regex_);
    } catch (const std::regex_error&) {
      // error_complexity / error_stack: libstdc++ gave up on this reply; it did not match.
    }
    if (hit) {
      expect.matched = true;
      expect.matching_reply = printable(reply, kReplyEvidenceBytes);
    } else {
      expect.last_reply = printable(reply, kReplyEvidenceBytes);
    }
  }

  // "no reply matched --expect 'P' (3 replies; last: '...')", for the stage detail.
  std::string failure_detail() const {
    const auto& expect = *observed_.expect;
    std::string detail = "no reply matched --expect '" + expect.pattern + "' (";
    if (expect.replies_checked == 0) return detail + "no replies)";
    detail += std::to_string(expect.replies_checked) + (expect.replies_checked == 1 ? " reply" : " replies");
    if (expect.last_reply) detail += "; last: '" + *expect.last_reply + "'";
    return detail + ")";
  }

 private:
  EchoObservation& observed_;
  std::optional<std::regex> regex_;
};

// What one stage run shares between its steps.
struct Session {
  WsChannel& channel;
  EchoObservation& observed;
  ReplyMatcher& expect;

  // Every data message the stage receives: counted when it came compressed, checked by --expect.
  void on_message(const WsEvent& event) {
    if (event.frame.compressed) ++observed.compressed_messages_received;
    expect.check(event.frame.payload);
  }
};

// Records a close frame or a failure that ended a wait; returns what to report.
EchoStop interrupted_by(const WsEvent& event, EchoObservation& observed) {
  if (event.kind == WsEvent::Kind::close) {
    observed.peer_close = parse_close_payload(event.frame.payload);
    return {Condition::closed_by_peer, "server sent " + close_frame_brief(*observed.peer_close),
            connection_end_of(event, Stage::echo), event.at};
  }
  if (event.condition == Condition::eof || event.condition == Condition::reset) observed.connection_end = event.condition;
  return {event.condition, event.detail, connection_end_of(event, Stage::echo), event.at};
}

// A write that failed: the connection is gone (reset, closed), or the peer stopped reading and the
// write did not finish within the echo budget.
EchoStop send_failed(const error_code& ec, const std::string& what, EchoObservation& observed) {
  const auto condition = classify_io_error(ec);
  if (condition == Condition::eof || condition == Condition::reset) observed.connection_end = condition;
  const auto why = condition == Condition::timeout ? "not written within the echo budget (the server stopped reading)"
                                                   : describe_error(ec);
  return {condition, what + ": " + why, connection_end_of(ec, Stage::echo), Clock::now()};
}

// A stop that leaves the connection standing: no end seen.
EchoStop standing(Condition condition, std::string detail) { return {condition, std::move(detail), std::nullopt, {}}; }

// How the connection ended when the stage stopped on `stop` with the connection still standing:
// nothing answered (silent), or wsprobe leaves it after the failure without a close frame.
ConnectionEnd left_standing(const EchoStop& stop) {
  ConnectionEnd end;
  end.stage = Stage::echo;
  const bool silent = stop.condition == Condition::ping_unanswered || stop.condition == Condition::timeout;
  end.by = silent ? "unknown" : "client";
  end.how = silent ? "silent" : "abandoned";
  return end;
}

net::awaitable<EchoStop> run_pings(Session& session, int count, Clock::time_point deadline) {
  auto& observed = session.observed;
  for (int i = 0; i < count; ++i) {
    const auto payload = "wsprobe-ping-" + std::to_string(i);
    const auto sent_at = Clock::now();
    if (auto ec = co_await session.channel.send(Opcode::ping, payload); ec) {
      observed.ping_rtts.emplace_back();
      co_return send_failed(ec, "sending a ping", observed);
    }
    for (;;) {
      auto event = co_await session.channel.next(deadline);
      if (event.kind == WsEvent::Kind::pong && event.frame.payload == payload) {
        observed.ping_rtts.emplace_back(since(sent_at, event.at));
        break;
      }
      if (event.kind == WsEvent::Kind::pong || event.kind == WsEvent::Kind::ping) continue;
      if (event.kind == WsEvent::Kind::message) {
        session.on_message(event);
        ++observed.unsolicited_messages;
        continue;
      }
      observed.ping_rtts.emplace_back();
      if (event.condition == Condition::timeout)
        co_return standing(Condition::ping_unanswered, "no pong to ping " + std::to_string(i + 1) + " within the echo budget");
      co_return interrupted_by(event, observed);
    }
  }
  co_return EchoStop{};
}

// What the messages carry: --message or fresh random bytes each time, as text or binary.
struct PayloadSource {
  const ProbeOptions& options;
  bool binary;

  std::string next() const { return options.message ? *options.message : random_payload(options.message_size, binary); }
};

net::awaitable<EchoStop> run_messages(Session& session, const ProbeOptions& options, Clock::time_point deadline) {
  auto& observed = session.observed;
  Micros worst_ping{0};
  for (const auto& rtt : observed.ping_rtts)
    if (rtt) worst_ping = std::max(worst_ping, *rtt);
  const auto first_wait = std::max<Clock::duration>(kMinEchoWait, worst_ping * 10);
  // A --message that is not UTF-8 cannot go in a text frame (RFC 6455 §8.1): it goes as binary,
  // and payload_kind says so.
  const bool binary = options.binary || (options.message && !is_valid_utf8(*options.message));
  const PayloadSource source{options, binary};
  observed.payload_kind = binary ? "binary" : "text";
  observed.custom_message = options.message.has_value();

  for (int i = 0; i < options.count; ++i) {
    const auto payload = source.next();
    auto& message = observed.messages.emplace_back();
    message.size_bytes = payload.size();
    const auto sent_at = Clock::now();
    if (auto ec = co_await session.channel.send(binary ? Opcode::binary : Opcode::text, payload); ec)
      co_return send_failed(ec, "sending a message", observed);
    // Until the endpoint has echoed once, a silent endpoint only gets `first_wait`.
    const auto wait_until = observed.echo_endpoint ? deadline : std::min(deadline, sent_at + first_wait);
    for (;;) {
      auto event = co_await session.channel.next(wait_until);
      if (event.kind == WsEvent::Kind::message) {
        session.on_message(event);
        if (event.frame.payload == payload) {
          message.outcome = EchoMessage::Outcome::echoed;
          message.rtt = since(sent_at, event.at);
          observed.echo_endpoint = true;
          break;
        }
        // Under --expect the server is expected to answer something else: its replies are judged
        // by the pattern, not as echoes.
        if (session.expect.enabled()) continue;
        // A reply of the same size with other bytes is a corrupted echo; anything else is the
        // server talking on its own (a greeting, a broadcast).
        if (event.frame.payload.size() == payload.size()) {
          message.outcome = EchoMessage::Outcome::mismatch;
          message.rtt = since(sent_at, event.at);
          co_return standing(Condition::message_mismatch,
                             "message " + std::to_string(i + 1) + " came back different from what was sent");
        }
        ++observed.unsolicited_messages;
        continue;
      }
      if (event.kind == WsEvent::Kind::ping || event.kind == WsEvent::Kind::pong) continue;
      if (event.condition == Condition::timeout) {
        if (!observed.echo_endpoint) observed.echo_endpoint = false;
        co_return standing(Condition::not_echoed, "no reply to message " + std::to_string(i + 1) + " of " +
                                                      std::to_string(payload.size()) + " bytes");
      }
      co_return interrupted_by(event, observed);
    }
  }
  co_return EchoStop{};
}

// --expect not yet satisfied: a matching reply may still come, until the echo budget runs out.
net::awaitable<EchoStop> await_expected_reply(Session& session, Clock::time_point deadline) {
  while (!session.expect.matched()) {
    auto event = co_await session.channel.next(deadline);
    if (event.kind == WsEvent::Kind::message) {
      session.on_message(event);
      continue;
    }
    if (event.kind == WsEvent::Kind::ping || event.kind == WsEvent::Kind::pong) continue;
    if (event.condition == Condition::timeout) co_return standing(Condition::message_mismatch, session.expect.failure_detail());
    co_return interrupted_by(event, session.observed);
  }
  co_return EchoStop{};
}

std::optional<LatencyStats> stats_of(const std::vector<std::optional<Micros>>& samples) {
  std::vector<Micros> values;
  for (const auto& s : samples)
    if (s) values.push_back(*s);
  return summarize_latency(std::move(values));
}

// The stage failed on `stop`: records how the connection ended, answering the server's close frame
// (RFC 6455 §5.5.1), and returns the failure.
net::awaitable<StageResult> stopped(ProbeContext& context, StageTimer& timer, EchoStop stop) {
  auto end = stop.end ? *stop.end : left_standing(stop);
  const auto at = stop.end ? stop.end_at : Clock::now();
  if (end.close_frame) end.handshake_completed = co_await context.channel->answer_close(*end.close_frame);
  end.at = context.offset(at);
  context.observed.connection_end = std::move(end);
  co_return timer.finish(StageStatus::failed, stop.condition, std::move(stop.detail));
}

}  // namespace

std::string random_payload(std::size_t size, bool binary) { return binary ? random_bytes(size) : random_text(size); }

net::awaitable<StageResult> run_echo(ProbeContext& context) {
  StageTimer timer(context, Stage::echo);
  auto& observed = context.observed.echo.emplace();
  const auto& options = context.options;
  observed.mode = options.echo;
  if (!context.channel) co_return timer.finish(StageStatus::failed, Condition::internal, "no WebSocket session");
  auto& channel = *context.channel;
  // The upgrade stage validated the answer it recorded; its parameters hold for the session.
  if (const auto& upgrade = context.observed.upgrade; upgrade && upgrade->compression)
    if (const auto answer = parse_deflate_answer(*upgrade->compression, true); answer.params)
      channel.enable_permessage_deflate(*answer.params);
  const auto deadline = context.stage_deadline(options.budgets.echo);
  channel.set_write_deadline(deadline);
  ReplyMatcher expect(options.expect, observed);
  Session session{channel, observed, expect};

  auto stop = co_await run_pings(session, options.count, deadline);
  observed.ping_latency = stats_of(observed.ping_rtts);
  if (stop.condition == Condition::none && observed.mode != EchoMode::off)
    stop = co_await run_messages(session, options, deadline);
  std::vector<std::optional<Micros>> echo_rtts;
  for (const auto& m : observed.messages)
    if (m.outcome == EchoMessage::Outcome::echoed) echo_rtts.push_back(m.rtt);
  observed.echo_latency = stats_of(echo_rtts);

  const bool not_an_echo_endpoint = stop.condition == Condition::not_echoed && observed.mode == EchoMode::automatic &&
                                    !observed.echo_endpoint.value_or(false);
  if (expect.enabled() && !expect.matched() && (stop.condition == Condition::none || not_an_echo_endpoint)) {
    auto late = co_await await_expected_reply(session, deadline);
    if (late.condition != Condition::none) co_return co_await stopped(context, timer, std::move(late));
  }
  if (not_an_echo_endpoint)
    co_return timer.finish(StageStatus::ok, Condition::none, "not an echo endpoint: " + stop.detail);
  if (stop.condition != Condition::none) co_return co_await stopped(context, timer, std::move(stop));
  // The sweep measures echoes: it needs an endpoint that echoed the messages above.
  if (!options.sweep_sizes.empty() && observed.echo_endpoint.value_or(false)) {
    const bool binary = observed.payload_kind == "binary";
    auto sweep = co_await run_size_sweep(channel, observed, options.sweep_sizes, binary, deadline);
    if (sweep.condition != Condition::none) co_return co_await stopped(context, timer, std::move(sweep));
    co_return timer.finish(StageStatus::ok, Condition::none,
                           "size sweep: every size echoed, up to " + describe_size(options.sweep_sizes.back()));
  }
  co_return timer.finish(StageStatus::ok);
}

}  // namespace wsprobe

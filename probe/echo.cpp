#include "probe/echo.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "model/latency.hpp"
#include "probe/errors.hpp"

namespace wsprobe {
namespace {

// How long the first message may go unanswered before the endpoint counts as "does not echo":
// long enough for a slow path (ten times the worst ping), short enough that a non-echo endpoint
// does not cost the whole echo budget.
constexpr auto kMinEchoWait = std::chrono::milliseconds(1000);

std::string random_text(std::size_t size) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string bytes(size, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size));
  for (auto& c : bytes) c = kAlphabet[static_cast<unsigned char>(c) % kAlphabet.size()];
  return bytes;
}

Micros since(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<Micros>(to - from);
}

// Why waiting stopped, when it was not the awaited frame.
struct Interruption {
  Condition condition = Condition::none;
  std::string detail;
};

// Records a close frame or a failure that ended a wait; returns what to report.
Interruption interrupted_by(const WsEvent& event, EchoObservation& observed) {
  if (event.kind == WsEvent::Kind::close) {
    observed.peer_close = parse_close_payload(event.frame.payload);
    const auto& close = *observed.peer_close;
    std::string detail = "server sent close";
    if (close.code) detail += " " + std::to_string(*close.code);
    if (!close.reason.empty()) detail += " '" + close.reason + "'";
    return {Condition::closed_by_peer, detail};
  }
  if (event.condition == Condition::eof || event.condition == Condition::reset) observed.connection_end = event.condition;
  return {event.condition, event.detail};
}

// A write that failed: the connection is gone (reset, closed) or the probe ran out of time.
Interruption send_failed(const error_code& ec, const std::string& what, EchoObservation& observed) {
  const auto condition = classify_io_error(ec);
  if (condition == Condition::eof || condition == Condition::reset) observed.connection_end = condition;
  return {condition, what + ": " + describe_error(ec)};
}

net::awaitable<Interruption> run_pings(WsChannel& channel, EchoObservation& observed, int count,
                                       Clock::time_point deadline) {
  for (int i = 0; i < count; ++i) {
    const auto payload = "wsprobe-ping-" + std::to_string(i);
    const auto sent_at = Clock::now();
    if (auto ec = co_await channel.send(Opcode::ping, payload); ec) {
      observed.ping_rtts.emplace_back();
      co_return send_failed(ec, "sending a ping", observed);
    }
    for (;;) {
      auto event = co_await channel.next(deadline);
      if (event.kind == WsEvent::Kind::pong && event.frame.payload == payload) {
        observed.ping_rtts.emplace_back(since(sent_at, event.at));
        break;
      }
      if (event.kind == WsEvent::Kind::pong || event.kind == WsEvent::Kind::ping) continue;
      if (event.kind == WsEvent::Kind::message) {
        ++observed.unsolicited_messages;
        continue;
      }
      observed.ping_rtts.emplace_back();
      if (event.condition == Condition::timeout)
        co_return Interruption{Condition::ping_unanswered, "no pong to ping " + std::to_string(i + 1) + " within the echo budget"};
      co_return interrupted_by(event, observed);
    }
  }
  co_return Interruption{};
}

net::awaitable<Interruption> run_messages(WsChannel& channel, EchoObservation& observed, const ProbeOptions& options,
                                          Clock::time_point deadline) {
  Micros worst_ping{0};
  for (const auto& rtt : observed.ping_rtts)
    if (rtt) worst_ping = std::max(worst_ping, *rtt);
  const auto first_wait = std::max<Clock::duration>(kMinEchoWait, worst_ping * 10);

  for (int i = 0; i < options.count; ++i) {
    const auto payload = random_text(options.message_size);
    auto& message = observed.messages.emplace_back();
    message.size_bytes = payload.size();
    const auto sent_at = Clock::now();
    if (auto ec = co_await channel.send(Opcode::text, payload); ec)
      co_return send_failed(ec, "sending a message", observed);
    // Until the endpoint has echoed once, a silent endpoint only gets `first_wait`.
    const auto wait_until = observed.echo_endpoint ? deadline : std::min(deadline, sent_at + first_wait);
    for (;;) {
      auto event = co_await channel.next(wait_until);
      if (event.kind == WsEvent::Kind::message) {
        if (event.frame.payload == payload) {
          message.outcome = EchoMessage::Outcome::echoed;
          message.rtt = since(sent_at, event.at);
          observed.echo_endpoint = true;
          break;
        }
        // A reply of the same size with other bytes is a corrupted echo; anything else is the
        // server talking on its own (a greeting, a broadcast).
        if (event.frame.payload.size() == payload.size()) {
          message.outcome = EchoMessage::Outcome::mismatch;
          message.rtt = since(sent_at, event.at);
          co_return Interruption{Condition::message_mismatch,
                                 "message " + std::to_string(i + 1) + " came back different from what was sent"};
        }
        ++observed.unsolicited_messages;
        continue;
      }
      if (event.kind == WsEvent::Kind::ping || event.kind == WsEvent::Kind::pong) continue;
      if (event.condition == Condition::timeout) {
        if (!observed.echo_endpoint) observed.echo_endpoint = false;
        co_return Interruption{Condition::not_echoed,
                               "no reply to message " + std::to_string(i + 1) + " of " +
                                   std::to_string(payload.size()) + " bytes"};
      }
      co_return interrupted_by(event, observed);
    }
  }
  co_return Interruption{};
}

std::optional<LatencyStats> stats_of(const std::vector<std::optional<Micros>>& samples) {
  std::vector<Micros> values;
  for (const auto& s : samples)
    if (s) values.push_back(*s);
  return summarize_latency(std::move(values));
}

}  // namespace

net::awaitable<StageResult> run_echo(ProbeContext& context) {
  StageTimer timer(context, Stage::echo);
  auto& observed = context.observed.echo.emplace();
  observed.mode = context.options.echo;
  if (!context.channel) co_return timer.finish(StageStatus::failed, Condition::internal, "no WebSocket session");
  auto& channel = *context.channel;
  const auto deadline = context.stage_deadline(context.options.budgets.echo);

  auto stop = co_await run_pings(channel, observed, context.options.count, deadline);
  observed.ping_latency = stats_of(observed.ping_rtts);
  if (stop.condition == Condition::none && observed.mode != EchoMode::off)
    stop = co_await run_messages(channel, observed, context.options, deadline);
  std::vector<std::optional<Micros>> echo_rtts;
  for (const auto& m : observed.messages)
    if (m.outcome == EchoMessage::Outcome::echoed) echo_rtts.push_back(m.rtt);
  observed.echo_latency = stats_of(echo_rtts);

  if (stop.condition == Condition::not_echoed && observed.mode == EchoMode::automatic &&
      !observed.echo_endpoint.value_or(false))
    co_return timer.finish(StageStatus::ok, Condition::none, "not an echo endpoint: " + stop.detail);
  if (stop.condition != Condition::none) co_return timer.finish(StageStatus::failed, stop.condition, stop.detail);
  co_return timer.finish(StageStatus::ok);
}

}  // namespace wsprobe

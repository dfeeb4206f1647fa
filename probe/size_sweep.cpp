#include "probe/size_sweep.hpp"

#include <algorithm>

#include "probe/echo.hpp"
#include "probe/errors.hpp"
#include "wire/close_codes.hpp"

namespace wsprobe {
namespace {

constexpr std::size_t kMessageLimitFloor = 1 << 20;
// After a send that failed, how long a close frame the server sent before cutting may still be
// read: Beast, for one, sends 1009 and closes while the client is still writing the large frame.
constexpr auto kCloseAfterFailedSend = std::chrono::milliseconds(300);

std::string end_text(Condition condition) {
  return condition == Condition::reset ? "connection reset (RST), no close frame"
                                       : "connection closed (FIN), no close frame";
}

// One size's failure, recorded on its SizeProbe and the stage's observation; `end` when the
// connection ended with it.
struct Failure {
  std::string outcome;
  Condition condition;
  std::string how;
  std::optional<ConnectionEnd> end;
  Clock::time_point end_at{};
};

Failure closed_by(const WsEvent& event, SizeProbe& probe, EchoObservation& observed) {
  probe.peer_close = parse_close_payload(event.frame.payload);
  observed.peer_close = probe.peer_close;
  return {"closed", Condition::closed_by_peer, "server sent " + close_frame_brief(*probe.peer_close),
          connection_end_of(event, Stage::echo), event.at};
}

Failure dropped(Condition condition, SizeProbe& probe, EchoObservation& observed, ConnectionEnd end,
                Clock::time_point at) {
  probe.connection_end = condition;
  observed.connection_end = condition;
  return {"dropped", condition, end_text(condition), std::move(end), at};
}

// The send failed: the connection broke under the message (a close frame may already be waiting),
// or the server stopped reading and the write ran out of the echo budget, which discarded the connection.
net::awaitable<Failure> after_failed_send(WsChannel& channel, const error_code& ec, SizeProbe& probe,
                                          EchoObservation& observed, Clock::time_point deadline) {
  const auto failed_at = Clock::now();
  const auto condition = classify_io_error(ec);
  if (condition == Condition::timeout)
    co_return Failure{"timeout", condition, "not written within the echo budget (the server stopped reading)",
                      connection_end_of(ec, Stage::echo), failed_at};
  for (;;) {
    auto event = co_await channel.next(std::min(deadline, Clock::now() + kCloseAfterFailedSend));
    if (event.kind == WsEvent::Kind::close) co_return closed_by(event, probe, observed);
    if (event.kind != WsEvent::Kind::failure) continue;
    break;
  }
  if (condition == Condition::eof || condition == Condition::reset)
    co_return dropped(condition, probe, observed, connection_end_of(ec, Stage::echo), failed_at);
  co_return Failure{"timeout", condition, "sending it failed: " + describe_error(ec), connection_end_of(ec, Stage::echo),
                    failed_at};
}

// Waits for the echo of `payload`; nothing when it came back intact.
net::awaitable<std::optional<Failure>> await_echo(WsChannel& channel, const std::string& payload, SizeProbe& probe,
                                                  EchoObservation& observed, Clock::time_point sent_at,
                                                  Clock::time_point deadline) {
  bool other_replies = false;
  for (;;) {
    auto event = co_await channel.next(deadline);
    switch (event.kind) {
      case WsEvent::Kind::ping:
      case WsEvent::Kind::pong: continue;
      case WsEvent::Kind::close: co_return closed_by(event, probe, observed);
      case WsEvent::Kind::message:
        if (event.frame.compressed) ++observed.compressed_messages_received;
        probe.rtt = std::chrono::duration_cast<Micros>(event.at - sent_at);
        if (event.frame.payload == payload) co_return std::nullopt;
        if (event.frame.payload.size() == payload.size())
          co_return Failure{"mismatch", Condition::message_mismatch, "came back different from what was sent", std::nullopt, {}};
        probe.rtt.reset();
        ++observed.unsolicited_messages;
        other_replies = true;
        continue;
      case WsEvent::Kind::failure: break;
    }
    if (event.condition == Condition::eof || event.condition == Condition::reset)
      co_return dropped(event.condition, probe, observed, connection_end_of(event, Stage::echo), event.at);
    if (event.condition == Condition::timeout) {
      // The server still talked (other messages), so the connection lived: it did not echo this.
      if (other_replies)
        co_return Failure{"not_echoed", Condition::not_echoed, "not echoed within the echo budget (other messages came)", std::nullopt, {}};
      co_return Failure{"timeout", Condition::timeout, "no echo within the echo budget", std::nullopt, {}};
    }
    co_return Failure{"mismatch", event.condition, event.detail, connection_end_of(event, Stage::echo), event.at};
  }
}

}  // namespace

std::size_t channel_message_limit(const ProbeOptions& options) {
  // The echo of a --message is as long as the message; random payloads are --size.
  auto largest = options.message ? options.message->size() : options.message_size;
  if (!options.sweep_sizes.empty()) largest = std::max(largest, options.sweep_sizes.back());
  return std::max(kMessageLimitFloor, largest * 2);
}

std::string describe_size(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

net::awaitable<SweepStop> run_size_sweep(WsChannel& channel, EchoObservation& observed,
                                         const std::vector<std::size_t>& sizes, bool binary,
                                         Clock::time_point deadline) {
  channel.set_write_deadline(deadline);
  for (const auto size : sizes) {
    const auto payload = random_payload(size, binary);
    auto& probe = observed.size_sweep.emplace_back();
    probe.size_bytes = size;
    const auto sent_at = Clock::now();
    std::optional<Failure> failure;
    if (auto ec = co_await channel.send(binary ? Opcode::binary : Opcode::text, payload); ec)
      failure = co_await after_failed_send(channel, ec, probe, observed, deadline);
    else
      failure = co_await await_echo(channel, payload, probe, observed, sent_at, deadline);
    if (!failure) {
      probe.outcome = "echoed";
      observed.largest_echoed_bytes = size;
      continue;
    }
    probe.outcome = failure->outcome;
    std::string detail = observed.largest_echoed_bytes
                             ? "largest echoed " + describe_size(*observed.largest_echoed_bytes) + "; "
                             : std::string("no size echoed; ");
    co_return SweepStop{failure->condition, detail + describe_size(size) + ": " + failure->how, std::move(failure->end),
                        failure->end_at};
  }
  co_return SweepStop{};
}

}  // namespace wsprobe

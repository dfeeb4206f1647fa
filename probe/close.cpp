#include "probe/close.hpp"

#include <array>

#include "probe/errors.hpp"

namespace wsprobe {
namespace {

constexpr std::uint16_t kNormalClosure = 1000;  // RFC 6455 §7.4.1
constexpr std::string_view kCloseReason = "wsprobe done";

// RFC 6455 §7.1.1: after the close handshake the server closes TCP first; the client waits for
// that FIN (or its budget) before closing its own side.
// The failure that ended the wait: eof (the clean end), reset, timeout, or a violation (a frame
// after the server's close frame).
net::awaitable<WsEvent> wait_for_tcp_end(WsChannel& channel, Clock::time_point deadline) {
  for (;;) {
    auto event = co_await channel.next(deadline);
    if (event.kind == WsEvent::Kind::failure) co_return event;
  }
}

}  // namespace

net::awaitable<StageResult> run_close(ProbeContext& context) {
  StageTimer timer(context, Stage::close);
  auto& observed = context.observed.close.emplace();
  if (!context.channel) co_return timer.finish(StageStatus::failed, Condition::internal, "no WebSocket session");
  auto& channel = *context.channel;
  const auto deadline = context.stage_deadline(context.options.budgets.close);
  channel.set_write_deadline(deadline);

  observed.code_sent = kNormalClosure;
  const auto sent_at = Clock::now();
  if (auto ec = co_await channel.send(Opcode::close, encode_close_payload(kNormalClosure, kCloseReason)); ec) {
    observed.tcp_end = classify_io_error(ec);
    // The connection was gone before wsprobe closed it (or the server stopped reading).
    auto& end = context.observed.connection_end.emplace(connection_end_of(ec, Stage::close));
    end.at = context.offset(sent_at);
    co_return timer.finish(StageStatus::failed, Condition::close_unclean, "sending close: " + describe_error(ec));
  }
  // wsprobe ends the connection; handshake_completed says whether the server answered.
  auto& end = context.observed.connection_end.emplace();
  end.stage = Stage::close;
  end.by = "client";
  end.how = "close_frame";
  end.close_frame = CloseFrame{kNormalClosure, std::string(kCloseReason)};
  end.at = context.offset(sent_at);

  for (;;) {
    auto event = co_await channel.next(deadline);
    if (event.kind == WsEvent::Kind::close) {
      observed.peer_close = parse_close_payload(event.frame.payload);
      observed.close_rtt = std::chrono::duration_cast<Micros>(event.at - sent_at);
      end.handshake_completed = true;
      break;
    }
    if (event.kind == WsEvent::Kind::failure) {
      observed.tcp_end = event.condition;
      // The server's close frame (or what came before it) broke RFC 6455: that, not an unclean close.
      if (is_peer_violation(event.condition))
        co_return timer.finish(StageStatus::failed, event.condition, event.detail);
      const std::string why = event.condition == Condition::timeout ? "none within the close budget"
                              : event.detail.empty()                   ? std::string(to_string(event.condition))
                                                                       : event.detail;
      co_return timer.finish(StageStatus::failed, Condition::close_unclean, "no close frame from the server: " + why);
    }
    // Messages and pongs still in flight before the server's close frame are normal.
  }

  const auto tcp_end = co_await wait_for_tcp_end(channel, deadline);
  if (is_peer_violation(tcp_end.condition)) {
    observed.tcp_end = tcp_end.condition;
    co_return timer.finish(StageStatus::failed, tcp_end.condition, tcp_end.detail);
  }
  observed.tcp_end = tcp_end.condition == Condition::eof ? Condition::none : tcp_end.condition;
  observed.tcp_closed_cleanly = observed.tcp_end == Condition::none;
  co_await context.connection->shutdown_send(deadline);
  if (observed.tcp_end == Condition::timeout)
    co_return timer.finish(StageStatus::ok, Condition::none,
                           "close frames exchanged; the server kept TCP open until wsprobe closed it");
  if (observed.tcp_end == Condition::reset)
    co_return timer.finish(StageStatus::warn, Condition::reset, "close frames exchanged, then the server reset TCP");
  co_return timer.finish(StageStatus::ok);
}

}  // namespace wsprobe

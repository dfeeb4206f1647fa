#include "probe/ws_channel.hpp"

#include <array>
#include <memory>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "probe/errors.hpp"
#include "wire/close_codes.hpp"
#include "wire/ws_conformance.hpp"

namespace wsprobe {

WsChannel::WsChannel(Connection& connection, std::string pending_bytes, Clock::time_point hard_deadline,
                     std::size_t max_message_bytes)
    : connection_(connection),
      hard_deadline_(hard_deadline),
      write_deadline_(hard_deadline),
      max_message_(max_message_bytes),
      decoder_(max_message_bytes),
      assembler_(max_message_bytes) {
  decoder_.feed(pending_bytes);
}

void WsChannel::enable_permessage_deflate(const DeflateParams& params) {
  if (inflater_) return;
  inflater_ = std::make_unique<Inflater>(params);
  decoder_.allow_compressed();
}

net::awaitable<IoResult> WsChannel::read_some_until(net::mutable_buffer buffer, Clock::time_point soft_deadline) {
  // The soft deadline cancels the read on the socket, which leaves it open; the hard deadline is
  // the stream's own expiry, which closes it.
  auto soft_expired = std::make_shared<bool>(false);
  net::steady_timer timer(co_await net::this_coro::executor);
  timer.expires_at(soft_deadline);
  auto& socket = connection_.tcp().socket();
  timer.async_wait([soft_expired, &socket](error_code ec) {
    if (ec) return;
    *soft_expired = true;
    error_code ignored;
    socket.cancel(ignored);
  });
  auto [ec, n] = co_await connection_.read_some(buffer, hard_deadline_);
  timer.cancel();
  if (*soft_expired && ec == net::error::operation_aborted) ec = beast::error::timeout;
  co_return IoResult{ec, n};
}

namespace {

WsEvent failure(Condition condition, std::string detail, Clock::time_point at) {
  return WsEvent{WsEvent::Kind::failure, {}, condition, std::move(detail), at};
}

}  // namespace

std::optional<WsEvent> WsChannel::refuse(const Frame& frame, Clock::time_point now) {
  if (peer_closed_)
    return failure(Condition::protocol_violation,
                   "a " + std::string(to_string(frame.opcode)) + " frame after the server's close frame "
                   "(RFC 6455 §5.5.1: the close frame is the last one an endpoint sends)", now);
  if (!is_control(frame.opcode)) {
    fragments_ = frame.fin ? 0 : fragments_ + 1;
    if (fragments_ > kMaxFragments)
      return failure(Condition::frame_flood, "a message in more than " + std::to_string(kMaxFragments) +
                                                 " fragments (continuation frames without end)", now);
    return std::nullopt;
  }
  if (frame.opcode == Opcode::pong && ++pongs_received_ <= pings_sent_) return std::nullopt;
  if (frame.opcode == Opcode::close) return std::nullopt;
  // Unsolicited pings and pongs, counted per window: a server pings every few seconds, a flood
  // hundreds of times a second.
  if (now - flood_window_start_ > kFloodWindow) {
    flood_window_start_ = now;
    flood_window_frames_ = 0;
  }
  if (++flood_window_frames_ > kFloodFrames)
    return failure(Condition::frame_flood,
                   "control-frame flood: more than " + std::to_string(kFloodFrames) + " unsolicited " +
                       std::string(to_string(frame.opcode)) + " frames within " +
                       std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - flood_window_start_).count()) +
                       " ms", now);
  return std::nullopt;
}

std::optional<WsEvent> WsChannel::refuse_event(const WsEvent& event) {
  std::optional<std::string> violation;
  if (event.frame.opcode == Opcode::text) violation = text_message_violation(event.frame.payload);
  if (event.frame.opcode == Opcode::close) violation = close_payload_violation(event.frame.payload);
  if (!violation) return std::nullopt;
  return failure(Condition::protocol_violation, std::move(*violation), event.at);
}

net::awaitable<WsEvent> WsChannel::next(Clock::time_point soft_deadline) {
  const auto deadline = std::min(soft_deadline, hard_deadline_);
  for (;;) {
    while (auto frame = decoder_.next()) {
      const auto now = Clock::now();
      if (now >= deadline) co_return failure(Condition::timeout, "the budget ran out while frames kept arriving", now);
      if (auto refused = refuse(*frame, now)) co_return std::move(*refused);
      auto whole = assembler_.add(std::move(*frame));
      if (!whole) {
        if (assembler_.error()) break;
        continue;
      }
      WsEvent event;
      event.at = now;
      event.frame = std::move(*whole);
      if (event.frame.compressed) {
        // The decoder lets RSV1 through only once enable_permessage_deflate() made inflater_.
        auto inflated = inflater_->inflate(event.frame.payload, max_message_);
        if (!inflated.message) co_return failure(Condition::protocol_violation, inflated.error, event.at);
        event.frame.payload = std::move(*inflated.message);
      }
      if (auto refused = refuse_event(event)) co_return std::move(*refused);
      switch (event.frame.opcode) {
        case Opcode::ping:
          // RFC 6455 §5.5.2: a pong with the ping's payload, as soon as practical.
          co_await send(Opcode::pong, event.frame.payload);
          event.kind = WsEvent::Kind::ping;
          break;
        case Opcode::pong: event.kind = WsEvent::Kind::pong; break;
        case Opcode::close:
          peer_closed_ = true;
          event.kind = WsEvent::Kind::close;
          break;
        default: event.kind = WsEvent::Kind::message; break;
      }
      co_return event;
    }
    if (const auto& error = decoder_.error() ? decoder_.error() : assembler_.error())
      co_return failure(Condition::protocol_violation, *error, Clock::now());
    if (const auto now = Clock::now(); now >= deadline) co_return failure(Condition::timeout, "timed out", now);
    if (read_buffer_.size() < kMinRead) read_buffer_.resize(kMinRead);
    auto [ec, n] = co_await read_some_until(net::buffer(read_buffer_), soft_deadline);
    if (ec) co_return failure(classify_io_error(ec), describe_error(ec), Clock::now());
    decoder_.feed(std::string_view(read_buffer_.data(), n));
    if (n == read_buffer_.size() && n < kMaxRead) {
      read_buffer_.resize(2 * n);
    } else if (n < read_buffer_.size() / 4 && read_buffer_.size() > kMinRead) {
      read_buffer_ = std::string(read_buffer_.size() / 2, '\0');  // resize() would keep the capacity
    }
  }
}

net::awaitable<error_code> WsChannel::send(Opcode opcode, std::string_view payload) {
  if (opcode == Opcode::ping) ++pings_sent_;
  const auto frame = encode_client_frame(opcode, payload);
  auto [ec, n] = co_await connection_.write(net::buffer(frame), write_deadline_);
  co_return ec;
}

net::awaitable<bool> WsChannel::answer_close(const CloseFrame& peer_close) {
  const auto& code = peer_close.code;
  const auto reply = !code ? std::string() : encode_close_payload(is_reserved_close_code(*code) ? 1000 : *code, "");
  const auto ec = co_await send(Opcode::close, reply);
  co_return !ec;
}

ConnectionEnd connection_end_of(const WsEvent& event, Stage stage) {
  ConnectionEnd end;
  end.stage = stage;
  if (event.kind == WsEvent::Kind::close) {
    end.by = "server";
    end.how = "close_frame";
    end.close_frame = parse_close_payload(event.frame.payload);
  } else if (event.condition == Condition::eof || event.condition == Condition::reset) {
    end.by = "intermediary or server";
    end.how = event.condition == Condition::eof ? "fin" : "reset";
  } else if (event.condition == Condition::timeout) {
    end.by = "unknown";
    end.how = "timeout";
  } else {
    // A protocol violation or a local failure: RFC 6455 §7.1.7, wsprobe fails the connection.
    end.by = "client";
    end.how = "abandoned";
  }
  return end;
}

ConnectionEnd connection_end_of(const error_code& ec, Stage stage) {
  WsEvent failed;
  failed.condition = classify_io_error(ec);
  return connection_end_of(failed, stage);
}

}  // namespace wsprobe

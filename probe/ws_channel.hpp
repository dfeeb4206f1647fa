#pragma once
// A WebSocket connection after the 101, client side: sends masked frames, reads whole messages
// and control frames, answers pings itself. Used by the echo and close stages.
//
// Waiting has two deadlines. The soft one (the argument to next()) ends one wait without harming
// the connection: the pending read is cancelled and the same connection can be used again (so
// "no echo within 1 s" does not kill the close handshake). The hard one (the probe's deadline)
// bounds everything and discards the connection, as Beast's stream timeouts do.
//
// Writes have the stage's deadline (set_write_deadline): a peer that stops reading stalls a write
// only until the stage that made it runs out of time, not until the hard deadline, which with
// --hold also counts the hold.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "probe/connection.hpp"
#include "wire/permessage_deflate.hpp"
#include "wire/ws_frame.hpp"

namespace wsprobe {

struct WsEvent {
  enum class Kind { message, ping, pong, close, failure } kind = Kind::failure;
  // message, ping, pong or close payload; a message that came compressed is inflated already and
  // keeps frame.compressed set.
  Frame frame;
  Condition condition = Condition::none;  // failure: timeout, eof, reset, protocol_violation
  std::string detail;
  Clock::time_point at{};                 // when the event's last byte was read
};

class WsChannel {
 public:
  WsChannel(Connection& connection, std::string pending_bytes, Clock::time_point hard_deadline,
            std::size_t max_message_bytes);

  // permessage-deflate was negotiated: from now on a message with RSV1 is inflated (at most
  // max_message_bytes of output) instead of failing the connection. Calling it again changes nothing.
  void enable_permessage_deflate(const DeflateParams& params);
  bool permessage_deflate() const { return inflater_ != nullptr; }

  // The next message or control frame, or a failure. Pings are answered with a pong before the
  // ping is reported. Messages wsprobe sends are never compressed (legal under RFC 7692 §6).
  // Both deadlines are checked on every turn, not only when a read blocks: a peer that keeps
  // bytes coming (a ping flood) still gets a timeout at the deadline. Fails with
  // protocol_violation for what RFC 6455 forbids a server to send (framing errors, a text message
  // or close reason that is not UTF-8, a close code that may not be sent, frames after its close
  // frame) and with frame_flood for more than kFloodFrames unsolicited control frames in
  // kFloodWindow or a message in more than kMaxFragments frames.
  net::awaitable<WsEvent> next(Clock::time_point soft_deadline);

  static constexpr int kFloodFrames = 100;
  static constexpr auto kFloodWindow = std::chrono::seconds(1);
  static constexpr std::size_t kMaxFragments = 10000;
  // Writes one frame; a write not done by the write deadline fails with beast::error::timeout and
  // the connection is discarded.
  net::awaitable<error_code> send(Opcode opcode, std::string_view payload);
  // RFC 6455 §5.5.1: answers the server's close frame with one carrying its status code (a normal
  // closure for the codes §7.4.1 forbids sending, an empty payload when it had none). True when the
  // answer was written: the close handshake then completed from our side.
  net::awaitable<bool> answer_close(const CloseFrame& peer_close);

  // From now on every write (sends, the pongs and close answers the channel makes) must be done by
  // `deadline`, capped by the hard deadline. Each stage sets its own; until then, the hard deadline.
  void set_write_deadline(Clock::time_point deadline) { write_deadline_ = std::min(deadline, hard_deadline_); }

  Connection& connection() { return connection_; }
  Clock::time_point hard_deadline() const { return hard_deadline_; }

 private:
  net::awaitable<IoResult> read_some_until(net::mutable_buffer buffer, Clock::time_point soft_deadline);
  // Why `frame`, just decoded, ends the session: a flood or a violation; nothing when it is fine.
  std::optional<WsEvent> refuse(const Frame& frame, Clock::time_point now);
  // The same for a whole message or control frame, after inflation.
  std::optional<WsEvent> refuse_event(const WsEvent& event);

  Connection& connection_;
  Clock::time_point hard_deadline_;
  Clock::time_point write_deadline_;
  std::size_t max_message_;
  std::unique_ptr<Inflater> inflater_;
  FrameDecoder decoder_;
  MessageAssembler assembler_;
  // Sized to need (issue 12): small while frames are small or the connection idles (a held
  // connection's pending read holds it), doubled when a read fills it, halved when reads stay
  // short. A buffer in the reading coroutine's frame would cost 16 KiB per held connection.
  static constexpr std::size_t kMinRead = 512;
  static constexpr std::size_t kMaxRead = 64 * 1024;
  std::string read_buffer_;
  bool peer_closed_ = false;           // the server's close frame was read: nothing may follow it
  std::size_t pings_sent_ = 0;         // a pong answering one of these is not unsolicited
  std::size_t pongs_received_ = 0;
  std::size_t fragments_ = 0;          // frames of the message being assembled
  Clock::time_point flood_window_start_{};
  int flood_window_frames_ = 0;        // unsolicited control frames since flood_window_start_
};

// Why a stage's exchange stopped short: its condition and detail, and when the connection's end
// showed (a close frame, FIN, RST, a send that timed out), how and when it ended.
struct ChannelStop {
  Condition condition = Condition::none;
  std::string detail;
  std::optional<ConnectionEnd> end;  // `at` not filled: end_at holds the instant
  Clock::time_point end_at{};
};

// How the connection ended, as `event` shows it: a close frame (by the server), eof or reset (FIN or
// RST without a close frame), a timeout (unknown), anything else (a protocol violation: wsprobe
// abandons the connection). `at` and handshake_completed are the caller's to fill.
ConnectionEnd connection_end_of(const WsEvent& event, Stage stage);
// The same for a send that failed with `ec`: the connection was already gone (FIN, RST), or the
// write did not finish in time (the peer stopped reading).
ConnectionEnd connection_end_of(const error_code& ec, Stage stage);

}  // namespace wsprobe

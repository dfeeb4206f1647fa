#pragma once
// A WebSocket connection after the 101, client side: sends masked frames, reads whole messages
// and control frames, answers pings itself. Used by the echo and close stages.
//
// Waiting has two deadlines. The soft one (the argument to next()) ends one wait without harming
// the connection: the pending read is cancelled and the same connection can be used again (so
// "no echo within 1 s" does not kill the close handshake). The hard one (the probe's deadline)
// bounds everything and discards the connection, as Beast's stream timeouts do.
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
  net::awaitable<WsEvent> next(Clock::time_point soft_deadline);
  net::awaitable<error_code> send(Opcode opcode, std::string_view payload);

  Connection& connection() { return connection_; }
  Clock::time_point hard_deadline() const { return hard_deadline_; }

 private:
  net::awaitable<IoResult> read_some_until(net::mutable_buffer buffer, Clock::time_point soft_deadline);

  Connection& connection_;
  Clock::time_point hard_deadline_;
  std::size_t max_message_;
  std::unique_ptr<Inflater> inflater_;
  FrameDecoder decoder_;
  MessageAssembler assembler_;
};

}  // namespace wsprobe

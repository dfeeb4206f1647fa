#pragma once
// RFC 6455 §5 framing, client side: masked frames out, unmasked frames in, with a bound on what
// a hostile server can make us buffer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/observations.hpp"

namespace wsprobe {

enum class Opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };
// "ping", "continuation", ...
std::string_view to_string(Opcode opcode);
// Close, ping and pong (RFC 6455 §5.5: the opcode's high bit).
bool is_control(Opcode opcode);

// A client frame: FIN set, masked with a fresh random key (RFC 6455 §5.3).
std::string encode_client_frame(Opcode opcode, std::string_view payload);

// The close frame payload: 2-byte code then the reason (RFC 6455 §5.5.1).
std::string encode_close_payload(std::uint16_t code, std::string_view reason);
CloseFrame parse_close_payload(std::string_view payload);

struct Frame {
  bool fin = true;
  Opcode opcode = Opcode::text;
  std::string payload;
  // RSV1 on the first frame of a data message: "Per-Message Compressed" under permessage-deflate
  // (RFC 7692 §6). An assembled message keeps its first frame's bit.
  bool compressed = false;
};


// RFC 6455 §5.2: a frame's payload length and the header's size through the length field (2, 4
// or 10 bytes); empty while `bytes` does not hold the whole field yet. Both ends' decoders use it.
struct LengthField {
  std::uint64_t length = 0;
  std::size_t header_bytes = 2;
};
std::optional<LengthField> read_length_field(std::string_view bytes);

// Feeds bytes in as they arrive; hands out whole frames. A frame from a server must not be
// masked, control frames are at most 125 bytes and unfragmented, and reserved bits and opcodes
// must be zero without a negotiated extension (RFC 6455 §5.1, §5.2, §5.5): a violation stops
// the decoder and is reported by error(). Once allow_compressed() is called (permessage-deflate
// negotiated), RSV1 is accepted on a text or binary frame, never on a control or continuation
// frame (RFC 7692 §6.1).
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_payload_bytes) : max_payload_(max_payload_bytes) {}

  void allow_compressed() { compressed_allowed_ = true; }

  void feed(std::string_view bytes);
  // The next complete frame, or nothing when more bytes are needed or after an error.
  std::optional<Frame> next();
  const std::optional<std::string>& error() const { return error_; }
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::size_t max_payload_;
  bool compressed_allowed_ = false;
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already handed out; dropped on the next feed
  std::optional<std::string> error_;
};

// Joins fragmented data frames into messages (RFC 6455 §5.4); control frames pass straight through.
class MessageAssembler {
 public:
  explicit MessageAssembler(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}
  // A complete message (or control frame) when `frame` completes one; an error on a violation.
  std::optional<Frame> add(Frame frame);
  const std::optional<std::string>& error() const { return error_; }

 private:
  std::size_t max_message_;
  std::optional<Frame> partial_;
  std::optional<std::string> error_;
};

}  // namespace wsprobe

#include "wire/ws_frame.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "wire/hex.hpp"

namespace wsprobe {

bool is_control(Opcode op) { return static_cast<std::uint8_t>(op) & 0x8; }

namespace {

bool is_known(std::uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

}  // namespace

std::string_view to_string(Opcode opcode) {
  switch (opcode) {
    case Opcode::continuation: return "continuation";
    case Opcode::text: return "text";
    case Opcode::binary: return "binary";
    case Opcode::close: return "close";
    case Opcode::ping: return "ping";
    case Opcode::pong: return "pong";
  }
  return "reserved";
}

std::string encode_client_frame(Opcode opcode, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 14);
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
  const auto n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
  }
  std::array<unsigned char, 4> mask{};
  if (RAND_bytes(mask.data(), mask.size()) != 1) throw std::runtime_error("RAND_bytes failed");
  out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
  const auto start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i) out[start + i] = static_cast<char>(out[start + i] ^ mask[i % 4]);
  return out;
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason.substr(0, 123));
  return out;
}

CloseFrame parse_close_payload(std::string_view payload) {
  CloseFrame frame;
  if (payload.size() >= 2) {
    frame.code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                            static_cast<unsigned char>(payload[1]));
    frame.reason = std::string(payload.substr(2));
  }
  return frame;
}

std::optional<LengthField> read_length_field(std::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  const std::uint64_t seven_bits = static_cast<unsigned char>(bytes[1]) & 0x7F;
  // 126: a 16-bit length follows; 127: a 64-bit one (network byte order).
  const std::size_t extra = seven_bits == 126 ? 2 : seven_bits == 127 ? 8 : 0;
  if (bytes.size() < 2 + extra) return std::nullopt;
  if (extra == 0) return LengthField{seven_bits, 2};
  std::uint64_t length = 0;
  for (std::size_t i = 2; i < 2 + extra; ++i) length = (length << 8) | static_cast<unsigned char>(bytes[i]);
  return LengthField{length, 2 + extra};
}

void FrameDecoder::feed(std::string_view bytes) {
  // Handing out a frame only moves consumed_; the copy happens here, once per read, so decoding
  // many small frames from one read stays linear.
  buffer_.erase(0, consumed_);
  consumed_ = 0;
  buffer_.append(bytes);
}

std::optional<Frame> FrameDecoder::next() {
  const std::string_view buffer = std::string_view(buffer_).substr(consumed_);
  if (error_ || buffer.size() < 2) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(buffer[0]);
  const auto b1 = static_cast<unsigned char>(buffer[1]);
  const std::uint8_t op = b0 & 0x0F;
  const bool rsv1 = b0 & 0x40;
  // The frame as evidence: its header and first payload bytes.
  const auto violation = [&](std::string what) {
    error_ = std::move(what) + " (frame bytes: " + to_hex(buffer.substr(0, 16)) + ")";
    return std::nullopt;
  };
  if ((b0 & 0x30) || (rsv1 && !compressed_allowed_))
    return violation("frame has reserved bits set without a negotiated extension");
  if (!is_known(op))
    return violation("frame has reserved opcode " + std::to_string(op));
  if (rsv1 && (is_control(static_cast<Opcode>(op)) || op == 0))
    return violation("RSV1 (compressed) set on a control or continuation frame (RFC 7692 §6.1 forbids it)");
  if (b1 & 0x80)
    return violation("server frame is masked (RFC 6455 §5.1 forbids it)");
  const auto field = read_length_field(buffer);
  if (!field) return std::nullopt;
  std::size_t header = field->header_bytes;
  std::uint64_t length = field->length;
  const bool fin = b0 & 0x80;
  if (is_control(static_cast<Opcode>(op)) && !fin) return violation("control frame is fragmented (RFC 6455 §5.5)");
  if (is_control(static_cast<Opcode>(op)) && length > 125)
    return violation("control frame of " + std::to_string(length) + " bytes, above the 125 bytes RFC 6455 §5.5 allows");
  if (length > max_payload_)
    return violation("frame of " + std::to_string(length) + " bytes exceeds the limit of " + std::to_string(max_payload_));
  if (buffer.size() < header + length) return std::nullopt;
  Frame frame{fin, static_cast<Opcode>(op), std::string(buffer.substr(header, length)), rsv1};
  consumed_ += header + length;
  return frame;
}

std::optional<Frame> MessageAssembler::add(Frame frame) {
  if (error_) return std::nullopt;
  if (is_control(frame.opcode)) return frame;
  if (frame.opcode == Opcode::continuation) {
    if (!partial_) {
      error_ = "continuation frame without a message to continue";
      return std::nullopt;
    }
    if (partial_->payload.size() + frame.payload.size() > max_message_) {
      error_ = "message exceeds the limit of " + std::to_string(max_message_) + " bytes";
      return std::nullopt;
    }
    partial_->payload += frame.payload;
    if (!frame.fin) return std::nullopt;
    auto whole = std::move(*partial_);
    partial_.reset();
    whole.fin = true;
    return whole;
  }
  if (partial_) {
    error_ = "new data frame while a fragmented message is unfinished";
    return std::nullopt;
  }
  // The first frame counts too: the decoder's bound may be larger than the message's.
  if (frame.payload.size() > max_message_) {
    error_ = "message exceeds the limit of " + std::to_string(max_message_) + " bytes";
    return std::nullopt;
  }
  if (frame.fin) return frame;
  partial_ = std::move(frame);
  return std::nullopt;
}

}  // namespace wsprobe

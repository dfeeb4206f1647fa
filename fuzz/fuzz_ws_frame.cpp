// The RFC 6455 frame decoder and message assembler (wire/ws_frame) fed a hostile server's bytes in
// arbitrary pieces, and the client frame encoder's output read back.
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "wire/ws_frame.hpp"

using namespace wsprobe;

namespace {

// Frames as decoded from `bytes` fed in pieces of `piece` bytes (0: all at once), with the
// decoder's bound; checks the decoder's invariants on each.
std::vector<Frame> decode(std::string_view bytes, std::size_t piece, std::size_t bound, bool compressed,
                          std::optional<std::string>& error) {
  FrameDecoder decoder(bound);
  if (compressed) decoder.allow_compressed();
  std::vector<Frame> frames;
  std::size_t fed = 0;
  do {
    const auto n = piece ? std::min(piece, bytes.size() - fed) : bytes.size();
    decoder.feed(bytes.substr(fed, n));
    fed += n;
    while (auto frame = decoder.next()) {
      FUZZ_CHECK(frame->payload.size() <= bound);
      if (is_control(frame->opcode)) FUZZ_CHECK(frame->fin && frame->payload.size() <= 125 && !frame->compressed);
      FUZZ_CHECK(compressed || !frame->compressed);
      frames.push_back(std::move(*frame));
    }
    FUZZ_CHECK(decoder.buffered() <= fed);
  } while (fed < bytes.size() && !decoder.error());
  error = decoder.error();
  return frames;
}

// The encoder's frame, unmasked again, carries the payload (RFC 6455 §5.2, §5.3).
void check_encoder(Opcode opcode, std::string_view payload) {
  const auto frame = encode_client_frame(opcode, payload);
  FUZZ_CHECK(static_cast<unsigned char>(frame[0]) == (0x80 | static_cast<unsigned>(opcode)));
  FUZZ_CHECK(static_cast<unsigned char>(frame[1]) & 0x80);
  const auto field = read_length_field(frame);
  FUZZ_CHECK(field && field->length == payload.size());
  FUZZ_CHECK(frame.size() == field->header_bytes + 4 + payload.size());
  const auto mask = std::string_view(frame).substr(field->header_bytes, 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    FUZZ_CHECK(static_cast<char>(frame[field->header_bytes + 4 + i] ^ mask[i % 4]) == payload[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const bool compressed = input.ConsumeBool();
  const auto piece = input.ConsumeIntegralInRange<std::size_t>(1, 64);
  // Assembler and decoder bounds as a WebSocket channel sets them (equal), or the assembler's smaller.
  const auto bound = input.ConsumeIntegralInRange<std::size_t>(0, 4096);
  const auto message_bound = input.ConsumeBool() ? bound : input.ConsumeIntegralInRange<std::size_t>(0, bound);
  const auto bytes = input.ConsumeRemainingBytesAsString();

  std::optional<std::string> whole_error, piece_error;
  const auto whole = decode(bytes, 0, bound, compressed, whole_error);
  const auto pieces = decode(bytes, piece, bound, compressed, piece_error);
  // How the bytes arrived never changes what they are.
  FUZZ_CHECK(whole.size() == pieces.size());
  for (std::size_t i = 0; i < whole.size(); ++i)
    FUZZ_CHECK(whole[i].payload == pieces[i].payload && whole[i].opcode == pieces[i].opcode &&
               whole[i].fin == pieces[i].fin && whole[i].compressed == pieces[i].compressed);
  FUZZ_CHECK(whole_error.has_value() == piece_error.has_value());

  MessageAssembler assembler(message_bound);
  for (const auto& frame : whole) {
    const auto message = assembler.add(frame);
    if (assembler.error()) break;
    if (!message) continue;
    FUZZ_CHECK(message->fin);
    FUZZ_CHECK(message->opcode != Opcode::continuation);
    FUZZ_CHECK(message->payload.size() <= message_bound || is_control(message->opcode));
  }

  if (!whole.empty()) check_encoder(whole.front().opcode, whole.front().payload);
  check_encoder(Opcode::binary, bytes);
  return 0;
}

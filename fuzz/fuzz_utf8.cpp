// The UTF-8 validator (wire/utf8) against RFC 3629 itself: every sequence it accepts decodes to
// a scalar value (no surrogate, at most U+10FFFF) whose shortest encoding is those very bytes,
// so no overlong form gets through.
#include "fuzz/fuzz_check.hpp"
#include "wire/utf8.hpp"

using namespace wsprobe;

namespace {

// The code point a sequence of 1 to 4 bytes stands for, read without checking.
char32_t decode(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(s[i])); };
  switch (s.size()) {
    case 1: return byte(0);
    case 2: return (byte(0) & 0x1F) << 6 | (byte(1) & 0x3F);
    case 3: return (byte(0) & 0x0F) << 12 | (byte(1) & 0x3F) << 6 | (byte(2) & 0x3F);
    default: return (byte(0) & 0x07) << 18 | (byte(1) & 0x3F) << 12 | (byte(2) & 0x3F) << 6 | (byte(3) & 0x3F);
  }
}

// RFC 3629 §3: the one encoding of a code point.
std::string encode(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | c >> 6);
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | c >> 12);
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | c >> 18);
    out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  bool all_valid = true;
  for (std::size_t at = 0; at < bytes.size();) {
    const auto length = utf8_sequence_length(bytes, at);
    FUZZ_CHECK(length <= 4 && at + length <= bytes.size());
    if (length == 0) {
      all_valid = false;
      ++at;
      continue;
    }
    const auto sequence = bytes.substr(at, length);
    const auto c = decode(sequence);
    FUZZ_CHECK(c <= 0x10FFFF);
    FUZZ_CHECK(c < 0xD800 || c > 0xDFFF);
    FUZZ_CHECK(encode(c) == sequence);
    at += length;
  }
  FUZZ_CHECK(is_valid_utf8(bytes) == all_valid);
  // And the other way: every scalar value's encoding is accepted whole.
  if (bytes.size() >= 3) {
    const auto c = static_cast<char32_t>((static_cast<unsigned char>(bytes[0]) << 16 |
                                          static_cast<unsigned char>(bytes[1]) << 8 |
                                          static_cast<unsigned char>(bytes[2])) % 0x110000);
    if (c < 0xD800 || c > 0xDFFF) {
      const auto encoded = encode(c);
      FUZZ_CHECK(utf8_sequence_length(encoded, 0) == encoded.size());
      FUZZ_CHECK(is_valid_utf8(encoded));
    }
  }
  return 0;
}

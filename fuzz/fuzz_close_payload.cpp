// Close frame payloads (wire/ws_frame parse_close_payload) and their words (wire/close_codes):
// any payload a server sends, and encode -> parse round trips.
#include "fuzz/fuzz_check.hpp"
#include "wire/close_codes.hpp"
#include "wire/ws_frame.hpp"

using namespace wsprobe;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto payload = fuzz::as_view(data, size);
  const auto frame = parse_close_payload(payload);
  FUZZ_CHECK(frame.code.has_value() == (payload.size() >= 2));
  if (frame.code) {
    FUZZ_CHECK(frame.reason == payload.substr(2));
    // Words for any code: never empty, always starting with the number.
    const auto number = std::to_string(*frame.code);
    FUZZ_CHECK(close_code_label(*frame.code).rfind(number, 0) == 0);
    FUZZ_CHECK(close_code_explained(*frame.code).rfind(number, 0) == 0);
    if (const auto info = close_code_info(*frame.code)) FUZZ_CHECK(!info->name.empty() && !info->meaning.empty());
    (void)is_reserved_close_code(*frame.code);
    // Encoding what was parsed gives the payload back (the reason within 123 bytes, RFC 6455 §5.5).
    const auto encoded = encode_close_payload(*frame.code, frame.reason);
    FUZZ_CHECK(encoded == payload.substr(0, 2 + 123));
    const auto again = parse_close_payload(encoded);
    FUZZ_CHECK(again.code == frame.code && again.reason == frame.reason.substr(0, 123));
  }
  FUZZ_CHECK(!close_frame_brief(frame).empty());
  FUZZ_CHECK(!close_frame_explained(frame).empty());
  return 0;
}

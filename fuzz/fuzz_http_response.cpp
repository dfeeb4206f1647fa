// The HTTP/1.x response head parser (wire/http_response), fed whatever a peer may send, and the
// helpers that read its headers.
#include "fuzz/fuzz_check.hpp"
#include "wire/http_response.hpp"

using namespace wsprobe;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  const auto parse = parse_response_head(bytes);
  FUZZ_CHECK(parse.head.has_value() == (parse.state == HeadState::complete));
  FUZZ_CHECK(parse.state != HeadState::not_http || !parse.error.empty());
  if (!parse.head) return 0;

  const auto& head = *parse.head;
  // The bound holds whatever the peer sends, and the head lies within what was received.
  FUZZ_CHECK(head.head_bytes <= bytes.size());
  FUZZ_CHECK(head.head_bytes <= kMaxResponseHeadBytes);
  FUZZ_CHECK(head.status_code >= 100 && head.status_code <= 999);
  FUZZ_CHECK(bytes.substr(0, 5) == "HTTP/");
  // The head alone parses the same: what follows it (a frame, a body) never changes the head.
  const auto alone = parse_response_head(bytes.substr(0, head.head_bytes));
  FUZZ_CHECK(alone.head && alone.head->head_bytes == head.head_bytes && alone.head->headers.size() == head.headers.size());
  // One byte less is never a complete head of the same length.
  const auto shorter = parse_response_head(bytes.substr(0, head.head_bytes - 1));
  FUZZ_CHECK(!shorter.head || shorter.head->head_bytes < head.head_bytes);

  for (const auto& header : head.headers) {
    FUZZ_CHECK(!header.name.empty());
    FUZZ_CHECK(find_header(head.headers, header.name).has_value());
    for (const auto& item : split_list(header.value)) {
      FUZZ_CHECK(!item.empty());
      FUZZ_CHECK(has_token(header.value, item));
    }
  }
  (void)content_length(head.headers);
  return 0;
}

// What the first bytes of a TLS answer say (wire/tls_record), the alert a handshake keeps from a
// run of alert messages, and the evidence renderings of peer bytes (wire/hex).
#include <optional>

#include "fuzz/fuzz_check.hpp"
#include "probe/tls_alerts.hpp"
#include "wire/hex.hpp"
#include "wire/tls_record.hpp"

using namespace wsprobe;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  FUZZ_CHECK(!is_tls_record(bytes) || starts_with_tls_content_type(bytes));

  const auto line = printable_first_line(bytes);
  FUZZ_CHECK(bytes.substr(0, line.size()) == line);
  FUZZ_CHECK(line.find_first_of("\r\n") == std::string::npos);
  for (const unsigned char c : line) FUZZ_CHECK(c >= 0x20 && c < 0x7f);

  const auto hex = to_hex(bytes);
  FUZZ_CHECK(hex.size() == (bytes.empty() ? 0 : 3 * std::min<std::size_t>(bytes.size(), 64) - 1));
  const auto shown = printable(bytes);
  FUZZ_CHECK(shown.size() == std::min<std::size_t>(bytes.size(), 64));

  // The bytes as alert messages (level, description): the kept one is the last fatal alert's
  // description, else the first alert's.
  std::optional<int> slot, first, last_fatal;
  for (std::size_t at = 0; at + 2 <= bytes.size(); at += 2) {
    const auto alert = bytes.substr(at, 2);
    keep_alert(slot, alert);
    const int description = static_cast<unsigned char>(alert[1]);
    if (!first) first = description;
    if (static_cast<unsigned char>(alert[0]) == 2) last_fatal = description;
    FUZZ_CHECK(!tls_alert_name(description).empty());
  }
  FUZZ_CHECK(slot == (last_fatal ? last_fatal : first));
  return 0;
}

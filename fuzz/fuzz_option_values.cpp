// The value syntaxes of wsprobe's options (app/option_values): durations, sizes, headers, curl's
// --resolve and --connect-to, whatever the user (or a targets file) writes.
#include "app/option_values.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace wsprobe;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto text = fuzz::as_view(data, size);

  if (const auto duration = parse_duration(text)) {
    FUZZ_CHECK(duration->count() >= 0);
    // What format_duration shows reads back as the same duration.
    FUZZ_CHECK(parse_duration(format_duration(*duration)) == duration);
  }
  if (const auto micros = parse_micros(text)) FUZZ_CHECK(micros->count() >= 0);
  (void)parse_size(text);

  if (const auto header = parse_header(text)) {
    FUZZ_CHECK(!header->name.empty());
    FUZZ_CHECK(header->name.find_first_of(" \t\r\n") == std::string::npos);
    FUZZ_CHECK(header->value.find_first_of("\r\n") == std::string::npos);
  }
  if (const auto resolve = parse_resolve(text)) {
    FUZZ_CHECK(!resolve->host.empty() && !resolve->address.empty() && resolve->port != 0);
    FUZZ_CHECK(resolve->address.find('\0') == std::string::npos);  // what inet_pton read is all there is
  }
  if (const auto connect_to = parse_connect_to(text)) {
    FUZZ_CHECK(!connect_to->port || *connect_to->port != 0);
    FUZZ_CHECK(!connect_to->to_port || *connect_to->to_port != 0);
  }
  if (const auto version = tls_version_name(text)) FUZZ_CHECK(*version == text);
  return 0;
}

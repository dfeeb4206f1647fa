#pragma once
// The value syntaxes of wsprobe's options (durations, sizes, headers, curl's --resolve and
// --connect-to), shared by the command line and the targets file.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/target.hpp"

namespace wsprobe {

// "500ms", "5s", "1.5s", "2m", "1h"; a bare number is seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// The same syntax to the microsecond, for latency limits below a millisecond ("0.5ms").
std::optional<std::chrono::microseconds> parse_micros(std::string_view text);
// "32", "4K", "1M" (K = 1024).
std::optional<std::size_t> parse_size(std::string_view text);
// "500ms" or "90s": how a duration the user did not write is shown back in a message.
std::string format_duration(std::chrono::milliseconds duration);

// "Name: value"; refuses a name with blanks and CR or LF anywhere (header injection).
std::optional<HttpHeader> parse_header(std::string_view text);
// curl's --resolve HOST:PORT:ADDR, ADDR an IPv4 or (bracketed or not) IPv6 literal.
std::optional<ResolveOverride> parse_resolve(std::string_view text);
// curl's --connect-to HOST:PORT:HOST2:PORT2; any part may be empty.
std::optional<ConnectTo> parse_connect_to(std::string_view text);
// --dns-server: a numeric IPv4 or IPv6 address with an optional port ("10.0.0.2", "10.0.0.2:5353",
// "::1", "[::1]:5353"). A name cannot be resolved before there is a resolver.
bool is_dns_server(std::string_view text);
// "1.0" .. "1.3".
std::optional<std::string> tls_version_name(std::string_view text);

// Reads a file the user named (@FILE, a targets file), at most `limit` bytes: an option value is
// not a place for gigabytes. Empty with `error` set when it cannot be read or is larger.
std::optional<std::string> read_small_file(const std::string& path, std::size_t limit, std::string& error);

}  // namespace wsprobe

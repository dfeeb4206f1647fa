#include "app/option_values.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <vector>

namespace wsprobe {
namespace {

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  // Fixed notation only: "1e3" is a typo far more often than 1000 s, and from_chars would take it.
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

// A duration in units of `per_second` (1000: milliseconds, 1000000: microseconds).
std::optional<long long> parse_scaled_duration(std::string_view text, double per_second) {
  struct Unit {
    std::string_view suffix;
    double seconds;
  };
  static constexpr Unit kUnits[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}};
  // Beyond this a duration is a typo, and llround would overflow.
  constexpr double kMaxSeconds = 366.0 * 24 * 3600;
  auto scaled = [&](double number, double seconds) -> std::optional<long long> {
    if (number * seconds > kMaxSeconds) return std::nullopt;
    return std::llround(number * seconds * per_second);
  };
  for (const auto& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      const auto number = parse_number(text.substr(0, text.size() - unit.suffix.size()));
      if (!number) continue;
      return scaled(*number, unit.seconds);
    }
  }
  if (const auto seconds = parse_number(text)) return scaled(*seconds, 1);
  return std::nullopt;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits "a:b:c:d" where any part may be a bracketed IPv6 literal ("[::1]").
std::vector<std::string> split_colons(std::string_view text) {
  std::vector<std::string> parts(1);
  bool in_brackets = false;
  for (const char ch : text) {
    if (ch == '[') in_brackets = true;
    if (ch == ']') in_brackets = false;
    if (ch == ':' && !in_brackets) {
      parts.emplace_back();
      continue;
    }
    parts.back().push_back(ch);
  }
  return parts;
}

std::string unbracket(std::string text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') return text.substr(1, text.size() - 2);
  return text;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto value = parse_scaled_duration(text, 1000);
  if (!value) return std::nullopt;
  return std::chrono::milliseconds(*value);
}

std::optional<std::chrono::microseconds> parse_micros(std::string_view text) {
  const auto value = parse_scaled_duration(text, 1000000);
  if (!value) return std::nullopt;
  return std::chrono::microseconds(*value);
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t multiplier = 1;
  if (text.ends_with("K") || text.ends_with("k")) multiplier = 1024;
  if (text.ends_with("M") || text.ends_with("m")) multiplier = 1024 * 1024;
  if (multiplier != 1) text.remove_suffix(1);
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  if (value > std::numeric_limits<std::size_t>::max() / multiplier) return std::nullopt;
  return value * multiplier;
}

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + "s";
  return std::to_string(duration.count()) + "ms";
}

std::optional<HttpHeader> parse_header(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto value = text.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  const auto name = text.substr(0, colon);
  // Header names are tokens; CR/LF anywhere would let a value inject headers (RFC 9110 §5.5).
  if (name.find_first_of(" \t\r\n") != std::string_view::npos || value.find_first_of("\r\n") != std::string_view::npos)
    return std::nullopt;
  return HttpHeader{std::string(name), std::string(value)};
}

std::optional<ResolveOverride> parse_resolve(std::string_view text) {
  // HOST:PORT:ADDR, ADDR possibly a bracketed IPv6 literal (curl's form).
  const auto first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  ResolveOverride out;
  out.host = std::string(text.substr(0, first));
  const auto port = parse_port(text.substr(first + 1, second - first - 1));
  if (!port) return std::nullopt;
  out.port = *port;
  auto address = text.substr(second + 1);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  // inet_pton reads up to a NUL: "127.0.0.1\0junk" must not pass as 127.0.0.1 (fuzz_option_values).
  if (out.host.empty() || address.empty() || address.find('\0') != std::string_view::npos) return std::nullopt;
  out.address = std::string(address);
  unsigned char parsed[16];
  if (inet_pton(AF_INET, out.address.c_str(), parsed) != 1 && inet_pton(AF_INET6, out.address.c_str(), parsed) != 1)
    return std::nullopt;
  return out;
}

std::optional<ConnectTo> parse_connect_to(std::string_view text) {
  const auto parts = split_colons(text);
  if (parts.size() != 4) return std::nullopt;
  ConnectTo out;
  out.host = unbracket(parts[0]);
  out.to_host = unbracket(parts[2]);
  for (const auto& [part, slot] : {std::pair{&parts[1], &out.port}, std::pair{&parts[3], &out.to_port}}) {
    if (part->empty()) continue;
    *slot = parse_port(*part);
    if (!*slot) return std::nullopt;
  }
  return out;
}

bool is_dns_server(std::string_view text) {
  auto is_address = [](std::string_view address, int family) {
    unsigned char parsed[16];
    return inet_pton(family, std::string(address).c_str(), parsed) == 1;
  };
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || !is_address(text.substr(1, close - 1), AF_INET6)) return false;
    const auto rest = text.substr(close + 1);
    return rest.empty() || (rest.starts_with(":") && parse_port(rest.substr(1)));
  }
  if (is_address(text, AF_INET6)) return true;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return is_address(text, AF_INET);
  return is_address(text.substr(0, colon), AF_INET) && parse_port(text.substr(colon + 1));
}

std::optional<std::string> tls_version_name(std::string_view text) {
  for (const auto* version : {"1.0", "1.1", "1.2", "1.3"})
    if (text == version) return std::string(version);
  return std::nullopt;
}

std::optional<std::string> read_small_file(const std::string& path, std::size_t limit, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string content;
  content.resize(limit + 1);
  file.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(file.gcount()));
  if (content.size() > limit) {
    const bool mebibytes = limit % (1024 * 1024) == 0;
    error = path + " is larger than " + std::to_string(limit / (mebibytes ? 1024 * 1024 : 1024)) +
            (mebibytes ? " MiB" : " KiB");
    return std::nullopt;
  }
  return content;
}

}  // namespace wsprobe

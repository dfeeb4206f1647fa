#include "wire/proxy_protocol.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <charconv>
#include <vector>

namespace wsprobe {
namespace {

constexpr std::string_view kV1Prefix = "PROXY ";

struct ParsedAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
};

std::optional<ParsedAddress> parse_address(const std::string& text) {
  ParsedAddress out;
  if (inet_pton(AF_INET, text.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET;
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET6;
    return out;
  }
  return std::nullopt;
}

std::string format_address(int family, const unsigned char* bytes) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(family, bytes, text, sizeof text);
  return text;
}

// Both addresses of one family, or nothing.
std::optional<std::pair<ParsedAddress, ParsedAddress>> parse_pair(const ProxyEndpoints& endpoints) {
  auto source = parse_address(endpoints.source_address);
  auto destination = parse_address(endpoints.destination_address);
  if (!source || !destination || source->family != destination->family) return std::nullopt;
  return std::pair{*source, *destination};
}

void put_port(std::string& out, std::uint16_t port) {
  out.push_back(static_cast<char>(port >> 8));
  out.push_back(static_cast<char>(port & 0xff));
}

std::uint16_t get_u16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(bytes[at]) << 8) |
                                    static_cast<unsigned char>(bytes[at + 1]));
}

// True while `bytes` could still become `prefix` (or already starts with it).
bool agrees_with(std::string_view bytes, std::string_view prefix) {
  const auto n = std::min(bytes.size(), prefix.size());
  return bytes.substr(0, n) == prefix.substr(0, n);
}

ProxyHeaderParse invalid(int version, std::string why) {
  ProxyHeaderParse out;
  out.state = ProxyHeaderState::invalid;
  out.version = version;
  out.error = std::move(why);
  return out;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 5) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto space = line.find(' ', start);
    out.push_back(line.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
    if (space == std::string_view::npos) return out;
    start = space + 1;
  }
}

// Spec §2.1: "PROXY" SP protocol SP source SP destination SP source-port SP destination-port CRLF,
// single spaces, at most 107 bytes; protocol UNKNOWN may be followed by anything up to the CRLF.
ProxyHeaderParse parse_v1(std::string_view bytes) {
  if (!agrees_with(bytes, kV1Prefix)) return invalid(0, "not a PROXY header");
  const auto window = bytes.substr(0, kProxyV1MaxBytes);
  const auto crlf = window.find("\r\n");
  if (crlf == std::string_view::npos) {
    if (bytes.size() >= kProxyV1MaxBytes) return invalid(1, "no CRLF within 107 bytes");
    if (window.find('\n') != std::string_view::npos) return invalid(1, "bare LF in the PROXY line");
    ProxyHeaderParse out;
    out.version = bytes.size() >= kV1Prefix.size() ? 1 : 0;
    return out;
  }
  const auto fields = split_spaces(window.substr(0, crlf));
  ProxyHeaderParse out;
  out.version = 1;
  out.length = crlf + 2;
  if (fields.size() >= 2 && fields[1] == "UNKNOWN") {
    out.state = ProxyHeaderState::complete;
    out.local = true;
    return out;
  }
  if (fields.size() != 6) return invalid(1, "expected 6 fields in the PROXY line");
  const int family = fields[1] == "TCP4" ? AF_INET : fields[1] == "TCP6" ? AF_INET6 : 0;
  if (family == 0) return invalid(1, "unknown protocol " + std::string(fields[1]));
  std::array<unsigned char, 16> scratch{};
  const std::string source(fields[2]), destination(fields[3]);
  // inet_pton stops at a NUL: "2001:db8::2\0..." must not pass as an address (fuzz_proxy_protocol).
  const auto has_nul = [](const std::string& text) { return text.find('\0') != std::string::npos; };
  if (has_nul(source) || has_nul(destination) ||
      inet_pton(family, source.c_str(), scratch.data()) != 1 ||
      inet_pton(family, destination.c_str(), scratch.data()) != 1)
    return invalid(1, "an address is not " + std::string(family == AF_INET ? "IPv4" : "IPv6"));
  const auto source_port = parse_port(fields[4]);
  const auto destination_port = parse_port(fields[5]);
  if (!source_port || !destination_port) return invalid(1, "a port is not 0..65535");
  out.state = ProxyHeaderState::complete;
  out.endpoints = ProxyEndpoints{source, *source_port, destination, *destination_port};
  return out;
}

// Spec §2.2: signature, ver_cmd (version 2 in the high nibble; LOCAL 0 or PROXY 1 in the low),
// family (address family high, transport low), length (network order), then the address block.
ProxyHeaderParse parse_v2(std::string_view bytes) {
  if (!agrees_with(bytes, kProxyV2Signature)) return invalid(0, "not a PROXY header");
  ProxyHeaderParse out;
  out.version = 2;
  if (bytes.size() < kProxyV2FixedBytes) return out;
  const auto ver_cmd = static_cast<unsigned char>(bytes[12]);
  const auto family = static_cast<unsigned char>(bytes[13]);
  if ((ver_cmd >> 4) != 2) return invalid(2, "version nibble is not 2");
  const auto command = ver_cmd & 0x0f;
  if (command > 1) return invalid(2, "unknown command");
  const std::size_t length = get_u16(bytes, 14);
  if (bytes.size() < kProxyV2FixedBytes + length) return out;
  out.length = kProxyV2FixedBytes + length;
  out.state = ProxyHeaderState::complete;
  const auto block = bytes.substr(kProxyV2FixedBytes, length);
  if (command == 0 || family == 0x00) {
    out.local = true;  // LOCAL, or PROXY with UNSPEC: use the connection's own addresses
    return out;
  }
  const auto* raw = reinterpret_cast<const unsigned char*>(block.data());
  if (family == 0x11) {
    if (length < 12) return invalid(2, "IPv4 address block shorter than 12 bytes");
    out.endpoints = ProxyEndpoints{format_address(AF_INET, raw), get_u16(block, 8), format_address(AF_INET, raw + 4),
                                   get_u16(block, 10)};
  } else if (family == 0x21) {
    if (length < 36) return invalid(2, "IPv6 address block shorter than 36 bytes");
    out.endpoints = ProxyEndpoints{format_address(AF_INET6, raw), get_u16(block, 32),
                                   format_address(AF_INET6, raw + 16), get_u16(block, 34)};
  }
  // Other families (UDP, UNIX sockets) are well-formed headers without TCP endpoints.
  return out;
}

}  // namespace

std::optional<std::string> proxy_v1_header(const ProxyEndpoints& endpoints) {
  const auto pair = parse_pair(endpoints);
  if (!pair) return std::nullopt;
  const auto family = pair->first.family;
  return "PROXY " + std::string(family == AF_INET ? "TCP4" : "TCP6") + " " +
         format_address(family, pair->first.bytes.data()) + " " + format_address(family, pair->second.bytes.data()) +
         " " + std::to_string(endpoints.source_port) + " " + std::to_string(endpoints.destination_port) + "\r\n";
}

std::string proxy_v1_unknown_header() { return "PROXY UNKNOWN\r\n"; }

std::optional<std::string> proxy_v2_header(const ProxyEndpoints& endpoints) {
  const auto pair = parse_pair(endpoints);
  if (!pair) return std::nullopt;
  const bool v4 = pair->first.family == AF_INET;
  const std::size_t address_bytes = v4 ? 4 : 16;
  std::string out(kProxyV2Signature);
  out.push_back('\x21');                  // version 2, command PROXY
  out.push_back(v4 ? '\x11' : '\x21');    // AF_INET / AF_INET6, SOCK_STREAM
  put_port(out, static_cast<std::uint16_t>(address_bytes * 2 + 4));  // the address block's length
  out.append(reinterpret_cast<const char*>(pair->first.bytes.data()), address_bytes);
  out.append(reinterpret_cast<const char*>(pair->second.bytes.data()), address_bytes);
  put_port(out, endpoints.source_port);
  put_port(out, endpoints.destination_port);
  return out;
}

std::string proxy_v2_local_header() {
  std::string out(kProxyV2Signature);
  out += std::string_view("\x20\x00\x00\x00", 4);  // version 2 LOCAL, UNSPEC, no address block
  return out;
}

ProxyHeaderParse parse_proxy_header(std::string_view bytes) {
  if (bytes.empty()) return {};
  if (bytes.front() == kProxyV2Signature.front()) return parse_v2(bytes);
  return parse_v1(bytes);
}

}  // namespace wsprobe

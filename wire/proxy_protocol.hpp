#pragma once
// The PROXY protocol header a TCP proxy puts in front of a connection's first byte to tell the
// server who connected (HAProxy's "The PROXY protocol", versions 1 and 2; haproxy
// doc/proxy-protocol.txt). Pure bytes: no sockets, no Asio. wsprobe sends one in the
// proxy_protocol_v1 follow-up (does this target want a header nobody sends?) and, later, under
// --proxy-protocol; the lab's PROXY-requiring listener parses them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe {

// The connection a header describes: who connected (source) to whom (destination). Addresses are
// IP literals ("192.0.2.1", "2001:db8::1", no brackets), both of one family.
struct ProxyEndpoints {
  std::string source_address;
  std::uint16_t source_port = 0;
  std::string destination_address;
  std::uint16_t destination_port = 0;
};

// Spec §2.1: the v1 header is at most 107 bytes, CRLF included.
inline constexpr std::size_t kProxyV1MaxBytes = 107;
// Spec §2.2: the v2 header starts with these 12 bytes, then 4 more (version/command, family,
// length), then `length` bytes of addresses and TLVs.
inline constexpr std::string_view kProxyV2Signature{"\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12};
inline constexpr std::size_t kProxyV2FixedBytes = 16;

// "PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n" (TCP6 for IPv6). Empty optional when an
// address is not an IP literal or the two are of different families.
std::optional<std::string> proxy_v1_header(const ProxyEndpoints& endpoints);
// "PROXY UNKNOWN\r\n": the connection's addresses are not known (spec §2.1); the receiver must
// then use the real connection's addresses.
std::string proxy_v1_unknown_header();

// The binary v2 header with the PROXY command (0x21) and TCP over IPv4 (0x11, 12 address bytes)
// or IPv6 (0x21, 36 address bytes), no TLVs. Empty optional as for v1.
std::optional<std::string> proxy_v2_header(const ProxyEndpoints& endpoints);
// The v2 LOCAL command (0x20) with family UNSPEC and no addresses: a health check from the proxy
// itself; the receiver uses the real connection's addresses.
std::string proxy_v2_local_header();

enum class ProxyHeaderState {
  incomplete,  // a plausible header so far: more bytes needed
  complete,    // a whole header: `length` bytes of it
  invalid,     // not a PROXY header (a plain request, a ClientHello), or a malformed one
};

struct ProxyHeaderParse {
  ProxyHeaderState state = ProxyHeaderState::incomplete;
  int version = 0;          // 1 or 2, once known
  std::size_t length = 0;   // complete: the header's bytes; what follows is the proxied stream
  bool local = false;       // v1 UNKNOWN or v2 LOCAL: no addresses
  std::optional<ProxyEndpoints> endpoints;  // TCP over IPv4/IPv6
  std::string error;        // why invalid
};

// Parses the start of a connection (everything received so far), as a receiver does: v2 by its
// signature, v1 by "PROXY ", anything else is invalid as soon as one byte disagrees.
ProxyHeaderParse parse_proxy_header(std::string_view bytes);

}  // namespace wsprobe

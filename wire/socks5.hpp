#pragma once
// SOCKS5 bytes (RFC 1928) and its username/password sub-negotiation (RFC 1929), without sockets:
// probe/proxy.cpp sends what these build and asks these what came back. Every parser is bounded
// by the message's own length fields and says how many bytes it still needs.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe::socks5 {

inline constexpr int kMethodNoAuth = 0x00;
inline constexpr int kMethodUsernamePassword = 0x02;
inline constexpr int kMethodNoAcceptable = 0xFF;

// RFC 1928 §6 REP values.
inline constexpr int kReplySucceeded = 0x00;
inline constexpr int kReplyNotAllowed = 0x02;

// VER NMETHODS METHODS (RFC 1928 §3): no authentication, and username/password when we have it.
std::string greeting(bool offer_username_password);

// The reply to a greeting (VER METHOD) or to an RFC 1929 request (VER STATUS): two bytes.
struct TwoByteReply {
  bool valid = false;
  int value = 0;      // METHOD, or STATUS (0 = success)
  std::string error;  // why not valid: wrong version, too short
};
TwoByteReply parse_method_choice(std::string_view bytes);
TwoByteReply parse_auth_reply(std::string_view bytes);

// VER=1 ULEN UNAME PLEN PASSWD (RFC 1929 §2); empty optional when either is over 255 bytes.
std::optional<std::string> auth_request(std::string_view username, std::string_view password);

// VER CMD=CONNECT RSV ATYP DST.ADDR DST.PORT (RFC 1928 §4). An IPv4 or IPv6 literal goes as
// ATYP 1 or 4; anything else as a domain name (ATYP 3) for the proxy to resolve. Empty optional
// when the name is empty or over 255 bytes.
std::optional<std::string> connect_request(std::string_view host, std::uint16_t port);

enum class ReplyState { incomplete, complete, invalid };

// VER REP RSV ATYP BND.ADDR BND.PORT (RFC 1928 §6).
struct ConnectReply {
  ReplyState state = ReplyState::incomplete;
  std::size_t needed = 4;             // bytes the whole reply takes, as far as known so far
  std::optional<int> reply;           // REP, as soon as two bytes are in
  std::optional<std::string> bound;   // "addr:port", "[v6]:port", "name:port" when complete
  std::string error;                  // why invalid
};
ConnectReply parse_connect_reply(std::string_view bytes);

// RFC 1928 §6: 1 -> "general SOCKS server failure", ...; unknown values -> "unassigned".
std::string_view reply_name(int reply);
// RFC 1928 §3: 0 -> "no authentication required", 2 -> "username/password", 255 -> "no acceptable methods".
std::string_view method_name(int method);

}  // namespace wsprobe::socks5

#pragma once
// The RFC 6455 §4.1 opening handshake, client side: the request bytes and the checks on a 101.
#include <string>
#include <string_view>
#include <vector>

#include "model/target.hpp"
#include "wire/http_response.hpp"

namespace wsprobe {

// A fresh Sec-WebSocket-Key: 16 random bytes, base64 (RFC 6455 §4.1).
std::string make_websocket_key();

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) (RFC 6455 §4.2.2).
std::string compute_accept(std::string_view key);

// The Host header value: host, bracketed when IPv6, with the port unless it is the scheme's default.
std::string host_header_value(const Target& target);

// The User-Agent wsprobe sends: -A/--user-agent, else kDefaultUserAgent (the CLI may fill the
// option with "wsprobe/VERSION"; the wire layer knows no version).
inline constexpr std::string_view kDefaultUserAgent = "wsprobe";
std::string user_agent_value(const ProbeOptions& options);

// The Sec-WebSocket-Extensions elements the request offers: the user's own header (-H) when
// given, else the permessage-deflate offer under --compress, else none.
std::vector<std::string> extension_offers(const ProbeOptions& options);

// The GET request bytes: Host (--host, else from the URL), Upgrade, Connection,
// Sec-WebSocket-Key/Version, then Origin, Sec-WebSocket-Protocol, Sec-WebSocket-Extensions
// (--compress), User-Agent, and the user's headers in order (a user header replaces a built-in
// one of the same name, except the handshake's key and version).
std::string build_upgrade_request(const ProbeOptions& options, std::string_view key);

struct HandshakeCheck {
  std::optional<std::string> accept;
  std::optional<std::string> subprotocol;
  std::vector<std::string> extensions;
  // The permessage-deflate element the server accepted, when it is valid (RFC 7692 §7.1).
  std::optional<std::string> compression;
  bool accept_ok = false;
  std::vector<std::string> violations;  // each failed check, in words; empty when the 101 is valid
};

// Validates a 101 against what was offered: Upgrade: websocket, Connection: upgrade, the Accept
// key, a subprotocol only from those offered, no extension that was not offered (RFC 6455 §9.1),
// and a permessage-deflate answer whose parameters RFC 7692 §7.1 allows, accepted at most once.
HandshakeCheck validate_101(const HttpResponseHead& head, std::string_view key,
                            const std::vector<std::string>& offered_subprotocols,
                            const std::vector<std::string>& offered_extensions = {});

}  // namespace wsprobe

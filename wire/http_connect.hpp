#pragma once
// The HTTP CONNECT request that asks a forward proxy for a tunnel (RFC 9110 §9.3.6), and the
// reading of its answer. Pure: probe/proxy.cpp sends the bytes and parses what comes back with
// parse_response_head (wire/http_response.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe {

struct ConnectRequest {
  std::string bytes;     // as sent
  std::string redacted;  // for reports: the Proxy-Authorization credentials replaced
};

// "host:port", "[v6]:port": the request target of CONNECT (RFC 9110 §9.3.6 authority-form).
std::string connect_authority(std::string_view host, std::uint16_t port);

// CONNECT authority HTTP/1.1 with Host (RFC 9112 §3.2: the same authority), User-Agent and,
// when a user name is given, Proxy-Authorization: Basic base64(user:password) (RFC 7617).
ConnectRequest build_connect_request(std::string_view authority, std::string_view user_agent,
                                     const std::optional<std::string>& username,
                                     const std::optional<std::string>& password);

// Any 2xx answer to CONNECT means the tunnel stands (RFC 9110 §15.3); the proxy then relays bytes.
bool connect_succeeded(int status_code);

// Standard base64 (RFC 4648 §4) with padding, for Basic credentials.
std::string base64_encode(std::string_view bytes);

}  // namespace wsprobe

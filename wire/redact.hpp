#pragma once
// Secrets never reach a report unless the user asks (--show-secrets): credentials in headers,
// in a URL's user-info, and in query parameters whose names say they are tokens.
#include <string>
#include <string_view>

namespace wsprobe {

inline constexpr std::string_view kRedacted = "REDACTED";

// Authorization, Proxy-Authorization, Cookie, Set-Cookie, and names that carry token, secret,
// key, password, session or auth (X-Api-Key, X-Auth-Token, ...).
bool is_secret_header(std::string_view name);

// The value to show for a header: unchanged, or with the credential replaced
// ("Bearer REDACTED"; a scheme word is kept so the reader still sees which scheme was used);
// Sec-WebSocket-Protocol lists go through redact_subprotocol item by item.
std::string redact_header_value(std::string_view name, std::string_view value);

// A subprotocol as reports show it: Kubernetes carries a bearer token as the subprotocol
// "base64url.bearer.authorization.k8s.io.<token>", shown as "base64url.bearer.authorization.k8s.io.REDACTED";
// any other name unchanged.
std::string redact_subprotocol(std::string_view subprotocol);

// A URL or request target with the password in user-info and secret-looking query values replaced.
std::string redact_url(std::string_view url);

// A raw HTTP request head with secret headers and the request target's secrets replaced.
std::string redact_request(std::string_view request);

}  // namespace wsprobe

#include "app/url.hpp"

#include "app/idn_host.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace wsprobe {

ParsedTarget parse_target(std::string_view text) {
  // Letters beyond ASCII (an international host, a path in UTF-8) are percent-encoded first, as
  // browsers do; the host is then converted to its ASCII form below.
  const auto encoded = percent_encode_non_ascii(text);
  auto parsed = boost::urls::parse_uri(encoded);
  // Plain words, not the URL parser's own ("leftover", "mismatch").
  if (!parsed)
    return {std::nullopt, "'" + std::string(text) +
                              "' is not a ws:// or wss:// URL (spaces and characters such as < > \" { | } must be "
                              "percent-encoded)"};
  const auto& url = *parsed;
  // Schemes are case-insensitive (RFC 3986 §3.1): WS:// and Wss:// are ws:// and wss://.
  auto scheme = std::string(url.scheme());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  Target target;
  if (scheme == "wss") {
    target.secure = true;
  } else if (scheme != "ws") {
    std::string hint = scheme == "https" ? " (did you mean wss://?)" : scheme == "http" ? " (did you mean ws://?)" : "";
    return {std::nullopt, "unsupported scheme '" + scheme + "': use ws:// or wss://" + hint};
  }
  if (!url.has_authority() || url.encoded_host().empty()) return {std::nullopt, "the URL has no host"};
  // RFC 6455 §3: fragment identifiers are meaningless for WebSocket URIs and must not be used.
  if (url.has_fragment()) return {std::nullopt, "WebSocket URLs cannot have a #fragment (RFC 6455 §3)"};
  if (url.has_userinfo())
    return {std::nullopt, "credentials in the URL are not sent by WebSocket clients; use -H 'Authorization: ...'"};
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
      target.host = std::string(url.host_address());
      target.host_is_ip_literal = true;
      break;
    case boost::urls::host_type::ipv6:
      target.host = std::string(url.host_address());
      target.host_is_ip_literal = true;
      break;
    case boost::urls::host_type::name: {
      auto ascii = to_ascii_host(url.host());
      if (!ascii.error.empty())
        return {std::nullopt, "the host '" + url.host() + "' is not a valid international domain name (" +
                                  ascii.error + ")"};
      target.host = std::move(ascii.host);
      break;
    }
    default: return {std::nullopt, "unsupported host '" + std::string(url.encoded_host()) + "'"};
  }
  // The host is percent-decoded: %00 or %0D%0A would cut the name short or inject a header into
  // the request (fuzz_url found both). No host name carries a control character or a space.
  if (std::any_of(target.host.begin(), target.host.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; }))
    return {std::nullopt, "the host '" + std::string(url.encoded_host()) + "' has a control character or a space"};
  // Boost.URL 1.81 reads "ws://127.0.0.1;p/" as the IPv4 host 127.0.0.1 and the path ";p/"
  // (fuzz_url found it); a request target must start with '/' (RFC 9112 §3.2.1).
  if (!url.encoded_path().empty() && !url.encoded_path().starts_with('/'))
    return {std::nullopt, "'" + std::string(text) + "' has '" + std::string(url.encoded_path()) +
                              "' after the host, where '/', '?' or ':port' belongs"};
  if (url.has_port()) {
    // port_number() keeps the low 16 bits: 99999 would become 34463.
    const std::string_view digits = url.port();
    unsigned long port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535)
      return {std::nullopt, "the port '" + std::string(digits) + "' is not a port from 1 to 65535"};
    target.port = static_cast<std::uint16_t>(port);
  } else {
    target.port = target.secure ? 443 : 80;
  }
  target.resource = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
  if (url.has_query()) target.resource += "?" + std::string(url.encoded_query());
  target.url = std::string(text);
  return {target, {}};
}

}  // namespace wsprobe

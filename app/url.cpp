#include "app/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>


namespace wsprobe {

ParsedTarget parse_target(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return {std::nullopt, "'" + std::string(text) + "' is not a URL (" + parsed.error().message() + ")"};
  const auto& url = *parsed;
  const auto scheme = std::string(url.scheme());
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
    case boost::urls::host_type::name: target.host = url.host(); break;
    default: return {std::nullopt, "unsupported host '" + std::string(url.encoded_host()) + "'"};
  }
  if (url.has_port()) {
    const auto port = url.port_number();
    if (port == 0) return {std::nullopt, "invalid port '" + std::string(url.port()) + "'"};
    target.port = port;
  } else {
    target.port = target.secure ? 443 : 80;
  }
  target.resource = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
  if (url.has_query()) target.resource += "?" + std::string(url.encoded_query());
  target.url = std::string(text);
  return {target, {}};
}

}  // namespace wsprobe

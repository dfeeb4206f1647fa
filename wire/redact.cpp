#include "wire/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace wsprobe {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool names_a_secret(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kWords{
      "token", "secret", "password", "passwd", "pwd", "key", "auth", "session", "sig", "jwt", "credential",
      "cookie"};
  const auto n = lower(name);
  return std::any_of(kWords.begin(), kWords.end(), [&](auto w) { return n.find(w) != std::string::npos; });
}

std::string redact_query(std::string_view query) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const auto amp = std::min(query.find('&', pos), query.size());
    const auto pair = query.substr(pos, amp - pos);
    const auto eq = pair.find('=');
    if (!out.empty() || pos > 0) out.push_back('&');
    if (eq != std::string_view::npos && names_a_secret(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append(kRedacted);
    } else {
      out.append(pair);
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace

bool is_secret_header(std::string_view name) {
  const auto n = lower(name);
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie") return true;
  // A challenge names the scheme and realm the server wants; it carries no credential (RFC 9110 §11.6.1).
  if (n == "www-authenticate" || n == "proxy-authenticate") return false;
  // The handshake's own key is a nonce, not a credential (RFC 6455 §4.1).
  if (n.starts_with("sec-websocket-")) return false;
  return names_a_secret(n);
}

std::string redact_subprotocol(std::string_view subprotocol) {
  constexpr std::string_view kBearerPrefix = "base64url.bearer.authorization.k8s.io.";
  if (subprotocol.size() > kBearerPrefix.size() && lower(subprotocol.substr(0, kBearerPrefix.size())) == kBearerPrefix)
    return std::string(subprotocol.substr(0, kBearerPrefix.size())) + std::string(kRedacted);
  return std::string(subprotocol);
}

std::string redact_header_value(std::string_view name, std::string_view value) {
  const auto n = lower(name);
  if (n == "sec-websocket-protocol") {
    // A comma-separated list (RFC 6455 §11.3.4): each item on its own, spacing kept.
    std::string out;
    std::size_t pos = 0;
    while (pos <= value.size()) {
      const auto comma = std::min(value.find(',', pos), value.size());
      auto item = value.substr(pos, comma - pos);
      const auto lead = item.find_first_not_of(' ');
      if (lead != std::string_view::npos) {
        out.append(item.substr(0, lead));
        item.remove_prefix(lead);
      }
      out.append(redact_subprotocol(item));
      if (comma < value.size()) out.push_back(',');
      pos = comma + 1;
    }
    return out;
  }
  if (!is_secret_header(name)) return std::string(value);
  if (n == "authorization" || n == "proxy-authorization") {
    const auto space = value.find(' ');
    if (space != std::string_view::npos) return std::string(value.substr(0, space + 1)) + std::string(kRedacted);
  }
  return std::string(kRedacted);
}

std::string redact_url(std::string_view url) {
  std::string out;
  // user:password@ in the authority.
  const auto scheme_end = url.find("://");
  std::string_view rest = url;
  if (scheme_end != std::string_view::npos) {
    const auto authority_start = scheme_end + 3;
    const auto authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
    const auto authority = url.substr(authority_start, authority_end - authority_start);
    const auto at = authority.rfind('@');
    out.append(url.substr(0, authority_start));
    if (at != std::string_view::npos) {
      const auto userinfo = authority.substr(0, at);
      const auto colon = userinfo.find(':');
      out.append(userinfo.substr(0, colon));
      if (colon != std::string_view::npos) out.append(":").append(kRedacted);
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    rest = url.substr(authority_end);
  }
  const auto q = rest.find('?');
  if (q == std::string_view::npos) return out.append(rest);
  const auto hash = std::min(rest.find('#', q), rest.size());
  out.append(rest.substr(0, q + 1));
  out.append(redact_query(rest.substr(q + 1, hash - q - 1)));
  out.append(rest.substr(hash));
  return out;
}

std::string redact_request(std::string_view request) {
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < request.size()) {
    auto eol = request.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = request.size();
    const auto line = request.substr(pos, eol - pos);
    if (first) {
      // Request line: METHOD SP target SP version.
      const auto sp1 = line.find(' ');
      const auto sp2 = line.rfind(' ');
      if (sp1 != std::string_view::npos && sp2 > sp1)
        out.append(line.substr(0, sp1 + 1)).append(redact_url(line.substr(sp1 + 1, sp2 - sp1 - 1))).append(
            line.substr(sp2));
      else
        out.append(line);
      first = false;
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      const auto name = line.substr(0, colon);
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      out.append(name).append(": ").append(redact_header_value(name, value));
    } else {
      out.append(line);
    }
    if (eol < request.size()) out.append("\r\n");
    pos = eol + 2;
  }
  return out;
}

}  // namespace wsprobe

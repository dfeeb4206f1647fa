#include "app/proxy_env.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace wsprobe {
namespace {

constexpr std::uint16_t kDefaultProxyPort = 1080;  // curl's CURL_DEFAULT_PROXY_PORT, for every scheme

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// The parts of scheme://userinfo@hostport/rest, located without judging them.
struct UrlParts {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> userinfo;
  std::string_view hostport;
  std::size_t userinfo_offset = 0;  // where userinfo starts in the text
};

UrlParts split_url(std::string_view text) {
  UrlParts parts;
  std::size_t offset = 0;
  if (const auto colon = text.find("://"); colon != std::string_view::npos) {
    parts.scheme = text.substr(0, colon);
    offset = colon + 3;
  }
  auto authority = text.substr(offset);
  // A path, query or fragment after the authority means nothing to a proxy (curl ignores it).
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    parts.userinfo = authority.substr(0, at);
    parts.userinfo_offset = offset;
    parts.hostport = authority.substr(at + 1);
  } else {
    parts.hostport = authority;
  }
  return parts;
}

ProxySelection failure(const std::string& source, std::string_view text, std::string_view why) {
  ProxySelection selection;
  selection.error = source + ": '" + redact_proxy_url(text) + "' is not a proxy URL (" + std::string(why) + ")";
  return selection;
}

// no_proxy entries are host names, domains (".example.com" or "example.com") and IP literals,
// each optionally with ":port", which curl ignores.
std::string noproxy_entry_host(std::string_view entry) {
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    return lower(entry.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  // One colon is a port; more is an IPv6 literal without brackets.
  if (std::count(entry.begin(), entry.end(), ':') == 1) entry = entry.substr(0, entry.find(':'));
  if (entry.starts_with('.')) entry.remove_prefix(1);
  while (entry.ends_with('.')) entry.remove_suffix(1);
  return lower(entry);
}

bool matches_noproxy(std::string_view list, const Target& target) {
  std::string host = lower(target.host);
  while (!target.host_is_ip_literal && host.ends_with('.')) host.pop_back();
  // curl splits on commas and, since 7.86, on spaces as well.
  std::size_t begin = 0;
  while (begin <= list.size()) {
    auto end = list.find_first_of(", \t", begin);
    if (end == std::string_view::npos) end = list.size();
    const auto entry = trim(list.substr(begin, end - begin));
    begin = end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    const auto name = noproxy_entry_host(entry);
    if (name.empty()) continue;
    if (host == name) return true;
    // An IP literal matches only itself; a name matches as a domain suffix.
    if (!target.host_is_ip_literal && host.size() > name.size() && host.ends_with(name) &&
        host[host.size() - name.size() - 1] == '.')
      return true;
  }
  return false;
}

}  // namespace

ProxySelection parse_proxy_url(std::string_view text, std::string source) {
  const auto parts = split_url(text);
  ProxyConfig config;
  const auto scheme = parts.scheme ? lower(*parts.scheme) : std::string("http");
  if (scheme == "http") {
    config.scheme = ProxyScheme::http;
  } else if (scheme == "socks5") {
    config.scheme = ProxyScheme::socks5;
  } else if (scheme == "socks5h") {
    config.scheme = ProxyScheme::socks5h;
  } else if (scheme == "https") {
    return failure(source, text, "a TLS connection to the proxy (https://) is not supported; use http:// for CONNECT");
  } else {
    return failure(source, text, "scheme '" + scheme + "': use http://, socks5:// or socks5h://");
  }

  if (parts.userinfo) {
    const auto colon = parts.userinfo->find(':');
    auto username = percent_decode(parts.userinfo->substr(0, colon));
    if (!username) return failure(source, text, "bad percent-encoding in the user name");
    config.username = std::move(*username);
    if (colon != std::string_view::npos) {
      auto password = percent_decode(parts.userinfo->substr(colon + 1));
      if (!password) return failure(source, text, "bad percent-encoding in the password");
      config.password = std::move(*password);
    }
  }

  auto hostport = parts.hostport;
  std::string_view port_text;
  bool has_port = false;
  if (hostport.starts_with('[')) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return failure(source, text, "no ']' after the IPv6 address");
    config.host = std::string(hostport.substr(1, close - 1));
    const auto rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return failure(source, text, "text after the IPv6 address");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = hostport.find(':');
    if (colon != std::string_view::npos && hostport.find(':', colon + 1) != std::string_view::npos)
      return failure(source, text, "an IPv6 address needs brackets, as in [::1]:3128");
    config.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = hostport.substr(colon + 1);
      has_port = true;
    }
  }
  if (config.host.empty()) return failure(source, text, "no host");

  config.port = kDefaultProxyPort;
  if (has_port) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      return failure(source, text, "the port must be a number from 1 to 65535");
    config.port = static_cast<std::uint16_t>(value);
  }

  config.source = std::move(source);
  config.display = redact_proxy_url(text);
  ProxySelection selection;
  selection.proxy = std::move(config);
  return selection;
}

std::string redact_proxy_url(std::string_view text) {
  const auto parts = split_url(text);
  if (!parts.userinfo) return std::string(text);
  const auto colon = parts.userinfo->find(':');
  if (colon == std::string_view::npos) return std::string(text);
  const auto password_begin = parts.userinfo_offset + colon + 1;
  const auto password_end = parts.userinfo_offset + parts.userinfo->size();
  return std::string(text.substr(0, password_begin)) + "***" + std::string(text.substr(password_end));
}

ProxySelection select_proxy(const Target& target, const std::optional<std::string>& proxy_flag,
                            const std::optional<std::string>& noproxy_flag, const Getenv& getenv) {
  // An empty variable counts as unset, as curl reads it.
  auto read = [&](const char* name) -> std::optional<std::string> {
    const char* value = getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };

  // --noproxy replaces the variables; lowercase before uppercase, as for every variable here.
  auto noproxy = noproxy_flag;
  if (!noproxy) noproxy = read("no_proxy");
  if (!noproxy) noproxy = read("NO_PROXY");
  if (noproxy && matches_noproxy(*noproxy, target)) return {};

  if (proxy_flag) {
    if (proxy_flag->empty()) return {};
    return parse_proxy_url(*proxy_flag, "--proxy");
  }

  // curl reads only lowercase http_proxy, because a CGI program gets the request's Proxy: header
  // as HTTP_PROXY (httpoxy, CVE-2016-5385). wsprobe is no CGI program, so it reads both.
  const std::array<const char*, 4> kSecure{"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
  const std::array<const char*, 4> kPlain{"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"};
  for (const char* name : target.secure ? kSecure : kPlain)
    if (const auto value = read(name)) return parse_proxy_url(*value, name);
  return {};
}

}  // namespace wsprobe

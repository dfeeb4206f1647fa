#pragma once
// Which forward proxy a target goes through: --proxy, --noproxy and the environment, as curl
// decides (curl's docs "Proxy environment variables", lib/url.c detect_proxy).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/target.hpp"

namespace wsprobe {

struct ProxySelection {
  std::optional<ProxyConfig> proxy;  // empty: connect directly
  std::string error;                 // a malformed proxy URL, naming where it came from
};

// Parses http://[user:pass@]host[:port], socks5://..., socks5h://...; no scheme means http, no
// port means 1080 (curl's default for every proxy scheme). User and password are percent-decoded.
// `source` names where the text came from, for the error and the report.
ProxySelection parse_proxy_url(std::string_view text, std::string source);

// The URL with its password replaced by "***", for reports and argv.
std::string redact_proxy_url(std::string_view text);

using Getenv = std::function<const char*(const char*)>;

// The proxy for `target`:
//   1. --noproxy LIST, else no_proxy / NO_PROXY: a match connects directly ('*' matches all);
//   2. --proxy URL ('' means no proxy, and ignore the environment);
//   3. wss:// https_proxy / HTTPS_PROXY, ws:// http_proxy / HTTP_PROXY; then all_proxy / ALL_PROXY.
ProxySelection select_proxy(const Target& target, const std::optional<std::string>& proxy_flag,
                            const std::optional<std::string>& noproxy_flag, const Getenv& getenv);

}  // namespace wsprobe

// PLACEHOLDER: replaced by the proxy work (issue 4).
#include "app/proxy_env.hpp"

namespace wsprobe {

ProxySelection parse_proxy_url(std::string_view, std::string) { return {}; }
std::string redact_proxy_url(std::string_view text) { return std::string(text); }
ProxySelection select_proxy(const Target&, const std::optional<std::string>&, const std::optional<std::string>&,
                            const Getenv&) {
  return {};
}

}  // namespace wsprobe

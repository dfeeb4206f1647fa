#include "app/tls_preflight.hpp"

#include <set>
#include <tuple>

#include "probe/tls.hpp"

namespace wsprobe {

std::optional<std::string> check_tls_options(const std::vector<ProbeOptions>& targets) {
  using Key = std::tuple<std::optional<std::string>, std::optional<std::string>, std::optional<std::string>,
                         std::optional<std::string>, std::optional<std::string>, std::optional<std::string>>;
  std::set<Key> checked;  // a targets file of 10000 entries shares one combination: load it once
  for (const auto& target : targets) {
    if (!target.cacert_file && !target.client_cert_file && !target.client_key_file && !target.ciphers) continue;
    Key key{target.cacert_file, target.client_cert_file, target.client_key_file,
            target.ciphers,     target.tls_min,          target.tls_max};
    if (!checked.insert(key).second) continue;
    if (auto error = check_tls_configuration(target))
      return (target.defined_at ? *target.defined_at + ": " : std::string()) + *error + " (for " + target.target.url + ")";
  }
  return std::nullopt;
}

}  // namespace wsprobe

#include "app/tls_preflight.hpp"

#include <memory>

#include "probe/tls_contexts.hpp"

namespace wsprobe {

std::optional<std::string> prepare_tls(std::vector<ProbeOptions>& targets) {
  std::shared_ptr<TlsContexts> shared;
  for (auto& target : targets) {
    if (!target.tls_contexts) {
      if (!shared) shared = std::make_shared<TlsContexts>();
      target.tls_contexts = shared;
    }
    const bool names_tls_material = target.cacert_file || target.client_cert_file || target.client_key_file || target.ciphers;
    if (!target.target.secure && !names_tls_material) continue;
    const auto context = target.tls_contexts->get(target);
    if (context->error && names_tls_material)
      return (target.defined_at ? *target.defined_at + ": " : std::string()) + *context->error + " (for " +
             target.target.url + ")";
  }
  return std::nullopt;
}

}  // namespace wsprobe

#pragma once
// The options that describe one probe (headers, budgets, TLS, proxy, hold, sizes, echo, name,
// tags, assertions): the same flags on the command line, where they set every target's options,
// and in each targets file entry, where they set that target's on top of the command line's.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/assertion_flags.hpp"
#include "model/target.hpp"

namespace CLI {
class App;
}

namespace wsprobe {

// What was typed, before it is checked. Empty or unset means "not given": applying the flags of
// an entry then keeps the command line's value (a default never overrides it).
struct ProbeFlags {
  std::string dns_timeout, connect_timeout, tls_timeout, upgrade_timeout, echo_timeout, close_timeout, timeout;
  std::string size, sizes, max_size, hold, hold_ping;
  std::optional<std::string> echo_mode;
  std::vector<std::string> headers, resolves, connect_tos, subprotocols, tags;
  std::optional<std::string> proxy_url, noproxy, proxy_protocol, tls_min, tls_max, alpn, message, expect, name;
  bool only_v4 = false;
  bool only_v6 = false;
  AssertionFlags assertions;
};

// Declares the flags on `app`. Plain values (--count, -k, --origin, --cacert...) are stored straight
// into `probe` when given; the rest into `flags`, for apply_probe_flags.
void add_probe_flags(CLI::App& app, ProbeFlags& flags, ProbeOptions& probe);

// Checks what `flags` holds and applies it on top of `probe`: -H, --resolve, --connect-to,
// --subprotocol and --tag add to what is there, the others replace. Not the proxy (aim_probe).
// The usage error's words when something makes no sense.
std::optional<std::string> apply_probe_flags(const ProbeFlags& flags, ProbeOptions& probe);

// Aims `probe` at `url` (name and tags kept), the URL redacted for reports unless --show-secrets,
// and picks its proxy from flags.proxy_url / flags.noproxy or the environment, as curl does.
std::optional<std::string> aim_probe(std::string_view url, const ProbeFlags& flags, ProbeOptions& probe);

// An entry's flags with what depends on other flags filled in from the command line's (`base`),
// so that applying them settles the combination: an entry's --size re-bases a global --max-size
// sweep, an entry's --hold is checked against a global --hold-ping, an entry without --proxy
// uses the global one. Applying these again on top of the global options changes nothing else.
ProbeFlags inherit_linked_flags(ProbeFlags entry, const ProbeFlags& base);

}  // namespace wsprobe

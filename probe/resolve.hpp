#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// dns: resolves the target's host with c-ares (timed, cancellable, --dns-server), or takes the
// address from --resolve or an IP literal. Fills context.addresses and observed.dns.
// The clock runs from the query to the last answer. Conditions: dns_nxdomain, dns_no_address,
// dns_timeout, dns_failure.
net::awaitable<StageResult> run_dns(ProbeContext& context);

}  // namespace wsprobe

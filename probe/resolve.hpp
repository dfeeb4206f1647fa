#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// dns: resolves the target's host with c-ares (timed, cancellable, --dns-server), or takes the
// address from --resolve or an IP literal. Fills context.addresses and observed.dns.
// The clock runs from the query to the last answer. Conditions: dns_nxdomain, dns_no_address,
// dns_timeout, dns_failure (internal only for a bad literal or --resolve address).
//
// c-ares is driven from this coroutine (its sockets watched on the caller's executor), so the
// io_context never blocks; at the stage deadline the query is cancelled: dns_timeout.
// Addresses come in c-ares' order: the hosts file first ("localhost"), A and AAAA merged and
// sorted by RFC 6724 as getaddrinfo does; within a family the answer order stands.
// With --dns-server the server's rcode is reported as such (SERVFAIL, REFUSED); with the
// system's servers c-ares moves past a failing one, as the system resolver does.
net::awaitable<StageResult> run_dns(ProbeContext& context);

}  // namespace wsprobe

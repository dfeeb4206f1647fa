#pragma once
#include "model/interruption.hpp"
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// One name looked up with c-ares: what run_dns does for the target, for any name (the proxy's).
struct NameResolution {
  Condition condition = Condition::none;  // none, or dns_nxdomain / dns_no_address / dns_timeout / dns_failure
  std::vector<net::ip::address> addresses;  // in the order to try them
  std::vector<std::string> cname_chain;
  std::optional<std::string> resolver_error;  // c-ares' own text
  std::string detail;                         // "resolving HOST via SERVER: ..." on failure
};

// c-ares's process-wide initialisation, once (later calls return the first one's status);
// resolve_name calls it, and the run calls it before any clock starts (probe/process_init.hpp).
int initialize_resolver_library();

// Resolves `host` with c-ares before `deadline` (AF_UNSPEC, AF_INET or AF_INET6), through
// `dns_server` when given, else the system's resolvers and hosts file; `interruption` (may be
// null) ends it early, as the deadline does. Never throws.
net::awaitable<NameResolution> resolve_name(std::string host, std::optional<std::string> dns_server, int family,
                                            Clock::time_point deadline, Interruption* interruption);

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
//
// Address control (issue 4):
// --connect-to: the first matching entry (context.hpp, matching_connect_to) makes the stage look up
//   HOST2 instead (an IP literal directly, else --resolve entries for HOST2:PORT2, else DNS) and sets
//   context.connect_port to PORT2; observed.dns.connect_to records "HOST:PORT -> HOST2:PORT2" and
//   query_name the name looked up.
// -4 / -6: only that family is asked of c-ares, and literals and --resolve addresses of the other
//   family are dropped; none left: dns_no_address, the detail naming what was dropped.
// options.pinned_address (--all-addresses, one node): the lookup runs as usual as evidence, then
//   context.addresses is that one address, even when the lookup no longer returns it or fails
//   (then the stage is ok and its detail says so).
net::awaitable<StageResult> run_dns(ProbeContext& context);

}  // namespace wsprobe

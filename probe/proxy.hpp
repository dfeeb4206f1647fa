#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// proxy: reaches the forward proxy in options.proxy and asks it for a tunnel to the target.
//   http://    CONNECT host:port HTTP/1.1 (RFC 9110 §9.3.6); any 2xx opens the tunnel.
//   socks5h:// SOCKS5 CONNECT with the target's name, for the proxy to resolve (RFC 1928 §4).
//   socks5://  SOCKS5 CONNECT with context.addresses.front(), resolved by the dns stage.
// Username/password go as Proxy-Authorization: Basic (RFC 7617) or RFC 1929 sub-negotiation.
// On success the tunnel is left in context.tcp; the tcp stage takes it over (no SYN of its own).
//
// The clock runs from resolving the proxy's name to the proxy's answer. Resolving the proxy gets
// budgets.dns; connecting to it and the tunnel request share budgets.connect.
// Conditions (observed.proxy says which answer): dns_* (the proxy's name), connect_refused /
// connect_timeout / unreachable (the proxy's address), upgrade_rejected (the proxy answered and
// refused: non-2xx, SOCKS5 method 0xFF, failed RFC 1929 auth, REP != 0), timeout (no answer),
// eof / reset (the proxy closed), not_http (an http:// proxy that answered with something else),
// protocol_violation (a malformed SOCKS5 reply, bytes after a 2xx head), internal.
net::awaitable<StageResult> run_proxy(ProbeContext& context);

// The name an http:// or socks5h:// proxy is asked to reach: --connect-to's HOST2 when an entry
// moves the target and names one, else the URL's host.
std::string tunnel_host_name(const ProbeOptions& options);

}  // namespace wsprobe

#pragma once
// Follow-up probes: small, bounded extra connections after the main probe that tell look-alike
// causes apart (checks/followup_plan.hpp decides which; the rules read what they saw).
#include <vector>

#include "model/followup.hpp"
#include "model/report.hpp"
#include "model/target.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

// Runs `kinds` in order against the address the main probe connected to
// (result.observed.tcp->remote_endpoint), or else its first resolved address, on the target's
// port, on the caller's executor (so the follow-ups of many targets run side by side). Returns one
// observation per follow-up that ran. `result` is read when the awaitable starts, before its first
// suspension: co_await the call at once.
//
// Budgets: each follow-up gets min(2 s, what is left of options.budgets.total after the main
// probe's result.total_duration); without_verification, a whole probe, gets min(5 s, that). When
// nothing is left, each kind is recorded as not run (end = timeout). Every stage inside a
// follow-up also stops at its own per-stage budget. Network outcomes are data: never throws on them.
//
// A follow-up that answers the question its group asks skips the rest of the group: after
// tls_in_tls finds a TLS backend, tls_offering_h2 does not run; after tls_on_plain_port completes
// a handshake, proxy_protocol_v1 does not run.
//
//   tls_in_tls           TCP + TLS as the main probe (same SNI, ALPN, verification), then a nested
//                        TLS handshake through it (probe/tls_in_tls.hpp)
//   tls_offering_h2      TCP + TLS with the user's verification, ALPN h2, http/1.1; records the pick
//   tls_on_plain_port    TCP + TLS without verification on the ws:// port
//   proxy_protocol_v1    TCP, "PROXY TCP4|TCP6 <local> <remote> <lport> <rport>\r\n" with the
//                        connection's real addresses, then the main probe's upgrade request
//   plain_get            (TLS when wss) GET of the same path, same Host and user headers, no
//                        Upgrade/Connection/Sec-WebSocket-*; records status, headers, 1 KiB of body
//   http_on_tls_port     TCP, then a plain GET on the wss:// port: the plaintext server's banner
//   without_verification the whole probe again with --insecure, pinned to the same address, no
//                        follow-ups; records the first stage that still fails, if any
net::awaitable<std::vector<FollowUpObservation>> probe_followups(ProbeOptions options, const TargetResult& result,
                                                                 std::vector<FollowUpKind> kinds);

// Blocking form: probe_followups on its own io_context.
std::vector<FollowUpObservation> run_followups(const ProbeOptions& options, const TargetResult& result,
                                               const std::vector<FollowUpKind>& kinds);

}  // namespace wsprobe

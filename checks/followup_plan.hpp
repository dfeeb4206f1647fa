#pragma once
// Which follow-up probes would tell the main probe's look-alike causes apart. Pure: reads the
// stages and observations, never the network. probe/followups runs the plan; the rules read
// what the follow-ups saw (TargetResult::followups).
#include <vector>

#include "model/followup.hpp"
#include "model/report.hpp"

namespace wsprobe {

// The follow-ups worth running after `result`'s main probe, in the order they should run; empty
// when every stage passed or the failure is already unambiguous.
//
//   wss, upgrade got 0 bytes and eof/reset, or a TLS record    tls_in_tls, tls_offering_h2
//   ws,  upgrade got 0 bytes and eof/reset, or a TLS record    tls_on_plain_port, proxy_protocol_v1
//   wss, the TLS port answered plaintext (tls: not_tls)        http_on_tls_port
//   upgrade refused with 400/426/403, no auth challenge and    plain_get
//     not already explained by a plain-HTTP-to-HTTPS page
//   tls: the certificate did not verify                         without_verification
std::vector<FollowUpKind> plan_followups(const TargetResult& result);

}  // namespace wsprobe

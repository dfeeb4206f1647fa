#pragma once
// The human report: a compact stage timeline per target, ending in the verdict line.
//
//   wss://echo.example.test/socket
//     dns     ok     +0.00ms    1.52ms  203.0.113.10, 2001:db8::10 (dns)
//     tcp     ok     +1.52ms    10.3ms  203.0.113.10:443
//     tls     FAIL   +11.8ms    24.1ms  not verified: unable to get local issuer certificate
//             tls_verify_failed: certificate verify failed
//             leaf: CN=echo.example.test, expires 2026-01-01T00:00:00Z
//     upgrade skip
//   verdict: FAIL at tls: tls_cert_untrusted (Certificate not trusted) - <summary>
//   findings:
//     FAIL tls_cert_untrusted (tls, certain)
//          <summary>, evidence: ..., fix: ...
//
// Per stage: name, mark (ok / warn / FAIL / skip), start offset from the probe's start and
// duration, then the stage's key fact; a failed or warned stage adds its condition, its detail
// and the evidence on indented lines. Several targets: one block each, then "3 targets: 2 pass,
// 1 fail". Every byte that came from the network is escaped (\xNN) before it is printed.
// Pure: no I/O, no clock; the verdict is the one in the TargetResult.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

struct HumanStyle {
  bool color = false;   // ANSI colours (a terminal, no NO_COLOR, no --no-color); false: no ESC byte at all
  bool verbose = false; // every header and certificate, not just the key facts
};

std::string render_human(const RunReport& report, const HumanStyle& style);

}  // namespace wsprobe

#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"
#include "probe/tls_alerts.hpp"

namespace wsprobe {

// tls (wss only): TLS handshake over context.tcp with SNI = the host, ALPN http/1.1; records
// version, cipher, ALPN, the peer chain, the verify result, alerts and, when the peer did not
// answer with TLS, its first bytes. Moves context.tcp into context.connection.
// Conditions: tls_failure, tls_verify_failed, not_tls, eof, reset, timeout.
//
// The clock runs from the ClientHello's write to the handshake's outcome, bounded by
// context.stage_deadline(budgets.tls). SNI is the target host, left empty for IP literals (RFC 6066
// §3 allows host names only); the name or address is checked against the certificate. Trust comes
// from options.cacert_file when set (instead of the system store, as curl's --cacert), else the
// system's default paths. Under options.insecure the handshake does not stop on a bad chain, but
// verify_result still says what OpenSSL thought of it.
//
// On success context.connection is a Connection over TLS: read_some/write as a TLS stream;
// shutdown_send sends close_notify then a TCP FIN without waiting for the peer's close_notify.
// On failure the TCP connection is closed and context.tcp is left empty.
//
// Classification, first match wins:
//   not_tls            the peer's first byte is no TLS record type (RFC 8446 §5.1: 20..23), or
//                      OpenSSL said "wrong version number" / "packet length too long" / "http request";
//                      first_bytes_hex holds up to 64 bytes of what it sent
//   timeout            the deadline passed (beast::error::timeout)
//   tls_verify_failed  the chain or the name did not verify; detail = OpenSSL's verify error text
//                      ("unable to get local issuer certificate", "hostname mismatch", ...)
//   tls_failure        the peer sent an alert: "peer sent alert 40 (handshake failure)"
//   eof / reset        the peer closed (FIN) or reset the connection mid-handshake, without an alert
//   tls_failure        any other handshake error: OpenSSL's text, and the alert we sent if any
//   internal           a local failure (unreadable --cacert file, a host OpenSSL refuses)
net::awaitable<StageResult> run_tls(ProbeContext& context);

}  // namespace wsprobe

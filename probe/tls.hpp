#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"
#include "probe/tls_alerts.hpp"

namespace wsprobe {

// tls (wss only): TLS handshake over context.tcp with SNI = the host (or --sni), ALPN as
// options.alpn; records version, cipher, ALPN, the peer chain, the verify result, alerts and, when
// the peer did not answer with TLS, its first bytes. Moves context.tcp into context.connection.
// Conditions: tls_failure, tls_verify_failed, not_tls, eof, reset, timeout, internal.
//
// The clock runs from the ClientHello's write to the handshake's outcome, bounded by
// context.stage_deadline(budgets.tls). SNI is the target host, left empty for IP literals (RFC 6066
// §3 allows host names only); the name or address is checked against the certificate. --sni NAME
// replaces the host for both (SNI and certificate name); --sni '' sends no SNI and checks the host.
// Trust comes from options.cacert_file when set (instead of the system store, as curl's --cacert),
// else the system's default paths, loaded once per run (probe/tls_contexts.hpp). Under options.insecure the handshake does not stop on a bad
// chain, but verify_result still says what OpenSSL thought of it.
//
// Client controls, applied before the clock starts (a problem with them is `internal`):
//   --cert/--key   the client certificate chain and its key (key default: the cert file), checked
//                  to match; observation.client_certificate = the leaf's subject. Sent only when
//                  the server asks (CertificateRequest).
//   --tls-min/max  the version range (observation.version_min/max, "TLSv1.2"). A range below TLS
//                  1.2 runs at OpenSSL security level 0 (the stage's detail says so on success).
//   --ciphers      TLS_* names set the TLS 1.3 suites, the others the TLS 1.2-and-below list;
//                  unknown TLS 1.3 names and lists OpenSSL rejects are `internal`. A handshake
//                  refused under a restricted list says "we offered only the ciphers ..." in its detail.
//   --alpn         an empty list sends no ALPN extension.
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
//   internal           a local failure (unreadable --cacert, --cert or --key file, a key that does not
//                      match the certificate, an invalid --ciphers list, nothing left to offer)
net::awaitable<StageResult> run_tls(ProbeContext& context);

}  // namespace wsprobe

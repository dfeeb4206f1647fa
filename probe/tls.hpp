#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// tls (wss only): TLS handshake over context.tcp with SNI = the host, ALPN http/1.1; records
// version, cipher, ALPN, the peer chain, the verify result, alerts and, when the peer did not
// answer with TLS, its first bytes. Moves context.tcp into context.connection.
// Conditions: tls_failure, tls_verify_failed, not_tls, eof, reset, timeout.
net::awaitable<StageResult> run_tls(ProbeContext& context);

}  // namespace wsprobe

#pragma once
#include "model/stage.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// upgrade: sends the RFC 6455 opening handshake over context.connection (creating a plain one
// for ws://) and reads the reply: status line, headers, up to 4 KiB of body, or the first bytes
// when it is not HTTP; then validates a 101 (RFC 6455 §4.1). Bytes read past the head are kept in
// context.pending_bytes. The clock runs from the first request byte to a complete answer.
// Conditions: upgrade_rejected, protocol_violation, not_http, eof, reset, timeout.
net::awaitable<StageResult> run_upgrade(ProbeContext& context);

}  // namespace wsprobe

#pragma once
// RFC 6455 rules on what a server's messages and close frames may carry, beyond the framing that
// FrameDecoder checks: each function returns the violation in words, with the offending bytes as
// evidence, or nothing when the payload is allowed.
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe {

// §8.1: a text message (after permessage-deflate, if any) must be valid UTF-8, or the client fails
// the connection with 1007.
std::optional<std::string> text_message_violation(std::string_view payload);

// §5.5.1 and §7.4: a close payload is empty or a 2-byte code plus a UTF-8 reason; the code must be
// one that may be sent (1000-1003, 1007-1014, 3000-4999): 1004-1006 and 1015 are never sent,
// codes below 1000 are unused, 1016-2999 are unassigned.
std::optional<std::string> close_payload_violation(std::string_view payload);

// Whether a close code may appear on the wire (§7.4.1, §7.4.2 and the IANA registry).
bool is_sendable_close_code(unsigned code);

}  // namespace wsprobe

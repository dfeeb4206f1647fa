#pragma once
// Text helpers shared by the renderers: making bytes a peer sent safe to print or to put in JSON,
// durations in milliseconds, and names for the model enums that have no to_string of their own.
#include <cstddef>
#include <string>
#include <string_view>

#include "model/observations.hpp"

namespace wsprobe::text {

// The bytes as valid UTF-8: each byte that does not start a well-formed sequence becomes U+FFFD.
// JSON strings must be UTF-8 (RFC 8259 §8.1) and a peer's headers or body need not be.
std::string valid_utf8(std::string_view bytes);

// The bytes made safe for a terminal: control characters (C0, DEL, C1) and bytes that are not
// well-formed UTF-8 are shown as \xNN (\t, \r, \n as such), so a header or body from the peer can
// neither move the cursor nor change colours. Other UTF-8 passes through.
std::string escape_for_terminal(std::string_view bytes);

// Code points in valid UTF-8 text, not counting SGR colour sequences: its width on a terminal,
// near enough for alignment.
std::size_t columns(std::string_view utf8);

// At most `max_columns` code points of valid UTF-8 text, ending in "..." when cut.
std::string clip(std::string_view utf8, std::size_t max_columns);

// "0.42ms", "12.3ms", "152ms": two significant decimals at most, integer arithmetic so golden
// files do not depend on floating-point formatting.
std::string format_ms(Micros duration);

std::string_view echo_mode_name(EchoMode mode);              // "automatic", "require", "off"
std::string_view echo_outcome_name(EchoMessage::Outcome outcome);  // "echoed", "mismatch", "no_reply"

}  // namespace wsprobe::text

#pragma once
// UTF-8 as RFC 3629 defines it: what a text frame must carry (RFC 6455 §5.6, §8.1) and what a
// JSON report may hold.
#include <cstddef>
#include <optional>
#include <string_view>

namespace wsprobe {

// Length of the well-formed UTF-8 sequence at `at` (1 to 4), 0 when the byte there does not start
// one: no overlong forms, no surrogates, nothing above U+10FFFF (Unicode Table 3-7).
std::size_t utf8_sequence_length(std::string_view s, std::size_t at);

// Whether every byte belongs to a well-formed sequence.
bool is_valid_utf8(std::string_view bytes);

// The offset of the first byte that does not belong to a well-formed sequence; nothing when all do.
std::optional<std::size_t> first_invalid_utf8(std::string_view bytes);

}  // namespace wsprobe

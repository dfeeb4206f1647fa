#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace wsprobe {

// "48 54 54 50" for "HTTP": the first `max_bytes` bytes, space separated, lower case.
std::string to_hex(std::string_view bytes, std::size_t max_bytes = 64);

// The bytes with anything not printable ASCII shown as '.', for an evidence line.
std::string printable(std::string_view bytes, std::size_t max_bytes = 64);

}  // namespace wsprobe

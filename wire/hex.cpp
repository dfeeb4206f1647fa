#include "wire/hex.hpp"

#include <algorithm>

namespace wsprobe {

std::string to_hex(std::string_view bytes, std::size_t max_bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto n = std::min(bytes.size(), max_bytes);
  std::string out;
  out.reserve(n * 3);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (i) out.push_back(' ');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string printable(std::string_view bytes, std::size_t max_bytes) {
  std::string out(bytes.substr(0, max_bytes));
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '.';
  return out;
}

}  // namespace wsprobe

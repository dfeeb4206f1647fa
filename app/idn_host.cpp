#include "app/idn_host.hpp"

#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace wsprobe {

std::string percent_encode_non_ascii(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

AsciiHost to_ascii_host(const std::string& host) {
  if (std::all_of(host.begin(), host.end(), [](unsigned char c) { return c < 0x80; })) return {host, {}};
  // curl's order: non-transitional processing first (ß stays ß), transitional as a fallback for
  // names only the older rules accept.
  for (const int flags : {IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL, IDN2_NFC_INPUT | IDN2_TRANSITIONAL}) {
    char* converted = nullptr;
    const int status = idn2_to_ascii_8z(host.c_str(), &converted, flags);
    const std::unique_ptr<char, decltype(&idn2_free)> owned(converted, &idn2_free);
    if (status == IDN2_OK && converted) return {converted, {}};
    if (flags & IDN2_TRANSITIONAL) return {{}, idn2_strerror(status)};
  }
  return {{}, "not converted"};
}

}  // namespace wsprobe

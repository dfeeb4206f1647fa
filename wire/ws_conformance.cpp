#include "wire/ws_conformance.hpp"

#include <algorithm>

#include "wire/hex.hpp"
#include "wire/utf8.hpp"

namespace wsprobe {
namespace {

// Up to 8 bytes before and after the first invalid one, in hex: enough to see the broken sequence.
std::string bytes_around(std::string_view bytes, std::size_t at) {
  const auto from = at > 8 ? at - 8 : 0;
  return "bytes " + std::to_string(from) + "..: " + to_hex(bytes.substr(from, std::min<std::size_t>(17, at - from + 9)));
}

}  // namespace

std::optional<std::string> text_message_violation(std::string_view payload) {
  const auto bad = first_invalid_utf8(payload);
  if (!bad) return std::nullopt;
  return "text message of " + std::to_string(payload.size()) + " bytes is not valid UTF-8 at byte " +
         std::to_string(*bad) + " (" + bytes_around(payload, *bad) + "); RFC 6455 §8.1 requires UTF-8, a client fails "
         "the connection with 1007";
}

bool is_sendable_close_code(unsigned code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

std::optional<std::string> close_payload_violation(std::string_view payload) {
  if (payload.empty()) return std::nullopt;
  if (payload.size() == 1)
    return "close frame with a 1-byte payload (" + to_hex(payload) + "): a status code takes 2 bytes (RFC 6455 §5.5.1)";
  const unsigned code = (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
  if (!is_sendable_close_code(code))
    return "close frame with code " + std::to_string(code) + ", which may not be sent on the wire (RFC 6455 §7.4)";
  const auto reason = payload.substr(2);
  if (const auto bad = first_invalid_utf8(reason))
    return "close frame " + std::to_string(code) + " with a reason that is not valid UTF-8 at byte " +
           std::to_string(*bad) + " (" + bytes_around(reason, *bad) + "; RFC 6455 §5.5.1)";
  return std::nullopt;
}

}  // namespace wsprobe

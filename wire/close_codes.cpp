#include "wire/close_codes.hpp"

#include <array>
#include <utility>

namespace wsprobe {
namespace {

constexpr std::array<std::pair<std::uint16_t, CloseCodeInfo>, 15> kCodes{{
    {1000, {"normal", "the other side finished on purpose"}},
    {1001, {"going away", "the server or a proxy is shutting down or redeploying, or cut an idle connection"}},
    {1002, {"protocol error", "the server or a proxy rejected a frame as malformed"}},
    {1003, {"unsupported data", "the server does not take this kind of message (text or binary)"}},
    {1005, {"no status", "a close frame without a code (never sent; what an API reports)"}},
    {1006,
     {"abnormal", "the connection dropped without a close frame (never sent; what a browser reports for a FIN, "
                  "an RST or a load balancer's timeout)"}},
    {1007, {"invalid payload", "a message's data did not fit its type, such as invalid UTF-8 in a text frame"}},
    {1008, {"policy violation", "often authentication expired or an origin refused"}},
    {1009, {"message too big", "a message exceeded the server's or a proxy's size limit"}},
    {1010, {"extension required", "the server needs an extension the client did not negotiate"}},
    {1011, {"internal error", "the server or a proxy failed"}},
    {1012, {"service restart", "the server is restarting or redeploying; reconnecting should work"}},
    {1013, {"try again later", "the server or a proxy is overloaded or rate limiting"}},
    {1014, {"bad gateway", "a proxy's upstream failed"}},
    {1015, {"TLS handshake failure", "a TLS handshake failed (never sent; what an API reports)"}},
}};

constexpr CloseCodeInfo kApplicationDefined{"application-defined", "the application's own code: see its documentation"};

std::string with_reason(std::string text, const CloseFrame& frame) {
  if (!frame.reason.empty()) text += " '" + frame.reason + "'";
  return text;
}

}  // namespace

std::optional<CloseCodeInfo> close_code_info(std::uint16_t code) {
  for (const auto& [value, info] : kCodes)
    if (value == code) return info;
  if (code >= 4000 && code <= 4999) return kApplicationDefined;
  return std::nullopt;
}

std::string close_code_label(std::uint16_t code) {
  const auto info = close_code_info(code);
  return std::to_string(code) + (info ? " (" + std::string(info->name) + ")" : std::string());
}

std::string close_code_explained(std::uint16_t code) {
  const auto info = close_code_info(code);
  if (!info) return std::to_string(code);
  return std::to_string(code) + " (" + std::string(info->name) + ": " + std::string(info->meaning) + ")";
}

bool is_reserved_close_code(std::uint16_t code) { return code == 1005 || code == 1006 || code == 1015; }

std::string close_frame_brief(const CloseFrame& frame) {
  if (!frame.code) return with_reason("close without a status code", frame);
  return with_reason("close " + std::to_string(*frame.code), frame);
}

std::string close_frame_explained(const CloseFrame& frame) {
  if (!frame.code) return with_reason("close frame without a status code", frame);
  return with_reason("close frame " + close_code_explained(*frame.code), frame);
}

}  // namespace wsprobe

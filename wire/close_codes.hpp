#pragma once
// WebSocket close codes in words: RFC 6455 §7.4.1 and the IANA registry's 1012-1015, each with a
// short name and what it usually means when a load balancer or proxy stands before the server.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/observations.hpp"

namespace wsprobe {

struct CloseCodeInfo {
  std::string_view name;     // "going away"
  std::string_view meaning;  // "the server or a proxy is shutting down or redeploying, or cut an idle connection"
};

// The registered codes and 4000-4999 ("application-defined"); nothing for any other code.
std::optional<CloseCodeInfo> close_code_info(std::uint16_t code);

// "1001 (going away)"; the bare number for a code without a name.
std::string close_code_label(std::uint16_t code);

// "1011 (internal error: the server or a proxy failed)"; the bare number for a code without a name.
std::string close_code_explained(std::uint16_t code);

// RFC 6455 §7.4.1: 1005, 1006 and 1015 stand for what an API saw and must never be sent in a frame.
bool is_reserved_close_code(std::uint16_t code);

// A received close frame for a stage's detail: "close 1009 'message too big'", "close without a status code".
std::string close_frame_brief(const CloseFrame& frame);

// A received close frame for a finding: "close frame 1011 (internal error: the server or a proxy
// failed) 'backend down'", "close frame without a status code".
std::string close_frame_explained(const CloseFrame& frame);

}  // namespace wsprobe

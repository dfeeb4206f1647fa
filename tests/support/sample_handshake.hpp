#pragma once
// RFC 6455 §1.3's sample opening handshake: the Sec-WebSocket-Key and the Sec-WebSocket-Accept a
// server must answer it with.
#include <string_view>

namespace wsprobe::testing {

inline constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

}  // namespace wsprobe::testing

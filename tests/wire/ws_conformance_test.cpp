// What RFC 6455 lets a server put in a text message and a close frame (wire/ws_conformance.hpp).
#include <catch2/catch.hpp>

#include "wire/utf8.hpp"
#include "wire/ws_conformance.hpp"
#include "wire/ws_frame.hpp"

namespace wsprobe {
namespace {

TEST_CASE("first_invalid_utf8 names the first byte outside a well-formed sequence", "[wire][utf8]") {
  CHECK_FALSE(first_invalid_utf8("caf\xc3\xa9"));
  CHECK(first_invalid_utf8("caf\xc3") == 3u);        // truncated sequence
  CHECK(first_invalid_utf8("ab\xc0\xaf") == 2u);     // overlong '/'
  CHECK(first_invalid_utf8("\xed\xa0\x80") == 0u);   // a surrogate
  CHECK(first_invalid_utf8("ok\xf4\x90\x80\x80") == 2u);  // above U+10FFFF
}

TEST_CASE("a text message must be UTF-8; the violation shows the bytes", "[wire][conformance]") {
  CHECK_FALSE(text_message_violation("hello"));
  CHECK_FALSE(text_message_violation(""));
  const auto v = text_message_violation("hello\xff");
  REQUIRE(v);
  CHECK_THAT(*v, Catch::Contains("at byte 5"));
  CHECK_THAT(*v, Catch::Contains("68 65 6c 6c 6f ff"));
  CHECK_THAT(*v, Catch::Contains("1007"));
}

TEST_CASE("close payloads: which codes may be sent, and the reason must be UTF-8", "[wire][conformance]") {
  for (unsigned code : {1000u, 1001u, 1003u, 1007u, 1011u, 1014u, 3000u, 4999u}) {
    INFO(code);
    CHECK(is_sendable_close_code(code));
    CHECK_FALSE(close_payload_violation(encode_close_payload(static_cast<std::uint16_t>(code), "bye")));
  }
  for (unsigned code : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 2999u, 5000u, 65535u}) {
    INFO(code);
    CHECK_FALSE(is_sendable_close_code(code));
    REQUIRE(close_payload_violation(encode_close_payload(static_cast<std::uint16_t>(code), "")));
    CHECK_THAT(*close_payload_violation(encode_close_payload(static_cast<std::uint16_t>(code), "")),
               Catch::Contains("code " + std::to_string(code)));
  }
  CHECK_FALSE(close_payload_violation(""));  // no status code at all is allowed
  CHECK_THAT(close_payload_violation("\x03").value_or(""), Catch::Contains("1-byte payload"));
  CHECK_THAT(close_payload_violation(encode_close_payload(1000, "\xc3")).value_or(""),
             Catch::Contains("reason that is not valid UTF-8"));
}

}  // namespace
}  // namespace wsprobe

// Close codes in words: one table (wire/close_codes) for the rules and the human report.
#include <catch2/catch.hpp>

#include "wire/close_codes.hpp"

using namespace wsprobe;

TEST_CASE("close codes: every registered code has a name and what it means behind a load balancer", "[wire][close]") {
  for (const std::uint16_t code : {1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015}) {
    INFO(code);
    const auto info = close_code_info(code);
    REQUIRE(info);
    CHECK_FALSE(info->name.empty());
    CHECK_FALSE(info->meaning.empty());
  }
  CHECK(close_code_info(1004) == std::nullopt);  // reserved, never assigned
  CHECK(close_code_info(2999) == std::nullopt);
  CHECK(close_code_info(3000) == std::nullopt);  // registered libraries' range: not named here
  for (const std::uint16_t code : {4000, 4401, 4999}) {
    INFO(code);
    REQUIRE(close_code_info(code));
    CHECK(close_code_info(code)->name == "application-defined");
  }
  CHECK(close_code_info(5000) == std::nullopt);
}

TEST_CASE("close codes: labels for a report, explanations for a finding", "[wire][close]") {
  // The human report's labels, as it printed them before the table moved here.
  CHECK(close_code_label(1000) == "1000 (normal)");
  CHECK(close_code_label(1001) == "1001 (going away)");
  CHECK(close_code_label(1006) == "1006 (abnormal)");
  CHECK(close_code_label(1009) == "1009 (message too big)");
  CHECK(close_code_label(1014) == "1014 (bad gateway)");
  CHECK(close_code_label(4001) == "4001 (application-defined)");
  CHECK(close_code_label(1234) == "1234");

  CHECK(close_code_explained(1011) == "1011 (internal error: the server or a proxy failed)");
  CHECK_THAT(close_code_explained(1001), Catch::StartsWith("1001 (going away: ") && Catch::Contains("idle"));
  CHECK_THAT(close_code_explained(1008), Catch::Contains("authentication"));
  CHECK(close_code_explained(1234) == "1234");
}

TEST_CASE("close codes: 1005, 1006 and 1015 are never sent (RFC 6455 §7.4.1)", "[wire][close]") {
  CHECK(is_reserved_close_code(1005));
  CHECK(is_reserved_close_code(1006));
  CHECK(is_reserved_close_code(1015));
  CHECK_FALSE(is_reserved_close_code(1000));
  CHECK_FALSE(is_reserved_close_code(1011));
}

TEST_CASE("close codes: a close frame in words, with its reason", "[wire][close]") {
  CHECK(close_frame_brief(CloseFrame{1009, "message too big"}) == "close 1009 'message too big'");
  CHECK(close_frame_brief(CloseFrame{1000, ""}) == "close 1000");
  CHECK(close_frame_brief(CloseFrame{std::nullopt, ""}) == "close without a status code");
  CHECK(close_frame_explained(CloseFrame{1011, "backend down"}) ==
        "close frame 1011 (internal error: the server or a proxy failed) 'backend down'");
  CHECK(close_frame_explained(CloseFrame{std::nullopt, ""}) == "close frame without a status code");
}

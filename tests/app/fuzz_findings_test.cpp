// What the fuzz harnesses (fuzz/) found in the parsers of what the user types, kept as tests.
#include <catch2/catch.hpp>

#include <string>

#include "app/option_values.hpp"
#include "app/url.hpp"

using namespace wsprobe;
using namespace std::string_literals;

TEST_CASE("URL: a percent-decoded host with a control character or a space is refused", "[app][url]") {
  for (const char* url : {"ws://a%00b/", "ws://a%0d%0aX-Injected%3a1/", "ws://a%20b/", "ws://a%7f/"}) {
    INFO(url);
    const auto parsed = parse_target(url);
    CHECK_FALSE(parsed.target);
    CHECK_THAT(parsed.error, Catch::Contains("control character"));
  }
  CHECK(parse_target("ws://caf%C3%A9.example/").target);  // a UTF-8 name is not a control character
}

TEST_CASE("URL: a path that does not start with '/' is refused (Boost.URL reads ws://127.0.0.1;p/ so)", "[app][url]") {
  const auto parsed = parse_target("ws://127.0.0.1;p/");
  CHECK_FALSE(parsed.target);
  CHECK_THAT(parsed.error, Catch::Contains("';p/' after the host"));
  const auto with_params = parse_target("ws://127.0.0.1/;p");
  REQUIRE(with_params.target);
  CHECK(with_params.target->resource == "/;p");
}

TEST_CASE("resolve overrides: an address with a NUL in it is refused, not cut short", "[app][options]") {
  CHECK_FALSE(parse_resolve("example.com:443:127.0.0.1\0junk"s));
  CHECK(parse_resolve("example.com:443:127.0.0.1"));
}

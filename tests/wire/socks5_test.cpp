// SOCKS5 (RFC 1928) and username/password (RFC 1929) bytes, built and parsed.
#include <catch2/catch.hpp>

#include "support/bytes.hpp"
#include "wire/socks5.hpp"

using namespace wsprobe;
using wsprobe::test::bytes;

TEST_CASE("SOCKS5 greeting offers no-auth, and username/password only with credentials", "[wire][socks5]") {
  CHECK(socks5::greeting(false) == bytes({0x05, 0x01, 0x00}));
  CHECK(socks5::greeting(true) == bytes({0x05, 0x02, 0x00, 0x02}));
}

TEST_CASE("SOCKS5 method choice and RFC 1929 status: version checked, two bytes needed", "[wire][socks5]") {
  const auto none = socks5::parse_method_choice(bytes({0x05, 0x00}));
  CHECK(none.valid);
  CHECK(none.value == socks5::kMethodNoAuth);
  CHECK(socks5::parse_method_choice(bytes({0x05, 0xFF})).value == socks5::kMethodNoAcceptable);
  const auto http = socks5::parse_method_choice("HT");
  CHECK_FALSE(http.valid);
  CHECK(http.error.find("version 72") != std::string::npos);
  CHECK_FALSE(socks5::parse_method_choice(bytes({0x05})).valid);

  // RFC 1929 §2: the sub-negotiation has its own version, 1.
  CHECK(socks5::parse_auth_reply(bytes({0x01, 0x00})).value == 0);
  CHECK(socks5::parse_auth_reply(bytes({0x01, 0x01})).value == 1);
  CHECK_FALSE(socks5::parse_auth_reply(bytes({0x05, 0x00})).valid);
}

TEST_CASE("RFC 1929 request carries lengths; over 255 bytes is refused", "[wire][socks5]") {
  CHECK(socks5::auth_request("al", "pw!") == bytes({0x01, 0x02, 'a', 'l', 0x03, 'p', 'w', '!'}));
  CHECK(socks5::auth_request("", "") == bytes({0x01, 0x00, 0x00}));
  CHECK_FALSE(socks5::auth_request(std::string(256, 'u'), "p"));
  CHECK_FALSE(socks5::auth_request("u", std::string(256, 'p')));
}

TEST_CASE("SOCKS5 CONNECT: IPv4, IPv6 and names get ATYP 1, 4 and 3, port in network order", "[wire][socks5]") {
  CHECK(socks5::connect_request("127.0.0.1", 8080) ==
        bytes({0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x1F, 0x90}));
  CHECK(socks5::connect_request("::1", 443) ==
        bytes({0x05, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x01, 0xBB}));
  CHECK(socks5::connect_request("example.com", 443) ==
        bytes({0x05, 0x01, 0x00, 0x03, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0x01, 0xBB}));
  CHECK_FALSE(socks5::connect_request(std::string(256, 'a'), 443));
  CHECK_FALSE(socks5::connect_request("", 443));
}

TEST_CASE("SOCKS5 reply: length from ATYP, REP known after two bytes, bound address shown", "[wire][socks5]") {
  const auto v4 = bytes({0x05, 0x00, 0x00, 0x01, 10, 0, 0, 7, 0x04, 0x38});
  for (std::size_t n = 0; n < v4.size(); ++n) {
    const auto partial = socks5::parse_connect_reply(v4.substr(0, n));
    INFO("bytes: " << n);
    CHECK(partial.state == socks5::ReplyState::incomplete);
    CHECK(partial.needed > n);
    CHECK(partial.reply.has_value() == (n >= 2));
  }
  const auto complete = socks5::parse_connect_reply(v4);
  CHECK(complete.state == socks5::ReplyState::complete);
  CHECK(complete.reply == 0);
  CHECK(complete.bound == "10.0.0.7:1080");

  const auto v6 = socks5::parse_connect_reply(
      bytes({0x05, 0x05, 0x00, 0x04, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}));
  CHECK(v6.state == socks5::ReplyState::complete);
  CHECK(v6.reply == 5);
  CHECK(v6.bound == "[2001:db8::1]:80");

  const auto name = bytes({0x05, 0x00, 0x00, 0x03, 4, 'p', 'r', 'o', 'x', 0x00, 0x50});
  CHECK(socks5::parse_connect_reply(name.substr(0, 4)).needed == 5);
  CHECK(socks5::parse_connect_reply(name.substr(0, 5)).needed == name.size());
  CHECK(socks5::parse_connect_reply(name).bound == "prox:80");
}

TEST_CASE("SOCKS5 reply: wrong version or address type is invalid", "[wire][socks5]") {
  const auto http = socks5::parse_connect_reply("HTTP/1.1 400");
  CHECK(http.state == socks5::ReplyState::invalid);
  CHECK(http.error.find("version 72") != std::string::npos);
  const auto atyp = socks5::parse_connect_reply(bytes({0x05, 0x00, 0x00, 0x09}));
  CHECK(atyp.state == socks5::ReplyState::invalid);
  CHECK(atyp.error.find("address type 9") != std::string::npos);
}

TEST_CASE("SOCKS5 reply and method names follow RFC 1928", "[wire][socks5]") {
  CHECK(socks5::reply_name(0) == "succeeded");
  CHECK(socks5::reply_name(2) == "connection not allowed by ruleset");
  CHECK(socks5::reply_name(5) == "connection refused");
  CHECK(socks5::reply_name(8) == "address type not supported");
  CHECK(socks5::reply_name(9) == "unassigned");
  CHECK(socks5::method_name(0xFF) == "no acceptable methods");
  CHECK(socks5::method_name(2) == "username/password");
}

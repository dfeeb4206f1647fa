// The HTTP CONNECT request (RFC 9110 §9.3.6) and its Basic credentials (RFC 7617).
#include <catch2/catch.hpp>

#include "wire/http_connect.hpp"
#include "wire/http_response.hpp"

using namespace wsprobe;

TEST_CASE("CONNECT authority: host:port, IPv6 in brackets", "[wire][http_connect]") {
  CHECK(connect_authority("example.com", 443) == "example.com:443");
  CHECK(connect_authority("10.0.0.1", 80) == "10.0.0.1:80");
  CHECK(connect_authority("::1", 8443) == "[::1]:8443");
}

TEST_CASE("CONNECT without credentials: request line, Host, User-Agent, blank line", "[wire][http_connect]") {
  const auto request = build_connect_request("example.com:443", "wsprobe", std::nullopt, std::nullopt);
  CHECK(request.bytes ==
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nUser-Agent: wsprobe\r\n\r\n");
  CHECK(request.redacted == request.bytes);
}

TEST_CASE("CONNECT with credentials: Basic base64(user:pass) sent, redacted copy hides it", "[wire][http_connect]") {
  // RFC 7617 §2's example: Aladdin / open sesame.
  const auto request = build_connect_request("h:1", "ua", std::string("Aladdin"), std::string("open sesame"));
  CHECK(request.bytes.find("Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n") != std::string::npos);
  CHECK(request.bytes.ends_with("\r\n\r\n"));
  CHECK(request.redacted.find("QWxhZGRp") == std::string::npos);
  CHECK(request.redacted.find("Proxy-Authorization: Basic REDACTED\r\n") != std::string::npos);

  // A user without a password still sends "user:".
  const auto user_only = build_connect_request("h:1", "ua", std::string("bob"), std::nullopt);
  CHECK(user_only.bytes.find("Basic " + base64_encode("bob:")) != std::string::npos);
}

TEST_CASE("base64 pads as RFC 4648 §10's vectors", "[wire][http_connect]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("Any 2xx to CONNECT opens the tunnel; the reply head parses as HTTP", "[wire][http_connect]") {
  CHECK(connect_succeeded(200));
  CHECK(connect_succeeded(204));
  CHECK_FALSE(connect_succeeded(407));
  CHECK_FALSE(connect_succeeded(101));
  const auto parse = parse_response_head("HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n");
  REQUIRE(parse.state == HeadState::complete);
  CHECK(parse.head->status_code == 200);
  CHECK(find_header(parse.head->headers, "proxy-agent") == "tinyproxy/1.11.1");
}

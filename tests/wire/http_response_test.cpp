// What the probe's bytes are: a whole HTTP head, the start of one, or something else.
#include <catch2/catch.hpp>

#include "wire/http_response.hpp"

using namespace wsprobe;
using namespace std::string_literals;

TEST_CASE("a complete 101 head parses with its headers", "[wire]") {
  const std::string bytes =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi";
  const auto parse = parse_response_head(bytes);
  REQUIRE(parse.state == HeadState::complete);
  REQUIRE(parse.head);
  const auto& head = *parse.head;
  CHECK(head.status_line == "HTTP/1.1 101 Switching Protocols");
  CHECK(head.version == "HTTP/1.1");
  CHECK(head.status_code == 101);
  CHECK(head.reason == "Switching Protocols");
  REQUIRE(head.headers.size() == 3);
  CHECK(head.headers[0].name == "Upgrade");
  CHECK(head.headers[0].value == "websocket");
  CHECK(head.headers[2].value == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // The frame bytes after the blank line are not part of the head.
  CHECK(head.head_bytes == bytes.size() - 4);
}

TEST_CASE("header values are trimmed - a status line without a reason parses", "[wire]") {
  const auto parse = parse_response_head("HTTP/1.1 403\r\nServer:   awselb/2.0  \r\nX-Empty:\r\n\r\n");
  REQUIRE(parse.state == HeadState::complete);
  CHECK(parse.head->status_code == 403);
  CHECK(parse.head->reason.empty());
  REQUIRE(parse.head->headers.size() == 2);
  CHECK(parse.head->headers[0].value == "awselb/2.0");
  CHECK(parse.head->headers[1].value.empty());
}

TEST_CASE("a head with bare LF line ends parses - as lenient clients accept", "[wire]") {
  const std::string bytes = "HTTP/1.0 400 Bad Request\nContent-Type: text/plain\n\nClient sent an HTTP request";
  const auto parse = parse_response_head(bytes);
  REQUIRE(parse.state == HeadState::complete);
  CHECK(parse.head->status_code == 400);
  CHECK(parse.head->version == "HTTP/1.0");
  CHECK(parse.head->reason == "Bad Request");
  REQUIRE(parse.head->headers.size() == 1);
  CHECK(parse.head->headers[0].name == "Content-Type");
  CHECK(parse.head->headers[0].value == "text/plain");
  CHECK(bytes.substr(parse.head->head_bytes) == "Client sent an HTTP request");
}

TEST_CASE("a head that has not ended yet is incomplete", "[wire]") {
  const std::string full = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  // Every strict prefix, from nothing to one byte short, asks for more.
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("prefix of " << n << " bytes: " << full.substr(0, n));
    const auto parse = parse_response_head(full.substr(0, n));
    CHECK(parse.state == HeadState::incomplete);
    CHECK_FALSE(parse.head);
  }
  CHECK(parse_response_head("HTT").state == HeadState::incomplete);
  CHECK(parse_response_head(full).state == HeadState::complete);
}

TEST_CASE("bytes that are not HTTP are not_http - however few", "[wire]") {
  // A fatal TLS alert record (handshake_failure), what a TLS port answers to plaintext.
  const std::string tls_alert = "\x15\x03\x03\x00\x02\x02\x28"s;
  const auto tls = parse_response_head(tls_alert);
  CHECK(tls.state == HeadState::not_http);
  CHECK_FALSE(tls.error.empty());
  CHECK(parse_response_head(tls_alert.substr(0, 1)).state == HeadState::not_http);
  CHECK(parse_response_head("\x16\x03\x01\x00\x2a"s).state == HeadState::not_http);  // a handshake record
  CHECK(parse_response_head("SSH-2.0-OpenSSH_9.6\r\n").state == HeadState::not_http);
  CHECK(parse_response_head("HTTX").state == HeadState::not_http);
  CHECK(parse_response_head("<html>").state == HeadState::not_http);
}

TEST_CASE("a malformed status line or header is not_http", "[wire]") {
  CHECK(parse_response_head("HTTP/1.1 abc Nope\r\n\r\n").state == HeadState::not_http);
  CHECK(parse_response_head("HTTP/1.1\r\n\r\n").state == HeadState::not_http);
  CHECK(parse_response_head("HTTP/1.1 20\r\n\r\n").state == HeadState::not_http);
  CHECK(parse_response_head("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").state == HeadState::not_http);
  CHECK(parse_response_head("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n").state == HeadState::not_http);
}

TEST_CASE("a head with no end within 16 KiB is too_large", "[wire]") {
  std::string head = "HTTP/1.1 200 OK\r\nX-Filler: " + std::string(kMaxResponseHeadBytes, 'a');
  const auto endless = parse_response_head(head);
  CHECK(endless.state == HeadState::too_large);
  CHECK_FALSE(endless.error.empty());
  // Just under the bound it is still a head in progress.
  CHECK(parse_response_head(head.substr(0, kMaxResponseHeadBytes)).state == HeadState::incomplete);
  // An end that only comes after the bound does not make an oversized head acceptable.
  CHECK(parse_response_head(head + "\r\n\r\n").state == HeadState::too_large);
  // A head of exactly 16 KiB, blank line included, is within the bound.
  const std::string start = "HTTP/1.1 200 OK\r\nX-Filler: ";
  const auto exact = start + std::string(kMaxResponseHeadBytes - start.size() - 4, 'a') + "\r\n\r\n";
  REQUIRE(exact.size() == kMaxResponseHeadBytes);
  const auto parse = parse_response_head(exact);
  CHECK(parse.state == HeadState::complete);
  CHECK(parse_response_head("x" + exact).state == HeadState::not_http);
}

TEST_CASE("header lookup ignores case and returns the first", "[wire]") {
  const std::vector<HttpHeader> headers{
      {"Content-Type", "text/html"}, {"sec-websocket-accept", "abc="}, {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}};
  CHECK(find_header(headers, "content-type") == "text/html");
  CHECK(find_header(headers, "CONTENT-TYPE") == "text/html");
  CHECK(find_header(headers, "Sec-WebSocket-Accept") == "abc=");
  CHECK(find_header(headers, "Set-Cookie") == "a=1");
  CHECK_FALSE(find_header(headers, "Content-Length"));
  CHECK_FALSE(find_header(headers, "Content-Typ"));
  CHECK(iequals("Upgrade", "uPGRADE"));
  CHECK_FALSE(iequals("Upgrade", "Upgrades"));
}

TEST_CASE("has_token reads comma-separated header values", "[wire]") {
  CHECK(has_token("keep-alive, Upgrade", "upgrade"));
  CHECK(has_token("keep-alive,Upgrade", "upgrade"));
  CHECK(has_token("Upgrade", "upgrade"));
  CHECK(has_token("  websocket  ", "WebSocket"));
  CHECK_FALSE(has_token("keep-alive", "upgrade"));
  CHECK_FALSE(has_token("keep-alive, Upgrade-Insecure", "upgrade"));
  CHECK_FALSE(has_token("", "upgrade"));
  CHECK(split_list(" a, b ,,c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_list("").empty());
}

TEST_CASE("content_length is the header's number - or nothing when invalid", "[wire]") {
  CHECK(content_length({{"Content-Length", "162"}}) == std::optional<std::size_t>(162));
  CHECK(content_length({{"content-length", "0"}}) == std::optional<std::size_t>(0));
  CHECK_FALSE(content_length({}));
  CHECK_FALSE(content_length({{"Content-Length", ""}}));
  CHECK_FALSE(content_length({{"Content-Length", "12abc"}}));
  CHECK_FALSE(content_length({{"Content-Length", "-1"}}));
  CHECK_FALSE(content_length({{"Content-Length", "99999999999999999999999"}}));
  // Through the parser, which trims the value.
  const auto parse = parse_response_head("HTTP/1.1 503 Service Unavailable\r\nContent-Length:  42 \r\n\r\n");
  REQUIRE(parse.head);
  CHECK(content_length(parse.head->headers) == std::optional<std::size_t>(42));
}

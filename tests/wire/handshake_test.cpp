// The RFC 6455 §4.1 handshake, client side: the key, the request, the checks on a 101.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include "support/sample_handshake.hpp"
#include "wire/handshake.hpp"

using namespace wsprobe;

namespace {

using wsprobe::testing::kAccept;
using wsprobe::testing::kKey;

Target make_target(bool secure, std::string host, std::uint16_t port, std::string resource = "/ws") {
  Target t;
  t.secure = secure;
  t.host = std::move(host);
  t.port = port;
  t.resource = std::move(resource);
  return t;
}

// The header lines of a request, "Name: value", in order.
std::vector<std::string> header_lines(const std::string& request) {
  std::vector<std::string> out;
  std::size_t pos = request.find("\r\n") + 2;
  while (pos < request.size()) {
    const auto eol = request.find("\r\n", pos);
    if (eol == pos || eol == std::string::npos) break;
    out.push_back(request.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return out;
}

std::size_t count_named(const std::vector<std::string>& lines, std::string_view name) {
  return std::count_if(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.size() > name.size() && line[name.size()] == ':' && iequals(line.substr(0, name.size()), name);
  });
}

bool has_header_line(const std::vector<std::string>& lines, std::string_view line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

HttpResponseHead head_101(std::vector<HttpHeader> headers) {
  HttpResponseHead head;
  head.status_line = "HTTP/1.1 101 Switching Protocols";
  head.version = "HTTP/1.1";
  head.status_code = 101;
  head.reason = "Switching Protocols";
  head.headers = std::move(headers);
  return head;
}

std::vector<HttpHeader> valid_headers() {
  return {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", std::string(kAccept)}};
}

std::vector<HttpHeader> without(std::vector<HttpHeader> headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const HttpHeader& h) { return h.name == name; }),
                headers.end());
  return headers;
}

std::vector<HttpHeader> with(std::vector<HttpHeader> headers, std::string name, std::string value) {
  headers = without(std::move(headers), name);
  headers.push_back({std::move(name), std::move(value)});
  return headers;
}

}  // namespace

TEST_CASE("the accept key of RFC 6455 §1.3's example", "[wire]") {
  CHECK(compute_accept(kKey) == kAccept);
  CHECK(compute_accept("x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");  // the widely quoted example
  CHECK(compute_accept("") != kAccept);
}

TEST_CASE("a websocket key is 16 random bytes in base64", "[wire]") {
  const auto a = make_websocket_key();
  const auto b = make_websocket_key();
  CHECK(a.size() == 24);
  CHECK(a.substr(22) == "==");  // 16 bytes -> 22 significant characters, 2 padding
  CHECK(std::all_of(a.begin(), a.begin() + 22,
                    [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '/'; }));
  CHECK(b.size() == 24);
  CHECK(a != b);
  CHECK(make_websocket_key() != make_websocket_key());
}

TEST_CASE("the Host header omits the default port and brackets IPv6", "[wire]") {
  CHECK(host_header_value(make_target(false, "echo.example.test", 80)) == "echo.example.test");
  CHECK(host_header_value(make_target(true, "echo.example.test", 443)) == "echo.example.test");
  CHECK(host_header_value(make_target(false, "echo.example.test", 8080)) == "echo.example.test:8080");
  CHECK(host_header_value(make_target(true, "echo.example.test", 80)) == "echo.example.test:80");
  CHECK(host_header_value(make_target(false, "echo.example.test", 443)) == "echo.example.test:443");
  CHECK(host_header_value(make_target(true, "2001:db8::1", 443)) == "[2001:db8::1]");
  CHECK(host_header_value(make_target(false, "2001:db8::1", 8080)) == "[2001:db8::1]:8080");
  CHECK(host_header_value(make_target(false, "192.0.2.10", 80)) == "192.0.2.10");
}

TEST_CASE("the upgrade request carries the RFC 6455 §4.1 headers", "[wire]") {
  ProbeOptions options;
  options.target = make_target(true, "echo.example.test", 8443, "/chat?room=1");
  const auto request = build_upgrade_request(options, kKey);
  CHECK(request.rfind("GET /chat?room=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(request.size() >= 4);
  CHECK(request.substr(request.size() - 4) == "\r\n\r\n");
  const auto lines = header_lines(request);
  CHECK(has_header_line(lines, "Host: echo.example.test:8443"));
  CHECK(has_header_line(lines, "Upgrade: websocket"));
  CHECK(has_header_line(lines, "Connection: Upgrade"));
  CHECK(has_header_line(lines, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
  CHECK(has_header_line(lines, "Sec-WebSocket-Version: 13"));
  CHECK(count_named(lines, "Origin") == 0);
  CHECK(count_named(lines, "Sec-WebSocket-Protocol") == 0);
  // Host comes first (RFC 9112 §3.2 recommends it).
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front().rfind("Host: ", 0) == 0);
}

TEST_CASE("origin and subprotocols are sent when given - subprotocols joined", "[wire]") {
  ProbeOptions options;
  options.target = make_target(false, "echo.example.test", 80);
  options.origin = "https://app.example.test";
  options.subprotocols = {"graphql-ws", "chat.v2"};
  const auto lines = header_lines(build_upgrade_request(options, kKey));
  CHECK(has_header_line(lines, "Origin: https://app.example.test"));
  CHECK(has_header_line(lines, "Sec-WebSocket-Protocol: graphql-ws, chat.v2"));
  CHECK(count_named(lines, "Sec-WebSocket-Protocol") == 1);
}

TEST_CASE("user headers replace built-ins - except the key and version", "[wire]") {
  ProbeOptions options;
  options.target = make_target(false, "echo.example.test", 80);
  options.origin = "https://app.example.test";
  options.headers = {{"host", "internal.example.test"},
                     {"Origin", "https://other.example.test"},
                     {"User-Agent", "my-agent/1"},
                     {"Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA=="},
                     {"sec-websocket-version", "8"},
                     {"Authorization", "Bearer abc"},
                     {"X-Trace", "1"}};
  const auto lines = header_lines(build_upgrade_request(options, kKey));
  CHECK(count_named(lines, "Host") == 1);
  CHECK(has_header_line(lines, "host: internal.example.test"));
  CHECK(count_named(lines, "Origin") == 1);
  CHECK(has_header_line(lines, "Origin: https://other.example.test"));
  CHECK(count_named(lines, "User-Agent") == 1);
  CHECK(has_header_line(lines, "User-Agent: my-agent/1"));
  // The handshake's own key and version cannot be overridden: the accept check depends on them.
  CHECK(count_named(lines, "Sec-WebSocket-Key") == 1);
  CHECK(has_header_line(lines, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
  CHECK(count_named(lines, "Sec-WebSocket-Version") == 1);
  CHECK(has_header_line(lines, "Sec-WebSocket-Version: 13"));
  CHECK(has_header_line(lines, "Authorization: Bearer abc"));
  CHECK(has_header_line(lines, "X-Trace: 1"));
  // Built-ins nobody overrode stay.
  CHECK(has_header_line(lines, "Upgrade: websocket"));
  CHECK(has_header_line(lines, "Connection: Upgrade"));
}

TEST_CASE("validate_101 accepts a valid 101", "[wire]") {
  const auto check = validate_101(head_101(valid_headers()), kKey, {});
  CHECK(check.violations.empty());
  CHECK(check.accept_ok);
  CHECK(check.accept == std::string(kAccept));
  CHECK_FALSE(check.subprotocol);
  CHECK(check.extensions.empty());
  // Tokens are case-insensitive and may sit in a list.
  const auto relaxed = validate_101(
      head_101({{"upgrade", "WebSocket"}, {"connection", "keep-alive, upgrade"}, {"sec-websocket-accept", std::string(kAccept)}}),
      kKey, {});
  CHECK(relaxed.violations.empty());
  // An offered subprotocol may be selected.
  const auto chosen = validate_101(head_101(with(valid_headers(), "Sec-WebSocket-Protocol", "chat.v2")), kKey,
                                   {"graphql-ws", "chat.v2"});
  CHECK(chosen.violations.empty());
  CHECK(chosen.subprotocol == "chat.v2");
}

TEST_CASE("validate_101 names each violation", "[wire]") {
  struct Case {
    std::string name;
    std::vector<HttpHeader> headers;
    std::vector<std::string> offered;
    std::string violation_has;
    bool accept_ok;
  };
  const std::vector<Case> cases{
      {"wrong accept", with(valid_headers(), "Sec-WebSocket-Accept", "dGhpcyBpcyBub3QgdGhlIGFjY2VwdA=="), {},
       "expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='", false},
      {"missing accept", without(valid_headers(), "Sec-WebSocket-Accept"), {}, "Sec-WebSocket-Accept is missing",
       false},
      {"missing Upgrade", without(valid_headers(), "Upgrade"), {}, "Upgrade header is missing", true},
      {"Upgrade not websocket", with(valid_headers(), "Upgrade", "h2c"), {}, "Upgrade header is 'h2c'", true},
      {"Connection without the upgrade token", with(valid_headers(), "Connection", "keep-alive"), {},
       "Connection header is 'keep-alive'", true},
      {"missing Connection", without(valid_headers(), "Connection"), {}, "Connection header is missing", true},
      {"unoffered subprotocol", with(valid_headers(), "Sec-WebSocket-Protocol", "chat"), {"graphql-ws"},
       "subprotocol 'chat' that was not offered", true},
      {"subprotocol when none offered", with(valid_headers(), "Sec-WebSocket-Protocol", "chat"), {},
       "subprotocol 'chat' that was not offered", true},
      {"unoffered extension", with(valid_headers(), "Sec-WebSocket-Extensions", "permessage-deflate"), {},
       "extension 'permessage-deflate' that was not offered", true},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const auto check = validate_101(head_101(c.headers), kKey, c.offered);
      REQUIRE(check.violations.size() == 1);
      CHECK_THAT(check.violations.front(), Catch::Contains(c.violation_has));
      CHECK(check.accept_ok == c.accept_ok);
    }
  }
}

TEST_CASE("validate_101 reports every violation at once", "[wire]") {
  const auto check = validate_101(head_101({}), kKey, {});
  CHECK(check.violations.size() == 3);  // Upgrade, Connection, Accept
  CHECK_FALSE(check.accept_ok);
  CHECK_FALSE(check.accept);
}

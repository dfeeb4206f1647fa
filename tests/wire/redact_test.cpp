// Secrets stay out of reports: headers, URL user-info, token-like query values.
#include <catch2/catch.hpp>

#include "wire/redact.hpp"

using namespace wsprobe;

TEST_CASE("credential headers are redacted - keeping the scheme word", "[wire]") {
  struct Case {
    std::string name, value, shown;
  };
  const std::vector<Case> cases{
      {"Authorization", "Bearer abc", "Bearer REDACTED"},
      {"authorization", "Basic dXNlcjpwYXNz", "Basic REDACTED"},
      {"Authorization", "abc", "REDACTED"},
      {"Proxy-Authorization", "Basic dXNlcjpwYXNz", "Basic REDACTED"},
      {"Cookie", "session=abc; theme=dark", "REDACTED"},
      {"Set-Cookie", "session=abc; HttpOnly", "REDACTED"},
      {"X-Api-Key", "k-123", "REDACTED"},
      {"X-Auth-Token", "t-123", "REDACTED"},
      {"X-Session-Id", "s-123", "REDACTED"},
      {"X-Client-Secret", "s", "REDACTED"},
  };
  for (const auto& c : cases) {
    INFO(c.name << ": " << c.value);
    CHECK(is_secret_header(c.name));
    CHECK(redact_header_value(c.name, c.value) == c.shown);
    CHECK(redact_header_value(c.name, c.value).find(c.value) == std::string::npos);
  }
}

TEST_CASE("ordinary and handshake headers are shown as they are", "[wire]") {
  for (const auto* name : {"Sec-WebSocket-Key", "sec-websocket-key", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
                           "Sec-WebSocket-Version", "Host", "Origin", "Upgrade", "Connection", "User-Agent",
                           "Content-Type", "Server", "Via", "X-Trace"}) {
    INFO(name);
    CHECK_FALSE(is_secret_header(name));
    CHECK(redact_header_value(name, "dGhlIHNhbXBsZSBub25jZQ==") == "dGhlIHNhbXBsZSBub25jZQ==");
  }
}

TEST_CASE("a Kubernetes bearer-token subprotocol is redacted, other subprotocols are not", "[wire]") {
  CHECK(redact_subprotocol("base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkltUTBZ") ==
        "base64url.bearer.authorization.k8s.io.REDACTED");
  CHECK(redact_subprotocol("graphql-transport-ws") == "graphql-transport-ws");
  CHECK(redact_subprotocol("base64url.bearer.authorization.k8s.io.") == "base64url.bearer.authorization.k8s.io.");
  // In the header list, item by item, the spacing kept.
  CHECK(redact_header_value("Sec-WebSocket-Protocol",
                            "v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.c2VjcmV0,base64.channel.k8s.io") ==
        "v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.REDACTED,base64.channel.k8s.io");
}

TEST_CASE("URLs lose token-like query values and passwords - nothing else", "[wire]") {
  CHECK(redact_url("wss://h/p?token=abc&room=1") == "wss://h/p?token=REDACTED&room=1");
  CHECK(redact_url("wss://h/p?room=1&access_token=abc") == "wss://h/p?room=1&access_token=REDACTED");
  CHECK(redact_url("wss://h/p?api_key=abc&sig=xyz#frag") == "wss://h/p?api_key=REDACTED&sig=REDACTED#frag");
  CHECK(redact_url("wss://user:pass@h:8443/p") == "wss://user:REDACTED@h:8443/p");
  CHECK(redact_url("wss://user:pass@h") == "wss://user:REDACTED@h");
  CHECK(redact_url("wss://user@h/p") == "wss://user@h/p");
  CHECK(redact_url("wss://user:pass@h/p?token=abc") == "wss://user:REDACTED@h/p?token=REDACTED");
  // Nothing to hide: unchanged.
  for (const auto* url : {"wss://h/p", "ws://h:8080/p?room=1&user=bob", "wss://[2001:db8::1]:443/p?x=1", "wss://h/p?",
                          "wss://h/p?flag", "/p?room=1"}) {
    INFO(url);
    CHECK(redact_url(url) == url);
  }
  // A request target, without scheme or host.
  CHECK(redact_url("/chat?token=abc&room=1") == "/chat?token=REDACTED&room=1");
}

TEST_CASE("a request head loses its secrets and keeps the rest - byte for byte", "[wire]") {
  const std::string request =
      "GET /chat?token=abc&room=1 HTTP/1.1\r\n"
      "Host: echo.example.test\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "Authorization: Bearer abc\r\n"
      "Cookie: session=s3cr3t\r\n"
      "X-Api-Key: k-123\r\n"
      "X-Trace: 1:2:3\r\n"
      "\r\n";
  const std::string expected =
      "GET /chat?token=REDACTED&room=1 HTTP/1.1\r\n"
      "Host: echo.example.test\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "Authorization: Bearer REDACTED\r\n"
      "Cookie: REDACTED\r\n"
      "X-Api-Key: REDACTED\r\n"
      "X-Trace: 1:2:3\r\n"
      "\r\n";
  const auto redacted = redact_request(request);
  CHECK(redacted == expected);
  CHECK(redacted.find("s3cr3t") == std::string::npos);
  CHECK(redacted.find("k-123") == std::string::npos);
  // Nothing secret: unchanged.
  const std::string plain = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  CHECK(redact_request(plain) == plain);
}

// The request controls in the opening handshake: --host, -A/--user-agent, --compress (the
// permessage-deflate offer), and how validate_101 judges the server's extension answer.
#include <catch2/catch.hpp>

#include "support/sample_handshake.hpp"
#include "support/text_checks.hpp"
#include "wire/handshake.hpp"
#include "wire/permessage_deflate.hpp"

using namespace wsprobe;

namespace {

using wsprobe::test::occurrences;
using wsprobe::testing::kAccept;
using wsprobe::testing::kKey;

ProbeOptions request_options(std::string host, std::uint16_t port) {
  ProbeOptions options;
  options.target.host = std::move(host);
  options.target.port = port;
  options.target.resource = "/";
  return options;
}

bool request_has_line(const std::string& request, std::string_view line) {
  return request.find("\r\n" + std::string(line) + "\r\n") != std::string::npos;
}

// A 101 with a correct accept for kKey and these extra header lines, parsed as the probe parses it.
HttpResponseHead parsed_101_with(const std::string& extra_lines) {
  const auto raw = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " + std::string(kAccept) + "\r\n" + extra_lines + "\r\n";
  auto parse = parse_response_head(raw);
  REQUIRE(parse.state == HeadState::complete);
  return *parse.head;
}

const std::vector<std::string> kDeflateOffer{std::string(kPermessageDeflateOffer)};

}  // namespace

TEST_CASE("request controls: --host replaces the Host header value - -H Host still wins over it", "[wire][request]") {
  auto options = request_options("10.0.0.5", 8080);
  CHECK(request_has_line(build_upgrade_request(options, kKey), "Host: 10.0.0.5:8080"));
  options.host_header = "echo.example.test";
  const auto request = build_upgrade_request(options, kKey);
  CHECK(request.find("\r\nHost: echo.example.test\r\n") != std::string::npos);
  CHECK(occurrences(request, "Host:") == 1);
  options.headers = {{"Host", "from-h.example.test"}};
  const auto overridden = build_upgrade_request(options, kKey);
  CHECK(request_has_line(overridden, "Host: from-h.example.test"));
  CHECK(occurrences(overridden, "Host:") == 1);
}

TEST_CASE("User-Agent is wsprobe by default - -A replaces it", "[wire][request]") {
  auto options = request_options("echo.example.test", 80);
  CHECK(request_has_line(build_upgrade_request(options, kKey), "User-Agent: " + std::string(kDefaultUserAgent)));
  options.user_agent = "Mozilla/5.0 (probe)";
  const auto request = build_upgrade_request(options, kKey);
  CHECK(request_has_line(request, "User-Agent: Mozilla/5.0 (probe)"));
  CHECK(occurrences(request, "User-Agent:") == 1);
  CHECK(user_agent_value(options) == "Mozilla/5.0 (probe)");
}

TEST_CASE("request controls: --compress offers permessage-deflate with client_max_window_bits", "[wire][request]") {
  auto options = request_options("echo.example.test", 80);
  CHECK(occurrences(build_upgrade_request(options, kKey), "Sec-WebSocket-Extensions") == 0);
  CHECK(extension_offers(options).empty());
  options.compress = true;
  CHECK(request_has_line(build_upgrade_request(options, kKey),
                         "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
  CHECK(extension_offers(options) == kDeflateOffer);
  // The user's own Sec-WebSocket-Extensions (-H) is what is offered, and what the 101 is judged by.
  options.headers = {{"Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover, x-test"}};
  const auto request = build_upgrade_request(options, kKey);
  CHECK(occurrences(request, "Sec-WebSocket-Extensions") == 1);
  CHECK(extension_offers(options) ==
        std::vector<std::string>{"permessage-deflate; server_no_context_takeover", "x-test"});
}

TEST_CASE("validate_101 accepts a permessage-deflate answer only when offered - and checks it", "[wire][request]") {
  struct Case {
    std::string name;
    std::string extensions_lines;         // Sec-WebSocket-Extensions header lines of the 101
    std::vector<std::string> offered;     // what the request offered
    std::optional<std::string> compression;  // negotiated, when valid
    std::string violation_has;            // empty: no violation
  };
  const std::vector<Case> cases{
      {"plain answer", "Sec-WebSocket-Extensions: permessage-deflate\r\n", kDeflateOffer, "permessage-deflate", ""},
      {"every parameter",
       "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=10; client_max_window_bits=12\r\n",
       kDeflateOffer,
       "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; "
       "client_max_window_bits=12",
       ""},
      {"no answer", "", kDeflateOffer, std::nullopt, ""},
      {"not offered", "Sec-WebSocket-Extensions: permessage-deflate\r\n", {}, std::nullopt,
       "extension 'permessage-deflate' that was not offered"},
      {"client_max_window_bits not offered", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n",
       {"permessage-deflate"}, std::nullopt, "client_max_window_bits was not offered"},
      {"unknown parameter", "Sec-WebSocket-Extensions: permessage-deflate; level=9\r\n", kDeflateOffer, std::nullopt,
       "unknown parameter level=9"},
      {"duplicate parameter",
       "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_no_context_takeover\r\n",
       kDeflateOffer, std::nullopt, "appears twice"},
      {"window out of range", "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=20\r\n",
       kDeflateOffer, std::nullopt, "from 8 to 15"},
      {"accepted twice, in two header lines",
       "Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate\r\n",
       kDeflateOffer, std::nullopt, "more than once"},
      {"another extension besides", "Sec-WebSocket-Extensions: permessage-deflate, x-other\r\n", kDeflateOffer,
       "permessage-deflate", "extension 'x-other' that was not offered"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const auto check = validate_101(parsed_101_with(c.extensions_lines), kKey, {}, c.offered);
      CHECK(check.compression == c.compression);
      if (c.violation_has.empty()) {
        CHECK(check.violations.empty());
      } else {
        REQUIRE(check.violations.size() == 1);
        CHECK_THAT(check.violations.front(), Catch::Contains(c.violation_has));
        if (c.name != "not offered" && c.name != "another extension besides")
          CHECK_THAT(check.violations.front(), Catch::Contains("RFC 7692") || Catch::Contains("more than once"));
      }
    }
  }
}

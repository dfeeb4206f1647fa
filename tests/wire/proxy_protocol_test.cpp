// PROXY protocol v1 and v2 headers (HAProxy doc/proxy-protocol.txt), built and parsed.
#include <catch2/catch.hpp>

#include "support/bytes.hpp"
#include "wire/hex.hpp"
#include "wire/proxy_protocol.hpp"

using namespace wsprobe;
using wsprobe::test::bytes;

TEST_CASE("PROXY v1: the spec's TCP4 example, byte for byte", "[wire][proxy_protocol]") {
  // Spec §2.1's example line.
  const auto header = proxy_v1_header({"192.168.0.1", 56324, "192.168.0.11", 443});
  REQUIRE(header);
  CHECK(*header == "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
}

TEST_CASE("PROXY v1: the longest TCP4 and TCP6 lines fit the 107-byte bound", "[wire][proxy_protocol]") {
  const auto v4 = proxy_v1_header({"255.255.255.255", 65535, "255.255.255.255", 65535});
  REQUIRE(v4);
  CHECK(*v4 == "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n");
  CHECK(v4->size() == 56);  // spec §2.1: 56 chars for the worst TCP4 case

  const std::string all_f = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  const auto v6 = proxy_v1_header({all_f, 65535, all_f, 65535});
  REQUIRE(v6);
  CHECK(*v6 == "PROXY TCP6 " + all_f + " " + all_f + " 65535 65535\r\n");
  CHECK(v6->size() == 104);  // spec §2.1: 104 chars for the worst TCP6 case
  CHECK(v6->size() <= kProxyV1MaxBytes);
}

TEST_CASE("PROXY v1: IPv6 addresses in compressed form; mixed or non-IP addresses give nothing",
          "[wire][proxy_protocol]") {
  const auto v6 = proxy_v1_header({"2001:db8:0:0:0:0:0:1", 40000, "::1", 8080});
  REQUIRE(v6);
  CHECK(*v6 == "PROXY TCP6 2001:db8::1 ::1 40000 8080\r\n");
  CHECK_FALSE(proxy_v1_header({"192.0.2.1", 1, "::1", 2}));
  CHECK_FALSE(proxy_v1_header({"example.test", 1, "192.0.2.1", 2}));
  CHECK(proxy_v1_unknown_header() == "PROXY UNKNOWN\r\n");
}

TEST_CASE("PROXY v2: the 12-byte signature and an IPv4 header as HAProxy sends it", "[wire][proxy_protocol]") {
  CHECK(to_hex(kProxyV2Signature) == "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a");
  // HAProxy's `send-proxy-v2` for 172.19.0.1:42578 -> 172.19.0.3:80: signature, 0x21 (v2, PROXY),
  // 0x11 (TCP over IPv4), length 12, addresses, ports.
  const auto header = proxy_v2_header({"172.19.0.1", 42578, "172.19.0.3", 80});
  REQUIRE(header);
  CHECK(to_hex(*header) ==
        "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 0c ac 13 00 01 ac 13 00 03 a6 52 00 50");
}

TEST_CASE("PROXY v2: IPv6 uses family 0x21 and a 36-byte address block; LOCAL has none", "[wire][proxy_protocol]") {
  const auto header = proxy_v2_header({"2001:db8::1", 1, "2001:db8::2", 443});
  REQUIRE(header);
  REQUIRE(header->size() == 16 + 36);
  CHECK(header->substr(12, 4) == bytes({0x21, 0x21, 0x00, 0x24}));
  CHECK(header->substr(16, 16) == bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  CHECK(header->substr(48, 4) == bytes({0x00, 0x01, 0x01, 0xbb}));

  CHECK(to_hex(proxy_v2_local_header()) == "0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 20 00 00 00");
  CHECK_FALSE(proxy_v2_header({"192.0.2.1", 1, "2001:db8::2", 2}));
}

TEST_CASE("parse_proxy_header reads back what the builders write, and says where the stream starts",
          "[wire][proxy_protocol]") {
  const ProxyEndpoints v4{"192.0.2.10", 51000, "198.51.100.7", 443};
  const ProxyEndpoints v6{"2001:db8::10", 51000, "2001:db8::7", 443};
  const std::string request = "GET / HTTP/1.1\r\n";
  for (const auto& header : {*proxy_v1_header(v4), *proxy_v1_header(v6), *proxy_v2_header(v4), *proxy_v2_header(v6)}) {
    INFO(to_hex(header, 128));
    const auto parse = parse_proxy_header(header + request);
    REQUIRE(parse.state == ProxyHeaderState::complete);
    CHECK(parse.length == header.size());
    CHECK(parse.version == (header.front() == 'P' ? 1 : 2));
    CHECK_FALSE(parse.local);
    REQUIRE(parse.endpoints);
    const auto& expected = parse.endpoints->source_address.find(':') == std::string::npos ? v4 : v6;
    CHECK(parse.endpoints->source_address == expected.source_address);
    CHECK(parse.endpoints->destination_address == expected.destination_address);
    CHECK(parse.endpoints->source_port == 51000);
    CHECK(parse.endpoints->destination_port == 443);
  }
  for (const auto& header : {proxy_v1_unknown_header(), proxy_v2_local_header()}) {
    const auto parse = parse_proxy_header(header + request);
    REQUIRE(parse.state == ProxyHeaderState::complete);
    CHECK(parse.local);
    CHECK(parse.length == header.size());
  }
}

TEST_CASE("parse_proxy_header: prefixes are incomplete, anything else invalid", "[wire][proxy_protocol]") {
  const auto v1 = *proxy_v1_header({"192.0.2.10", 51000, "198.51.100.7", 443});
  const auto v2 = *proxy_v2_header({"192.0.2.10", 51000, "198.51.100.7", 443});
  for (std::size_t n = 1; n < v1.size(); ++n) {
    INFO("v1 prefix of " << n);
    CHECK(parse_proxy_header(v1.substr(0, n)).state == ProxyHeaderState::incomplete);
  }
  for (std::size_t n = 1; n < v2.size(); ++n) {
    INFO("v2 prefix of " << n);
    CHECK(parse_proxy_header(v2.substr(0, n)).state == ProxyHeaderState::incomplete);
  }
  // What reaches a PROXY-requiring port when nothing sends the header.
  CHECK(parse_proxy_header("GET /ws HTTP/1.1\r\n").state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header("P").state == ProxyHeaderState::incomplete);
  CHECK(parse_proxy_header("PUT / HTTP/1.1\r\n").state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header(bytes({0x16, 0x03, 0x01, 0x00, 0xc8})).state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header(bytes({0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0b})).state ==
        ProxyHeaderState::invalid);
  // Malformed v1 lines.
  CHECK(parse_proxy_header("PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n").state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header("PROXY TCP4 ::1 192.0.2.2 1 2\r\n").state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header("PROXY TCP4 192.0.2.1 192.0.2.2 1 65536\r\n").state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header("PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n").state == ProxyHeaderState::invalid);
  CHECK(parse_proxy_header("PROXY " + std::string(120, 'x')).state == ProxyHeaderState::invalid);
  // v2 with a bad version nibble.
  auto wrong_version = v2;
  wrong_version[12] = '\x11';
  CHECK(parse_proxy_header(wrong_version).state == ProxyHeaderState::invalid);
}

TEST_CASE("PROXY v1: an address with a NUL in it is refused, not cut short (fuzz_proxy_protocol)", "[wire][proxy_protocol]") {
  using namespace std::string_literals;
  const auto parse = parse_proxy_header("PROXY TCP4 192.0.2.1\0junk 198.51.100.7 56324 443\r\n"s);
  CHECK(parse.state == ProxyHeaderState::invalid);
  CHECK_FALSE(parse.endpoints);
}

// First bytes in words: TLS records, HTTP status lines, PROXY headers, HTTP/2 frames, banners, silence.
#include <catch2/catch.hpp>

#include "checks/evidence.hpp"
#include "checks/verdict.hpp"
#include "support/finding_checks.hpp"
#include "support/result_builder.hpp"
#include "wire/hex.hpp"

using namespace wsprobe;
using namespace wsprobe::testing;
using wsprobe::test::has_evidence;

TEST_CASE("bytes_from_hex reads the observations' hex and refuses anything else", "[evidence]") {
  CHECK(bytes_from_hex("48 54 54 50") == std::string("HTTP"));
  CHECK(bytes_from_hex("48545450") == std::string("HTTP"));
  CHECK(bytes_from_hex("48:54:54:50") == std::string("HTTP"));
  CHECK(bytes_from_hex("0D 0a 00 ff") == std::string("\r\n\0\xff", 4));
  CHECK(bytes_from_hex("") == std::string());
  CHECK_FALSE(bytes_from_hex("485"));     // an odd number of digits
  CHECK_FALSE(bytes_from_hex("4 8"));     // a separator inside a byte
  CHECK_FALSE(bytes_from_hex("48 5g"));   // not a hex digit
  CHECK_FALSE(bytes_from_hex("HTTP/1.1"));
  // The round trip with wire/hex.hpp's to_hex, over every byte value.
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  CHECK(bytes_from_hex(to_hex(all, all.size())) == all);
}

TEST_CASE("TLS records: alerts with level - description and RFC 8446 name; handshakes; others", "[evidence]") {
  SECTION("fatal handshake_failure (Cloudflare without SNI)") {
    const auto e = classify_hex("15 03 03 00 02 02 28");
    CHECK(e.kind == RawKind::tls_alert);
    CHECK(e.tls_alert_level == 2);
    CHECK(e.tls_alert_description == 40);
    CHECK(e.tls_record_version == 0x0303);
    CHECK(e.description == "TLS fatal alert 40 (handshake_failure), record version 0x0303");
  }
  SECTION("no_application_protocol from an h2-only server") {
    const auto e = classify_hex("15 03 01 00 02 02 78");
    CHECK(e.description == "TLS fatal alert 120 (no_application_protocol), record version 0x0301");
  }
  SECTION("a warning alert") {
    const auto e = classify_hex("15 03 03 00 02 01 70");
    CHECK(e.tls_alert_level == 1);
    CHECK(e.description == "TLS warning alert 112 (unrecognized_name), record version 0x0303");
  }
  SECTION("record version 00 00, as CloudFront answers a ClientHello without SNI") {
    const auto e = classify_hex("15 00 00 00 02 02 28");
    CHECK(e.kind == RawKind::tls_alert);
    CHECK(e.tls_record_version == 0);
    CHECK(e.description == "TLS fatal alert 40 (handshake_failure), record version 0x0000");
  }
  SECTION("an encrypted alert (TLS 1.3 after the handshake keys)") {
    const auto e = classify_hex("15 03 03 00 1a 8f 2c 11");
    CHECK(e.kind == RawKind::tls_alert);
    CHECK_FALSE(e.tls_alert_description);
    CHECK(e.description == "TLS alert record of 26 bytes (encrypted), record version 0x0303");
  }
  SECTION("a ServerHello: a TLS server answered") {
    const auto e = classify_hex("16 03 03 00 7a 02 00 00 76 03 03");
    CHECK(e.kind == RawKind::tls_handshake);
    CHECK(e.tls_handshake_type == 2);
    CHECK(e.description == "TLS handshake record (ServerHello), record version 0x0303");
  }
  SECTION("application data") {
    const auto e = classify_hex("17 03 03 00 20 aa bb");
    CHECK(e.kind == RawKind::tls_record);
    CHECK(e.description == "TLS application_data record, record version 0x0303");
  }
  SECTION("not TLS: a record type outside 20..24, or a version no TLS has") {
    CHECK(classify_hex("19 03 03 00 02 02 28").kind == RawKind::other);
    CHECK(classify_hex("16 04 03 00 02").kind == RawKind::other);
    CHECK(classify_hex("16 00 00 00 02").kind == RawKind::other);  // 00 00 only for alerts
  }
  CHECK(tls_alert_name(0) == "close_notify");
  CHECK(tls_alert_name(70) == "protocol_version");
  CHECK(tls_alert_name(116) == "certificate_required");
  CHECK(tls_alert_name(255) == "unknown");
}

TEST_CASE("HTTP status lines: version and code", "[evidence]") {
  const auto e = classify_bytes("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n");
  CHECK(e.kind == RawKind::http_response);
  CHECK(e.http_version == std::string("HTTP/1.1"));
  CHECK(e.http_status == 400);
  CHECK(e.description == "HTTP/1.1 response, status 400 (Bad Request)");
  // Go's answer to plaintext on a TLS port is HTTP/1.0.
  const auto go = classify_hex(to_hex("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"));
  CHECK(go.http_version == std::string("HTTP/1.0"));
  CHECK(go.http_status == 400);
  // Cut off inside the reason, as 64 first bytes can be.
  CHECK(classify_bytes("HTTP/1.1 503").description == "HTTP/1.1 response, status 503");
  const auto broken = classify_bytes("HTTP/1.1 abc\r\n");
  CHECK(broken.kind == RawKind::http_response);
  CHECK_FALSE(broken.http_status);
}

TEST_CASE("PROXY protocol v1 and v2 headers", "[evidence]") {
  const auto v1 = classify_bytes("PROXY TCP4 192.0.2.1 192.0.2.10 50000 443\r\nGET / HTTP/1.1\r\n");
  CHECK(v1.kind == RawKind::proxy_v1);
  CHECK(v1.description == "PROXY protocol v1 header: PROXY TCP4 192.0.2.1 192.0.2.10 50000 443");

  // Signature, 0x21 (v2, PROXY), 0x11 (TCP over IPv4), 12 address bytes.
  const auto v2 = classify_hex("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 0c c0 00 02 01 c0 00 02 0a c3 50 01 bb");
  CHECK(v2.kind == RawKind::proxy_v2);
  CHECK(v2.description == "PROXY protocol v2 header (version 2, PROXY, TCP over IPv4, 12 bytes of addresses and TLVs)");
  CHECK(classify_hex("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a").kind == RawKind::proxy_v2);
  CHECK(classify_hex("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0b").kind == RawKind::other);
}

TEST_CASE("HTTP/2 frames: SETTINGS then GOAWAY from an h2-only peer; the preface", "[evidence]") {
  // SETTINGS with MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535, ENABLE_CONNECT_PROTOCOL=1,
  // then GOAWAY(last stream 0, PROTOCOL_ERROR).
  const auto e = classify_hex(
      "00 00 12 04 00 00 00 00 00 00 03 00 00 00 64 00 04 00 00 ff ff 00 08 00 00 00 01 "
      "00 00 08 07 00 00 00 00 00 00 00 00 00 00 00 00 01");
  CHECK(e.kind == RawKind::http2_frames);
  CHECK(e.http2_frame_types == std::vector<int>{4, 7});
  CHECK(e.http2_goaway_error == 1u);
  CHECK(e.http2_connect_protocol == true);
  CHECK(e.description ==
        "HTTP/2 frames: SETTINGS (3 settings, ENABLE_CONNECT_PROTOCOL=1), then GOAWAY (PROTOCOL_ERROR) "
        "(the peer speaks HTTP/2, not HTTP/1.1)");
  // A GOAWAY alone, HTTP_1_1_REQUIRED.
  const auto goaway = classify_hex("00 00 08 07 00 00 00 00 00 00 00 00 00 00 00 00 0d");
  CHECK(goaway.kind == RawKind::http2_frames);
  CHECK(goaway.http2_goaway_error == 0xdu);
  CHECK_THAT(goaway.description, Catch::Contains("GOAWAY (HTTP_1_1_REQUIRED)"));
  // An empty SETTINGS ACK is still SETTINGS; a DATA frame first is not a server's opening.
  CHECK(classify_hex("00 00 00 04 01 00 00 00 00").kind == RawKind::http2_frames);
  CHECK(classify_hex("00 00 04 00 00 00 00 00 01 61 62 63 64").kind == RawKind::other);
  // SETTINGS on a stream other than 0, or of a length that is not a multiple of 6, is not HTTP/2.
  CHECK(classify_hex("00 00 06 04 00 00 00 00 01 00 03 00 00 00 64").kind == RawKind::other);
  CHECK(classify_hex("00 00 05 04 00 00 00 00 00 00 03 00 00 00").kind == RawKind::other);

  const auto preface = classify_bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
  CHECK(preface.kind == RawKind::http2_preface);
  CHECK(http2_error_name(0x7) == "REFUSED_STREAM");
  CHECK(http2_error_name(0x99) == "unknown");
}

TEST_CASE("SSH banners, silence, and everything else", "[evidence]") {
  const auto ssh = classify_bytes("SSH-2.0-OpenSSH_9.6\r\n");
  CHECK(ssh.kind == RawKind::ssh_banner);
  CHECK(ssh.description == "SSH banner: SSH-2.0-OpenSSH_9.6");

  CHECK(classify_hex("", Condition::eof, 0).kind == RawKind::zero_bytes_fin);
  CHECK(classify_hex("", Condition::eof, 0).description == "zero bytes, then FIN: the peer closed without answering");
  CHECK(classify_hex("", Condition::reset, 0).kind == RawKind::zero_bytes_rst);
  CHECK(classify_hex("", Condition::timeout, 0).kind == RawKind::zero_bytes);
  CHECK(classify_bytes("", Condition::none).description == "zero bytes");

  const auto garbage = classify_hex("00 00 00 00", Condition::eof, 200);
  CHECK(garbage.kind == RawKind::other);
  CHECK(garbage.byte_count == 200);
  CHECK_THAT(garbage.description, Catch::StartsWith("200 bytes that are not TLS"));
  const auto text = classify_bytes("hello world\n");
  CHECK(text.kind == RawKind::other);
  CHECK_THAT(text.description, Catch::Contains("\"hello world.\""));
  CHECK(classify_hex("zz").kind == RawKind::other);
  CHECK_THAT(classify_hex("zz").description, Catch::StartsWith("unreadable hex"));
  CHECK(to_string(RawKind::proxy_v2) == "proxy_v2");
}

TEST_CASE("rules that show first bytes also say what they are - the cause unchanged", "[evidence][checks]") {
  SECTION("upgrade answered with a TLS alert over ws://") {
    auto r = failed_at(Scheme::ws, Stage::upgrade, Condition::not_http, "not HTTP");
    r.observed.upgrade->first_bytes_hex = "15 03 03 00 02 02 28";
    r.observed.upgrade->bytes_received = 7;
    r.observed.upgrade->connection_end = Condition::eof;
    diagnose(r);
    CHECK(r.verdict.cause == "plaintext_to_tls_port");
    REQUIRE_FALSE(r.findings.empty());
    INFO(r.findings.front().evidence.size());
    CHECK(has_evidence(r.findings.front(), "first bytes: 15 03 03 00 02 02 28"));
    CHECK(has_evidence(r.findings.front(),
                       "first bytes are: TLS fatal alert 40 (handshake_failure), record version 0x0303"));
  }
  SECTION("upgrade answered with an SSH banner") {
    auto r = failed_at(Scheme::ws, Stage::upgrade, Condition::not_http, "not HTTP");
    r.observed.upgrade->first_bytes_hex = to_hex("SSH-2.0-OpenSSH_9.6\r\n");
    r.observed.upgrade->bytes_received = 21;
    diagnose(r);
    CHECK(r.verdict.cause == "upgrade_not_http");
    CHECK(has_evidence(r.findings.front(), "first bytes are: SSH banner: SSH-2.0-OpenSSH_9.6"));
  }
  SECTION("the ClientHello answered with plaintext HTTP") {
    auto r = failed_at(Scheme::wss, Stage::tls, Condition::not_tls, "not TLS");
    r.observed.tls->first_bytes_hex = to_hex("HTTP/1.1 400 Bad Request\r\n");
    r.observed.tls->bytes_received = 150;
    diagnose(r);
    CHECK(r.verdict.cause == "tls_to_plaintext_port");
    CHECK(has_evidence(r.findings.front(), "first bytes are: HTTP/1.1 response, status 400 (Bad Request)"));
  }
  SECTION("no first bytes, no extra line") {
    auto r = failed_at(Scheme::wss, Stage::tls, Condition::eof, "eof");
    diagnose(r);
    for (const auto& line : r.findings.front().evidence) CHECK(line.rfind("first bytes are:", 0) != 0);
  }
}

// The first bytes of a TLS answer, and which alert a handshake keeps (wire/tls_record).
#include <catch2/catch.hpp>

#include "wire/tls_record.hpp"

using namespace wsprobe;
using namespace std::string_view_literals;

TEST_CASE("tls record: a content type 20..23 starts a record; version major 3 makes it one", "[wire][tls]") {
  CHECK(starts_with_tls_content_type("\x15\x03\x03\x00\x02\x02\x28"sv));  // fatal handshake_failure alert
  CHECK(starts_with_tls_content_type("\x14"sv));
  CHECK(starts_with_tls_content_type("\x17"sv));
  CHECK_FALSE(starts_with_tls_content_type("\x13\x03"sv));
  CHECK_FALSE(starts_with_tls_content_type("\x18\x03"sv));
  CHECK_FALSE(starts_with_tls_content_type("HTTP/1.1 400 Bad Request\r\n"));
  CHECK_FALSE(starts_with_tls_content_type(""));  // nothing yet says "not TLS" either: peer_not_tls checks both

  CHECK(is_tls_record("\x16\x03\x01"sv));
  CHECK_FALSE(is_tls_record("\x16"sv));         // too short to tell
  CHECK_FALSE(is_tls_record("\x16\x02\x00"sv));  // SSL 2-ish version byte
  CHECK_FALSE(is_tls_record("HT"));
}

TEST_CASE("tls record: the first line only when it is printable ASCII", "[wire][tls]") {
  CHECK(printable_first_line("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n") == "HTTP/1.1 400 Bad Request");
  CHECK(printable_first_line("SSH-2.0-OpenSSH_9.2\n") == "SSH-2.0-OpenSSH_9.2");
  CHECK(printable_first_line("no line end") == "no line end");
  CHECK(printable_first_line("\r\nHTTP/1.1 200") == "");
  CHECK(printable_first_line("bad\x01 byte\r\n"sv) == "");
  CHECK(printable_first_line("caf\xc3\xa9\r\n") == "");  // not ASCII
  CHECK(printable_first_line("") == "");
}

TEST_CASE("tls record: a fatal alert replaces an earlier warning, never the other way", "[wire][tls]") {
  std::optional<int> slot;
  keep_alert(slot, "\x01"sv);  // too short: ignored
  CHECK_FALSE(slot);
  keep_alert(slot, "\x01\x00"sv);  // warning close_notify
  CHECK(slot == 0);
  keep_alert(slot, "\x01\x5a"sv);  // a later warning does not replace the first
  CHECK(slot == 0);
  keep_alert(slot, "\x02\x28"sv);  // fatal handshake_failure
  CHECK(slot == 40);
  keep_alert(slot, "\x01\x00"sv);
  CHECK(slot == 40);
  keep_alert(slot, "\x02\x74\xff"sv);  // a later fatal one wins; extra bytes are not looked at
  CHECK(slot == 116);
}

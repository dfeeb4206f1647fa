#pragma once
// What the first bytes a peer sent in answer to a ClientHello say (a TLS record, or something else),
// and which alert to keep from those a handshake saw. Pure bytes: probe/tls.cpp and
// probe/tls_in_tls.cpp feed these from the wire and from OpenSSL's message callback, and
// fuzz/fuzz_tls_record.cpp feeds them anything.
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe {

// RFC 8446 §5.1: a record starts with its content type, 20..23 (change_cipher_spec, alert,
// handshake, application_data). False for no bytes: nothing says yet that the peer is not TLS.
bool starts_with_tls_content_type(std::string_view bytes);

// A content type as above and the legacy version's major byte 3: the peer answered in TLS.
bool is_tls_record(std::string_view bytes);

// The peer's first line when it is printable ASCII ("HTTP/1.1 400 Bad Request"), else empty.
std::string printable_first_line(std::string_view bytes);

// RFC 8446 §6: an alert message is level (1 warning, 2 fatal) then description. Keeps `alert`'s
// description in `slot` when the slot is empty or the alert is fatal (a fatal alert replaces an
// earlier warning, a close_notify say, as the one worth reporting); ignores a message shorter
// than two bytes.
void keep_alert(std::optional<int>& slot, std::string_view alert);

}  // namespace wsprobe

#pragma once
// What the first bytes a stage received are, in words: a TLS record, an HTTP status line, a PROXY
// protocol header, HTTP/2 frames, an SSH banner, or nothing at all (and how the connection ended).
// Pure: the observations keep the bytes (as hex, TlsObservation/UpgradeObservation::first_bytes_hex)
// and the rules ask this what they were.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/stage.hpp"

namespace wsprobe {

enum class RawKind {
  zero_bytes_fin,  // nothing, then the peer closed (FIN)
  zero_bytes_rst,  // nothing, then the peer reset (RST)
  zero_bytes,      // nothing, and the connection did not end (a timeout, or still open)
  tls_alert,       // a TLS alert record (content type 21)
  tls_handshake,   // a TLS handshake record (content type 22): a TLS server answered
  tls_record,      // another TLS record (change_cipher_spec, application_data, heartbeat)
  http_response,   // "HTTP/x.y NNN ..."
  proxy_v1,        // "PROXY TCP4 ..." (HAProxy PROXY protocol §2.1)
  proxy_v2,        // the 12-byte v2 signature (§2.2)
  http2_preface,   // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4)
  http2_frames,    // a SETTINGS or GOAWAY frame header on stream 0 (RFC 9113 §4.1, §6.5, §6.8)
  ssh_banner,      // "SSH-2.0-..." (RFC 4253 §4.2)
  other,           // anything else
};
std::string_view to_string(RawKind kind);

struct RawEvidence {
  RawKind kind = RawKind::other;
  std::string description;  // one line: "TLS fatal alert 40 (handshake_failure), record version 0x0303"
  std::size_t byte_count = 0;  // bytes received in all (the first bytes may be fewer)
  // TLS records (RFC 8446 §5.1, §6).
  std::optional<int> tls_content_type;           // 20..24
  std::optional<std::uint16_t> tls_record_version;  // 0x0303; 0x0000 from some CDNs without SNI
  std::optional<int> tls_alert_level;            // 1 warning, 2 fatal
  std::optional<int> tls_alert_description;      // 40 handshake_failure, 112 unrecognized_name...
  std::optional<int> tls_handshake_type;         // 2 server_hello...
  // HTTP/1.x.
  std::optional<std::string> http_version;       // "HTTP/1.1"
  std::optional<int> http_status;
  // HTTP/2.
  std::vector<int> http2_frame_types;            // in order, as far as the bytes go
  std::optional<std::uint32_t> http2_goaway_error;
  std::optional<bool> http2_connect_protocol;    // SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3), when sent
};

// Classifies the raw first bytes. `end` is how the connection ended (eof, reset; anything else
// counts as "did not end"); `byte_count` is how many bytes arrived in all (default: bytes.size()).
RawEvidence classify_bytes(std::string_view bytes, Condition end = Condition::none,
                           std::optional<std::size_t> byte_count = std::nullopt);

// The same from the observations' hex form ("48 54 54 50"). Unreadable hex is kind other.
RawEvidence classify_hex(std::string_view first_bytes_hex, Condition end = Condition::none,
                         std::optional<std::size_t> byte_count = std::nullopt);

// "48 54 54 50" (or "48545450", "48:54:54:50", either case) to bytes; empty optional when it is
// not hex (an odd digit count, another character).
std::optional<std::string> bytes_from_hex(std::string_view hex);

// RFC 8446 §6 alert description names (with TLS 1.2's, RFC 5246 §7.2): 40 -> "handshake_failure";
// unknown values -> "unknown".
std::string_view tls_alert_name(int description);

// "60.4 s"; under a second in milliseconds ("150 ms"), where tenths of a second would blur it.
// How rule texts state a duration.
std::string duration_words(Micros duration);

// RFC 9113 §7 error code names: 1 -> "PROTOCOL_ERROR"; unknown -> "unknown".
std::string_view http2_error_name(std::uint32_t code);

}  // namespace wsprobe

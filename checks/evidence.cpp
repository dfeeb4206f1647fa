// First bytes in words. Each branch names the specification its layout comes from.
#include "checks/evidence.hpp"

#include <cstdio>

#include "wire/hex.hpp"

namespace wsprobe {
namespace {

unsigned byte_at(std::string_view bytes, std::size_t i) { return static_cast<unsigned char>(bytes[i]); }

std::string hex16(unsigned value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%04x", value & 0xffffu);
  return buffer;
}

// The text up to the first CR or LF, made printable.
std::string first_line(std::string_view bytes, std::size_t max = 120) {
  const auto end = bytes.find_first_of("\r\n");
  return printable(bytes.substr(0, end), max);
}

std::string_view tls_content_type_name(unsigned type) {
  switch (type) {
    case 20: return "change_cipher_spec";
    case 21: return "alert";
    case 22: return "handshake";
    case 23: return "application_data";
    case 24: return "heartbeat";
  }
  return "unknown";
}

// RFC 8446 §4: HandshakeType.
std::string_view handshake_type_name(unsigned type) {
  switch (type) {
    case 0: return "HelloRequest";
    case 1: return "ClientHello";
    case 2: return "ServerHello";
    case 4: return "NewSessionTicket";
    case 8: return "EncryptedExtensions";
    case 11: return "Certificate";
    case 12: return "ServerKeyExchange";
    case 13: return "CertificateRequest";
    case 14: return "ServerHelloDone";
    case 15: return "CertificateVerify";
    case 16: return "ClientKeyExchange";
    case 20: return "Finished";
  }
  return "";
}

// RFC 8446 §5.1: a record header is type(1) legacy_record_version(2) length(2). Versions 0x0300
// (SSL 3.0) to 0x0304; a few CDNs send an alert with version 0x0000 to a ClientHello without SNI
// (knowledge base: tls_sni_required), which OpenSSL reports as "wrong version number".
bool looks_like_tls_record(std::string_view bytes) {
  if (bytes.size() < 3) return false;
  const unsigned type = byte_at(bytes, 0);
  if (type < 20 || type > 24) return false;
  const unsigned major = byte_at(bytes, 1), minor = byte_at(bytes, 2);
  if (major == 3 && minor <= 4) return true;
  return type == 21 && major == 0 && minor == 0;
}

void classify_tls(std::string_view bytes, RawEvidence& out) {
  const unsigned type = byte_at(bytes, 0);
  const unsigned version = (byte_at(bytes, 1) << 8) | byte_at(bytes, 2);
  out.tls_content_type = static_cast<int>(type);
  out.tls_record_version = static_cast<std::uint16_t>(version);
  const auto version_text = "record version " + hex16(version);
  const std::optional<unsigned> length =
      bytes.size() >= 5 ? std::optional<unsigned>((byte_at(bytes, 3) << 8) | byte_at(bytes, 4)) : std::nullopt;
  if (type == 21) {
    out.kind = RawKind::tls_alert;
    // RFC 8446 §6: a plaintext alert is level(1) description(1); a longer record is encrypted.
    if (length == 2u && bytes.size() >= 7) {
      const int level = static_cast<int>(byte_at(bytes, 5));
      const int description = static_cast<int>(byte_at(bytes, 6));
      out.tls_alert_level = level;
      out.tls_alert_description = description;
      const std::string level_text = level == 2 ? "fatal" : level == 1 ? "warning" : "level " + std::to_string(level);
      out.description = "TLS " + level_text + " alert " + std::to_string(description) + " (" +
                        std::string(tls_alert_name(description)) + "), " + version_text;
    } else if (length && *length != 2) {
      out.description = "TLS alert record of " + std::to_string(*length) + " bytes (encrypted), " + version_text;
    } else {
      out.description = "TLS alert record (cut short), " + version_text;
    }
    return;
  }
  if (type == 22) {
    out.kind = RawKind::tls_handshake;
    std::string message;
    if (bytes.size() >= 6) {
      out.tls_handshake_type = static_cast<int>(byte_at(bytes, 5));
      const auto name = handshake_type_name(byte_at(bytes, 5));
      if (!name.empty()) message = " (" + std::string(name) + ")";
    }
    out.description = "TLS handshake record" + message + ", " + version_text;
    return;
  }
  out.kind = RawKind::tls_record;
  out.description = "TLS " + std::string(tls_content_type_name(type)) + " record, " + version_text;
}

// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
bool classify_http(std::string_view bytes, RawEvidence& out) {
  if (bytes.substr(0, 5) != "HTTP/") return false;
  out.kind = RawKind::http_response;
  const auto space = bytes.find(' ');
  const auto line = first_line(bytes);
  if (space == std::string_view::npos || space > 12 || bytes.size() < space + 4) {
    out.description = "bytes starting with \"HTTP/\" but no complete status line: \"" + line + "\"";
    return true;
  }
  const auto code = bytes.substr(space + 1, 3);
  for (const char c : code)
    if (c < '0' || c > '9') {
      out.description = "bytes starting with \"HTTP/\" but no valid status code: \"" + line + "\"";
      return true;
    }
  out.http_version = std::string(bytes.substr(0, space));
  out.http_status = std::stoi(std::string(code));
  std::string reason;
  if (line.size() > space + 5) reason = line.substr(space + 5);
  out.description = *out.http_version + " response, status " + std::string(code) +
                    (reason.empty() ? "" : " (" + reason + ")");
  return true;
}

// HAProxy's PROXY protocol: v1 "PROXY TCP4|TCP6|UNKNOWN ...\r\n" (§2.1), v2 a 12-byte signature,
// version/command, family/transport and a 16-bit length (§2.2).
constexpr std::string_view kProxyV2Signature{"\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12};

bool classify_proxy(std::string_view bytes, RawEvidence& out) {
  if (bytes.substr(0, 6) == "PROXY ") {
    out.kind = RawKind::proxy_v1;
    out.description = "PROXY protocol v1 header: " + first_line(bytes, 107);
    return true;
  }
  if (bytes.size() < kProxyV2Signature.size() || bytes.substr(0, kProxyV2Signature.size()) != kProxyV2Signature)
    return false;
  out.kind = RawKind::proxy_v2;
  if (bytes.size() < 16) {
    out.description = "PROXY protocol v2 header (signature only)";
    return true;
  }
  const unsigned version_command = byte_at(bytes, 12), family = byte_at(bytes, 13);
  const unsigned length = (byte_at(bytes, 14) << 8) | byte_at(bytes, 15);
  const std::string command = (version_command & 0x0f) == 0 ? "LOCAL" : (version_command & 0x0f) == 1 ? "PROXY" : "unknown command";
  std::string transport;
  switch (family >> 4) {
    case 0: transport = "unspecified family"; break;
    case 1: transport = "IPv4"; break;
    case 2: transport = "IPv6"; break;
    case 3: transport = "UNIX"; break;
    default: transport = "unknown family"; break;
  }
  switch (family & 0x0f) {
    case 1: transport = "TCP over " + transport; break;
    case 2: transport = "UDP over " + transport; break;
    default: break;
  }
  out.description = "PROXY protocol v2 header (version " + std::to_string(version_command >> 4) + ", " + command +
                    ", " + transport + ", " + std::to_string(length) + " bytes of addresses and TLVs)";
  return true;
}

std::string_view http2_frame_name(unsigned type) {
  switch (type) {
    case 0x0: return "DATA";
    case 0x1: return "HEADERS";
    case 0x2: return "PRIORITY";
    case 0x3: return "RST_STREAM";
    case 0x4: return "SETTINGS";
    case 0x5: return "PUSH_PROMISE";
    case 0x6: return "PING";
    case 0x7: return "GOAWAY";
    case 0x8: return "WINDOW_UPDATE";
    case 0x9: return "CONTINUATION";
  }
  return "";
}

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr unsigned kDefaultMaxFrameSize = 16384;  // RFC 9113 §6.5.2 SETTINGS_MAX_FRAME_SIZE initial value

// RFC 9113 §4.1: length(24) type(8) flags(8) R+stream(32). A server's first frame is SETTINGS
// (§3.4); one that refuses an HTTP/1.1 request may send GOAWAY straight away. Both are on stream 0.
bool classify_http2(std::string_view bytes, RawEvidence& out) {
  if (bytes.substr(0, 14) == kHttp2Preface.substr(0, 14)) {  // "PRI * HTTP/2.0", the rest may be cut off
    out.kind = RawKind::http2_preface;
    out.description = "the HTTP/2 client connection preface (PRI * HTTP/2.0)";
    return true;
  }
  if (bytes.size() < 9) return false;
  const auto frame_at = [&](std::size_t at, unsigned& length, unsigned& type, unsigned& flags, std::uint32_t& stream) {
    length = (byte_at(bytes, at) << 16) | (byte_at(bytes, at + 1) << 8) | byte_at(bytes, at + 2);
    type = byte_at(bytes, at + 3);
    flags = byte_at(bytes, at + 4);
    stream = ((byte_at(bytes, at + 5) & 0x7fu) << 24) | (byte_at(bytes, at + 6) << 16) | (byte_at(bytes, at + 7) << 8) |
             byte_at(bytes, at + 8);
  };
  unsigned length = 0, type = 0, flags = 0;
  std::uint32_t stream = 0;
  frame_at(0, length, type, flags, stream);
  const bool settings = type == 0x4 && stream == 0 && length % 6 == 0 && (flags & ~0x1u) == 0 &&
                        length <= kDefaultMaxFrameSize;
  const bool goaway = type == 0x7 && stream == 0 && length >= 8 && flags == 0 && length <= kDefaultMaxFrameSize;
  if (!settings && !goaway) return false;

  out.kind = RawKind::http2_frames;
  std::string frames;
  std::size_t at = 0;
  while (at + 9 <= bytes.size()) {
    frame_at(at, length, type, flags, stream);
    const auto frame_name = http2_frame_name(type);
    if (frame_name.empty() || length > kDefaultMaxFrameSize) break;
    out.http2_frame_types.push_back(static_cast<int>(type));
    std::string text(frame_name);
    const auto payload = at + 9;
    if (type == 0x4) {
      if (flags & 0x1) {
        text += " (ACK)";
      } else {
        // §6.5.1: each setting is identifier(16) value(32).
        text += " (" + std::to_string(length / 6) + " settings";
        for (std::size_t s = payload; s + 6 <= payload + length && s + 6 <= bytes.size(); s += 6) {
          const unsigned id = (byte_at(bytes, s) << 8) | byte_at(bytes, s + 1);
          const std::uint32_t value = (byte_at(bytes, s + 2) << 24) | (byte_at(bytes, s + 3) << 16) |
                                      (byte_at(bytes, s + 4) << 8) | byte_at(bytes, s + 5);
          if (id == 0x8) {  // SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441 §3
            out.http2_connect_protocol = value == 1;
            text += value == 1 ? ", ENABLE_CONNECT_PROTOCOL=1" : ", ENABLE_CONNECT_PROTOCOL=0";
          }
        }
        text += ")";
      }
    } else if (type == 0x7 && payload + 8 <= bytes.size()) {
      // §6.8: last-stream-id(32) error-code(32) debug data.
      const std::uint32_t code = (byte_at(bytes, payload + 4) << 24) | (byte_at(bytes, payload + 5) << 16) |
                                 (byte_at(bytes, payload + 6) << 8) | byte_at(bytes, payload + 7);
      out.http2_goaway_error = code;
      text += " (" + std::string(http2_error_name(code)) + ")";
    }
    frames += (frames.empty() ? "" : ", then ") + text;
    at = payload + length;
  }
  out.description = "HTTP/2 frames: " + frames + " (the peer speaks HTTP/2, not HTTP/1.1)";
  return true;
}

}  // namespace

std::string_view to_string(RawKind kind) {
  switch (kind) {
    case RawKind::zero_bytes_fin: return "zero_bytes_fin";
    case RawKind::zero_bytes_rst: return "zero_bytes_rst";
    case RawKind::zero_bytes: return "zero_bytes";
    case RawKind::tls_alert: return "tls_alert";
    case RawKind::tls_handshake: return "tls_handshake";
    case RawKind::tls_record: return "tls_record";
    case RawKind::http_response: return "http_response";
    case RawKind::proxy_v1: return "proxy_v1";
    case RawKind::proxy_v2: return "proxy_v2";
    case RawKind::http2_preface: return "http2_preface";
    case RawKind::http2_frames: return "http2_frames";
    case RawKind::ssh_banner: return "ssh_banner";
    case RawKind::other: return "other";
  }
  return "other";
}

std::string_view tls_alert_name(int description) {
  switch (description) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 21: return "decryption_failed";
    case 22: return "record_overflow";
    case 30: return "decompression_failure";
    case 40: return "handshake_failure";
    case 41: return "no_certificate";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 60: return "export_restriction";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 111: return "certificate_unobtainable";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 114: return "bad_certificate_hash_value";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
  }
  return "unknown";
}

std::string duration_words(Micros duration) {
  char out[32];
  if (duration < Micros(1'000'000))
    std::snprintf(out, sizeof out, "%.0f ms", static_cast<double>(duration.count()) / 1e3);
  else
    std::snprintf(out, sizeof out, "%.1f s", static_cast<double>(duration.count()) / 1e6);
  return out;
}

std::string_view http2_error_name(std::uint32_t code) {
  switch (code) {
    case 0x0: return "NO_ERROR";
    case 0x1: return "PROTOCOL_ERROR";
    case 0x2: return "INTERNAL_ERROR";
    case 0x3: return "FLOW_CONTROL_ERROR";
    case 0x4: return "SETTINGS_TIMEOUT";
    case 0x5: return "STREAM_CLOSED";
    case 0x6: return "FRAME_SIZE_ERROR";
    case 0x7: return "REFUSED_STREAM";
    case 0x8: return "CANCEL";
    case 0x9: return "COMPRESSION_ERROR";
    case 0xa: return "CONNECT_ERROR";
    case 0xb: return "ENHANCE_YOUR_CALM";
    case 0xc: return "INADEQUATE_SECURITY";
    case 0xd: return "HTTP_1_1_REQUIRED";
  }
  return "unknown";
}

std::optional<std::string> bytes_from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (const char c : hex) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else if (c == ' ' || c == ':' || c == '\t' || c == '\n' || c == '\r') {
      if (high >= 0) return std::nullopt;  // a separator inside a byte
      continue;
    } else {
      return std::nullopt;
    }
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<char>((high << 4) | digit));
      high = -1;
    }
  }
  if (high >= 0) return std::nullopt;
  return out;
}

RawEvidence classify_bytes(std::string_view bytes, Condition end, std::optional<std::size_t> byte_count) {
  RawEvidence out;
  out.byte_count = byte_count.value_or(bytes.size());
  if (out.byte_count < bytes.size()) out.byte_count = bytes.size();
  if (bytes.empty()) {
    if (out.byte_count > 0) {
      out.kind = RawKind::other;
      out.description = std::to_string(out.byte_count) + " bytes, none of them recorded";
    } else if (end == Condition::eof) {
      out.kind = RawKind::zero_bytes_fin;
      out.description = "zero bytes, then FIN: the peer closed without answering";
    } else if (end == Condition::reset) {
      out.kind = RawKind::zero_bytes_rst;
      out.description = "zero bytes, then RST: the peer reset the connection without answering";
    } else {
      out.kind = RawKind::zero_bytes;
      out.description = "zero bytes";
    }
    return out;
  }
  if (looks_like_tls_record(bytes)) {
    classify_tls(bytes, out);
    return out;
  }
  if (classify_http(bytes, out) || classify_proxy(bytes, out) || classify_http2(bytes, out)) return out;
  if (bytes.substr(0, 4) == "SSH-") {  // RFC 4253 §4.2: "SSH-protoversion-softwareversion"
    out.kind = RawKind::ssh_banner;
    out.description = "SSH banner: " + first_line(bytes);
    return out;
  }
  out.kind = RawKind::other;
  out.description = std::to_string(out.byte_count) + " bytes that are not TLS, HTTP, PROXY protocol, HTTP/2 or SSH: \"" +
                    printable(bytes, 32) + (bytes.size() > 32 ? "..." : "") + "\"";
  return out;
}

RawEvidence classify_hex(std::string_view first_bytes_hex, Condition end, std::optional<std::size_t> byte_count) {
  const auto bytes = bytes_from_hex(first_bytes_hex);
  if (!bytes) {
    RawEvidence out;
    out.kind = RawKind::other;
    out.byte_count = byte_count.value_or(0);
    out.description = "unreadable hex: \"" + printable(first_bytes_hex, 32) + "\"";
    return out;
  }
  return classify_bytes(*bytes, end, byte_count);
}

}  // namespace wsprobe

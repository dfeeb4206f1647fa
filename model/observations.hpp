#pragma once
// What each stage saw: plain data, one fact per field, the unit in the name. Filled by probe/,
// read by checks/ and report/. An empty optional means "not observed", never zero.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/stage.hpp"

namespace wsprobe {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct DnsObservation {
  std::string query_name;
  // Where the addresses came from: "dns" (c-ares), "literal" (the URL names an IP), "override" (--resolve).
  std::string source;
  std::optional<std::string> server;      // --dns-server, when given
  std::vector<std::string> cname_chain;   // each alias in order, ending with the canonical name
  std::vector<std::string> addresses;     // A and AAAA answers, in the order connect tries them
  std::optional<std::string> resolver_error;  // c-ares' own text
  std::string family = "any";                 // "any", "ipv4" (-4), "ipv6" (-6)
  // --connect-to: "HOST:PORT -> HOST2:PORT2" when a rule moved where the probe connects.
  std::optional<std::string> connect_to;
  // --all-addresses: the one address this node's probe connects to, among `addresses`.
  std::optional<std::string> pinned_address;
};

// The forward proxy hop (stage proxy): reaching the proxy, then asking it for a tunnel.
struct ProxyObservation {
  std::string scheme;   // "http", "socks5", "socks5h"
  std::string proxy;    // the proxy URL as configured, password redacted
  std::string source;   // "--proxy", "HTTPS_PROXY", ...
  std::vector<std::string> proxy_addresses;     // the proxy host's addresses, in the order tried
  std::optional<std::string> proxy_endpoint;    // "addr:port" of the proxy connection that stood
  std::optional<Micros> connect_duration;       // TCP connect to the proxy
  std::string tunnel_target;                    // "host:port" (or "addr:port") asked of the proxy
  bool credentials_sent = false;
  std::optional<Micros> tunnel_duration;        // from the CONNECT / SOCKS request to its answer
  // HTTP CONNECT (RFC 9110 §9.3.6)
  std::string request;                          // as sent, Proxy-Authorization redacted
  std::optional<std::string> status_line;
  std::optional<int> status_code;
  std::vector<HttpHeader> headers;
  std::string body;                             // up to 4 KiB of a refusal's body
  // SOCKS5 (RFC 1928, RFC 1929)
  std::optional<int> socks_method;              // the method the proxy chose; 255: none acceptable
  std::optional<int> socks_auth_status;         // RFC 1929 status; 0 = success
  std::optional<int> socks_reply;               // RFC 1928 §6 REP; 0 = succeeded
  std::optional<std::string> socks_bound_address;  // BND.ADDR:BND.PORT
  std::string first_bytes_hex;                  // the reply, when it was neither HTTP nor SOCKS5
  std::optional<Condition> connection_end;      // eof or reset from the proxy
};

struct ConnectAttempt {
  std::string address;
  std::uint16_t port = 0;
  Micros duration{0};
  Condition condition = Condition::none;  // none: connected
  std::string detail;                     // errno text
};

struct TcpObservation {
  std::vector<ConnectAttempt> attempts;  // every address tried, in order
  std::optional<std::string> remote_endpoint;  // "addr:port" of the connection that stood
  std::optional<std::string> local_endpoint;
  bool via_proxy = false;  // the connection is a tunnel the proxy stage opened; no SYN of ours
  // --proxy-protocol: the header sent before anything else ("v1" / "v2"), and its bytes in hex.
  std::optional<std::string> proxy_protocol_version;
  std::optional<std::string> proxy_protocol_header_hex;
};

struct Certificate {
  std::string subject;  // RFC 2253 one-line form
  std::string issuer;
  std::vector<std::string> subject_alt_names;  // "DNS:name" / "IP:addr"
  std::string not_before;  // ISO 8601 UTC
  std::string not_after;   // ISO 8601 UTC
  std::int64_t not_after_epoch_s = 0;
  std::string key_type;  // "RSA 2048", "EC prime256v1", "ED25519"
  std::string serial_hex;
  std::string sha256_fingerprint;  // hex, colon separated
  bool self_signed = false;
};

struct TlsObservation {
  std::string sni;
  std::vector<std::string> offered_alpn;
  bool verification_enabled = true;       // false under -k/--insecure
  std::optional<std::string> version;     // "TLSv1.3"
  std::optional<std::string> cipher;
  std::optional<std::string> alpn;        // negotiated protocol; empty optional: none
  std::vector<Certificate> peer_chain;    // leaf first
  std::optional<long> verify_result;      // OpenSSL X509_V_* code; 0 = ok
  std::optional<std::string> verify_error;   // X509_verify_cert_error_string
  std::optional<std::string> openssl_error;  // first error on OpenSSL's queue
  std::optional<int> alert_received;      // TLS alert description the peer sent (RFC 8446 §6)
  std::optional<int> alert_sent;          // TLS alert description we sent
  // The server asked for a client certificate: a CertificateRequest (RFC 8446 §4.3.2, RFC 5246
  // §7.4.4) arrived during the handshake. wsprobe never sends one, so the Certificate it answers is empty.
  bool certificate_requested = false;
  // A TLS alert the peer sent after the handshake completed (close_notify aside), on a later read: under
  // TLS 1.3 a server that requires a client certificate rejects the empty one this way (alert 116).
  std::optional<int> alert_received_after_handshake;
  std::string first_bytes_hex;            // what the peer sent, when it was not TLS (at most 64 bytes)
  std::size_t bytes_received = 0;         // raw bytes read from the peer during the handshake
  // --cert: the subject of the client certificate we offered (RFC 2253); empty: none offered.
  std::optional<std::string> client_certificate;
  std::optional<std::string> version_min;  // --tls-min / --tls-max as configured ("TLSv1.2")
  std::optional<std::string> version_max;
};

struct UpgradeObservation {
  std::string request;  // as sent, secrets redacted unless --show-secrets
  std::size_t request_bytes = 0;               // the request head as sent (before redaction)
  std::size_t longest_request_line_bytes = 0;  // its longest line: the request line or one header
  std::optional<std::string> status_line;
  std::optional<int> status_code;
  std::vector<HttpHeader> headers;  // as received, in order
  std::string body;                 // up to 4 KiB of the body that followed
  bool body_truncated = false;
  std::size_t bytes_received = 0;
  std::string first_bytes_hex;  // the first bytes, when the reply was not HTTP (at most 64)
  std::optional<Micros> time_to_first_byte;  // from the end of the request write
  std::optional<Micros> time_to_response;    // from the end of the request write to a complete head
  std::optional<Condition> connection_end;   // eof or reset, when the peer ended the connection
  // RFC 6455 §4.1 validation of a 101.
  std::string expected_accept;
  std::optional<std::string> accept;
  std::optional<std::string> subprotocol;
  std::vector<std::string> extensions;
  std::vector<std::string> violations;  // each failed check, in words
  std::vector<std::string> offered_extensions;  // Sec-WebSocket-Extensions we sent (--compress)
  // permessage-deflate as negotiated (RFC 7692 §7), e.g. "permessage-deflate; server_no_context_takeover";
  // empty when not negotiated.
  std::optional<std::string> compression;
};

struct LatencyStats {
  std::size_t samples = 0;
  Micros min{0}, p50{0}, p90{0}, p95{0}, p99{0}, max{0}, mean{0};
};

struct CloseFrame {
  std::optional<std::uint16_t> code;  // absent when the frame had no payload
  std::string reason;
};

enum class EchoMode { automatic, require, off };

struct EchoMessage {
  std::size_t size_bytes = 0;
  std::optional<Micros> rtt;  // when a reply came
  enum class Outcome { echoed, mismatch, no_reply } outcome = Outcome::no_reply;
};

// --sizes / --max-size: one echo of each size, in order, until the first that fails.
struct SizeProbe {
  std::size_t size_bytes = 0;
  // "echoed", "mismatch", "closed" (a close frame, e.g. 1009), "dropped" (FIN or RST), "timeout"
  // (no reply within the budget), "not_echoed" (the connection lives, nothing came back).
  std::string outcome;
  std::optional<Micros> rtt;             // when the echo came
  std::optional<CloseFrame> peer_close;  // the close frame that answered it
  std::optional<Condition> connection_end;
};

// --expect REGEX: the application-level check of the replies.
struct ExpectCheck {
  std::string pattern;
  bool matched = false;
  std::size_t replies_checked = 0;
  std::optional<std::string> matching_reply;  // the first reply that matched (at most 256 bytes)
  std::optional<std::string> last_reply;      // the last reply that did not (at most 256 bytes)
};

struct EchoObservation {
  EchoMode mode = EchoMode::automatic;
  std::vector<std::optional<Micros>> ping_rtts;  // one per ping; empty optional: no pong
  std::vector<EchoMessage> messages;
  std::optional<bool> echo_endpoint;  // did the server echo; empty when not tested
  std::optional<LatencyStats> ping_latency;
  std::optional<LatencyStats> echo_latency;
  std::size_t unsolicited_messages = 0;  // data frames that were not replies
  std::optional<CloseFrame> peer_close;  // a close frame the server sent during the stage
  std::optional<Condition> connection_end;  // eof or reset during the stage
  std::string payload_kind = "text";        // "text" or "binary" (--binary)
  bool custom_message = false;              // --message: the payload is the user's
  std::size_t compressed_messages_received = 0;  // replies with RSV1 set (permessage-deflate)
  std::optional<ExpectCheck> expect;         // --expect
  std::vector<SizeProbe> size_sweep;         // --sizes / --max-size, in the order sent
  std::optional<std::size_t> largest_echoed_bytes;  // the largest size of the sweep that came back intact
};

// The silent companion of a pinged hold (--hold with --hold-ping): a second connection to the same
// address (and through the same proxy), set up as the main one, then held as long without any
// keepalive. Its times count from the start of its own hold.
struct SilentHold {
  // The stage that failed before its hold could start, and that stage's detail; the rest is then empty.
  std::optional<Stage> failed_before_hold;
  std::string failure_detail;
  std::optional<std::string> remote_endpoint;  // "addr:port" it connected to
  // From the main probe's start to the start of this hold: during the main hold, its own setup later.
  std::optional<Micros> hold_start_offset;
  bool survived = false;                  // its final ping was answered
  Micros held{0};                         // from the start of its hold to its end (or to the cut)
  std::optional<std::string> end;         // as HoldObservation::end: close_frame, fin, reset, silent
  std::optional<Micros> cut_after;        // from the start of its hold to the end's first sign
  std::optional<Micros> idle_before_cut;  // from its last send to the cut
  std::optional<CloseFrame> peer_close;   // the close frame, when one came
  std::string closed_by;                  // as HoldObservation::closed_by
  // The end showed only when its final check went out: a silent drop, or an RST answering it (an
  // L4 balancer's timer that fired at some time before). When the cut happened is then unknown,
  // only that it was within the hold.
  bool found_by_final_check = false;
};

// hold (--hold): the connection kept open after the echo stage, then proven alive or seen to die.
struct HoldObservation {
  Micros requested{0};                   // --hold
  std::optional<Micros> ping_interval;   // --hold-ping: keepalive traffic during the hold
  bool keepalive_by_message = false;     // --hold-message: data messages instead of pings
  std::size_t pings_sent = 0;
  std::size_t pongs_received = 0;
  std::size_t messages_sent = 0;
  Micros held{0};                        // from the start of the hold to its end (or to the cut)
  bool survived = false;                 // the final check (a ping, or a message) was answered
  std::optional<Micros> final_check_rtt;
  // How the connection ended when it did not survive: "close_frame", "fin", "reset", or "silent"
  // (no sign until the final check went unanswered).
  std::optional<std::string> end;
  std::optional<Micros> cut_after;          // from the start of the hold to the end's first sign
  std::optional<Micros> idle_before_cut;    // from our last send to the cut: what an idle timer counts
  std::optional<CloseFrame> peer_close;     // the close frame, when one came
  // Who ended it, as ConnectionEnd::by: "server" (a close frame), "intermediary or server" (FIN or
  // RST without a close frame), "unknown" (silent, or a send that timed out); empty when it survived.
  std::string closed_by;
  // --hold-ping: the same hold without keepalives, made on a second connection alongside.
  std::optional<SilentHold> silent_run;
  // The longest keepalive interval the two runs show to be safe, when this run survived: the silent
  // run cut after an idle T gives T less a margin (10% of T, at least 2 s, at most T/2), never less
  // than --hold-ping, which this run proved; a silent run cut at an unknown time
  // (found_by_final_check) gives --hold-ping alone; a silent run that survived too gives --hold (a
  // lower bound: no idle cut happened within it). Empty when this run died (a lifetime limit, or
  // the pings themselves cut it) or the silent run never reached its hold.
  std::optional<Micros> largest_safe_ping_interval;
};

struct CloseObservation {
  std::optional<std::uint16_t> code_sent;
  std::optional<CloseFrame> peer_close;     // the peer's close frame, if one came
  bool peer_initiated = false;              // the peer sent its close frame first
  std::optional<Micros> close_rtt;          // from our close frame to the peer's
  // How the TCP connection ended after the close handshake: none (FIN, clean), eof before
  // the close frame, reset, or timeout.
  Condition tcp_end = Condition::none;
  bool tcp_closed_cleanly = false;
};

// How the WebSocket connection ended, whichever stage saw it: the close stage for a clean run
// (wsprobe closed it), else the echo stage (its size sweep included) or the hold that saw it die.
struct ConnectionEnd {
  Stage stage = Stage::close;  // the stage during which it ended
  // Who ended it: "client" (wsprobe closed it, or gave up on it after a failure), "server" (its close
  // frame), "intermediary or server" (FIN or RST without a close frame), "unknown" (no sign: silence,
  // or a write the peer never took).
  std::string by;
  // How: "close_frame" (a close handshake began; by client at the close stage, wsprobe's 1000 began
  // it and `how` stays close_frame only when the server answered), "fin", "reset", "timeout" (a
  // send or the close handshake ran out of time), "silent" (nothing came back, not even to a ping),
  // "abandoned" (wsprobe stopped after a failure, such as an echo mismatch, and closed TCP without
  // a close frame).
  std::string how;
  // The close frame that began the closing: the server's when it closed, wsprobe's own (1000) when
  // wsprobe did.
  std::optional<CloseFrame> close_frame;
  // Both close frames were exchanged (RFC 6455 §7.1.1): ours answered by the server, or the server's
  // answered by ours.
  bool handshake_completed = false;
  Micros at{0};  // from the probe's start to the end's first sign
};

// Everything the probe of one target saw; a stage that did not run leaves its member empty.
struct Observations {
  std::optional<DnsObservation> dns;
  std::optional<ProxyObservation> proxy;
  std::optional<TcpObservation> tcp;
  std::optional<TlsObservation> tls;
  std::optional<UpgradeObservation> upgrade;
  std::optional<EchoObservation> echo;
  std::optional<HoldObservation> hold;
  std::optional<CloseObservation> close;
  // How the WebSocket connection ended; empty when there was none (the upgrade failed) or the probe
  // stopped without seeing its end.
  std::optional<ConnectionEnd> connection_end;
};

}  // namespace wsprobe

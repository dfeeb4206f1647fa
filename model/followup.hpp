#pragma once
// Follow-up probes: small extra connections wsprobe makes after a failure to tell look-alike
// causes apart (issue 3). The probe layer runs them; the rules read what they saw.
#include <optional>
#include <string>
#include <vector>

#include "model/observations.hpp"

namespace wsprobe {

enum class FollowUpKind {
  tls_offering_h2,     // a second TLS connection offering ALPN h2, http/1.1: an h2-only server picks h2
  tls_in_tls,          // a TLS ClientHello sent inside the established TLS session: a backend behind a
                       // TLS terminator that expects TLS again answers it
  tls_on_plain_port,   // ws:// got nothing: does the same port speak TLS?
  proxy_protocol_v1,   // ws:// got nothing: does the same request work behind a PROXY v1 header?
  plain_get,           // the upgrade was refused: how does the same path answer a plain GET?
  http_on_tls_port,    // wss:// got plaintext: read the server's HTTP banner
  without_verification,// the certificate failed: would anything else fail with verification off?
};
std::string_view to_string(FollowUpKind kind);

struct FollowUpObservation {
  FollowUpKind kind = FollowUpKind::plain_get;
  std::string question;  // what it asks, in words
  Micros start_offset{0};  // from the main probe's start (the follow-ups run right after it)
  Micros duration{0};      // from its first SYN to its outcome
  std::optional<std::string> remote_endpoint;  // "addr:port" it connected to (the main probe's)
  bool connected = false;
  std::optional<bool> tls_ok;                  // when TLS was attempted
  std::optional<std::string> tls_version;
  std::optional<std::string> alpn;             // negotiated, when TLS succeeded
  std::optional<int> alert_received;
  std::optional<std::string> status_line;      // an HTTP answer, when one came
  std::optional<int> status_code;
  std::vector<HttpHeader> headers;
  std::string body;                            // up to 1 KiB
  std::string first_bytes_hex;                 // when the answer was not HTTP
  std::size_t bytes_received = 0;
  Condition end = Condition::none;             // eof, reset, timeout, refused, tls_failure...
  std::optional<std::string> proxy_header;     // proxy_protocol_v1: the header sent before the request
  // tls_in_tls: the answer to a ClientHello sent inside the outer TLS session.
  std::optional<bool> inner_tls_answered;      // true: the answer was a TLS record (RFC 8446 §5.1)
  std::optional<std::string> inner_tls_version;  // set once a ServerHello was processed
  std::optional<int> inner_alert_received;     // a TLS alert the inner peer sent
  std::optional<std::string> inner_certificate_subject;  // the inner leaf, not verified (RFC 2253)
  // without_verification: the whole probe again under --insecure, pinned to the same address.
  std::optional<std::string> failed_stage;     // the first stage that still failed; empty: none did
  std::optional<Condition> failed_condition;
  std::string failed_detail;                   // that stage's detail ("HTTP/1.1 403 Forbidden")
  std::string detail;                          // the layer's own words for how it ended, when it failed
  std::string outcome;                         // one line: what it saw
};

}  // namespace wsprobe

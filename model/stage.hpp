#pragma once
// Stage names, statuses and the coarse error conditions every layer reports in.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe {

using Micros = std::chrono::microseconds;
using Clock = std::chrono::steady_clock;

// The probe's stages, in the order they run (causes.md).
enum class Stage { dns, proxy, tcp, tls, upgrade, echo, hold, close };
std::string_view to_string(Stage stage);
std::optional<Stage> stage_from_string(std::string_view name);

enum class StageStatus { ok, warn, failed, skipped };
std::string_view to_string(StageStatus status);

// Coarse conditions (as Beast's websocket::condition over its errors): a rule asks
// `condition == Condition::timeout` whichever layer raised it. The layer's own words go in
// StageResult::detail.
enum class Condition {
  none,
  dns_nxdomain,        // the resolver says the name does not exist
  dns_no_address,      // the name exists but has no address of the asked family
  dns_timeout,         // no resolver answered within the budget
  dns_failure,         // SERVFAIL, REFUSED, bad server, anything else
  connect_refused,     // RST in answer to SYN
  connect_timeout,     // no answer to SYN within the budget
  unreachable,         // ICMP host/network unreachable, no route
  reset,               // the peer reset an established connection
  eof,                 // the peer closed (FIN) while more was expected
  timeout,             // the stage's budget ran out while waiting for the peer
  tls_failure,         // handshake failed: alert received, protocol error
  tls_verify_failed,   // handshake completed but the chain or name did not verify
  not_tls,             // the peer answered a ClientHello with bytes that are not TLS
  not_http,            // the peer answered the HTTP request with bytes that are not HTTP
  upgrade_rejected,    // an HTTP answer other than 101
  proxy_refused,       // the forward proxy refused the tunnel (a non-2xx to CONNECT, a SOCKS5 refusal)
  protocol_violation,  // a 101 or a frame that breaks RFC 6455
  frame_flood,         // frames faster or more fragmented than any real server sends (a control-frame flood)
  message_mismatch,    // an echo came back different from what was sent
  not_echoed,          // messages were accepted but nothing came back
  ping_unanswered,     // no pong to a ping
  closed_by_peer,      // a close frame from the peer during the probe
  close_unclean,       // the close handshake did not complete
  internal,            // a local failure (bad option, resource exhaustion)
  interrupted,         // wsprobe was stopped (SIGINT, SIGTERM) while the stage ran: no verdict on the peer
};
std::string_view to_string(Condition condition);
// The server broke RFC 6455 (protocol_violation) or flooded us (frame_flood): its fault whatever
// stage saw it, never an unclean close or a timeout.
inline bool is_peer_violation(Condition condition) {
  return condition == Condition::protocol_violation || condition == Condition::frame_flood;
}

// What one stage did: its outcome, when it ran and for how long.
struct StageResult {
  Stage stage = Stage::dns;
  StageStatus status = StageStatus::skipped;
  Micros start_offset{0};  // from the start of the probe
  Micros duration{0};      // from the stage's start to its outcome
  Condition condition = Condition::none;
  std::string detail;  // the layer's own words: OpenSSL error text, errno message, resolver text
  // How long wsprobe's event loop was late (busy with other targets' work, or not scheduled)
  // while this stage's clock ran: time that may be wsprobe's rather than the path's. Empty when
  // the run did not measure it (probe/loop_lag.hpp).
  std::optional<Micros> loop_lag;
};

}  // namespace wsprobe

#pragma once
// A loopback WebSocket *server* that misbehaves on purpose, for end-to-end tests of the echo and
// close stages: it reads the upgrade request, answers a correct 101 (the Accept computed from the
// client's key, RFC 6455 §4.2.2), then decodes the client's masked frames and reacts as its
// script says (ignore pings, corrupt echoes, close with a code, RST, stay silent on close...).
//
//   using namespace wsprobe::test;
//   WsScript script;
//   script.answer_pings = false;
//   WsScriptPeer peer(script);
//   ... probe ws://127.0.0.1:peer.port()/ ...
//   CHECK(peer.stats().pings_received >= 1);
//
// Every accepted connection plays the same script on the peer's own io_context and thread. The
// destructor closes the listener and every connection and joins, within a short grace period;
// it never waits on the client.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "probe/lab/certs.hpp"
#include "wire/ws_frame.hpp"

namespace wsprobe::test {

// What the peer does with the client's close frame.
enum class OnClientClose {
  answer_then_fin,    // close 1000 back, then TCP FIN (RFC 6455 §7.1.1: the server closes TCP first)
  answer_then_hold,   // close 1000 back, then keep TCP open (no FIN) until the client closes
  answer_then_reset,  // close 1000 back, then RST
  answer_then_data,   // close 1000 back, then a text frame (RFC 6455 forbids anything after a close), then FIN
  silent,             // never answer; keep reading until the client closes TCP
};

// How an idle (or lifetime) cut ends a connection, as load balancers do.
enum class CutBy {
  close_frame,  // a close frame (IdleCut's code and reason), then FIN
  fin,          // FIN without a close frame (ALB, nginx)
  reset,        // RST (SO_LINGER 0)
  silent,       // nothing: the connection stays open and the peer never answers again (Azure LB)
  reset_on_next_frame,  // nothing, then RST when the client next sends (AWS NLB)
};

// Cuts the connection after it was idle `after` (any client frame, ping or message, restarts the
// timer), or with `lifetime` `after` from the 101 whatever the traffic (GCP's backend timeout).
// Plain ws:// only: the close frame is written on the TCP socket.
struct IdleCut {
  std::chrono::milliseconds after{500};
  CutBy how = CutBy::fin;
  bool lifetime = false;
  std::uint16_t close_code = 1001;
  std::string close_reason = "idle timeout";
};

struct WsScript {
  // Echoed back in Sec-WebSocket-Protocol when the client offered it.
  std::optional<std::string> subprotocol;
  bool answer_pings = true;     // false: pings are read and never ponged
  bool corrupt_echoes = false;  // echo each message with its bytes altered (same length)
  std::string append_to_echoes;  // bytes added to every echo ("\xff": a text echo that is not UTF-8)
  // Sends this close frame (code, reason) on the first message instead of echoing it.
  std::optional<std::pair<std::uint16_t, std::string>> close_on_first_message;
  // Sends close 1009 "message too big" when a message exceeds this many bytes.
  std::optional<std::size_t> close_1009_above;
  std::string after_101;         // raw bytes sent right after the 101 (use server_frame())
  // Hostile peers: after the 101 and after_101, writes these bytes again and again, as fast as the
  // client reads, and never reads (a ping flood, endless continuation frames).
  std::string flood_after_101;
  // The 101 goes out one byte per this interval (a slowloris answer).
  std::chrono::milliseconds trickle_101{0};
  // The 101's status line, then header lines that never end.
  bool endless_101_head = false;
  std::string before_each_echo;  // raw bytes sent before every echo
  // >1: each echo goes out in this many frames (text/binary, then continuations) with a ping
  // between the first and the second frame.
  int echo_fragments = 1;
  // RST (SO_LINGER 0) when message k (1-based) arrives, instead of echoing it.
  std::optional<int> reset_on_message;
  // A message above this many bytes drops the connection without a close frame: RST (SO_LINGER 0)
  // with drop_with_reset, else FIN (then reads until the client closes).
  std::optional<std::size_t> drop_above;
  bool drop_with_reset = true;
  OnClientClose on_close = OnClientClose::answer_then_fin;
  std::optional<IdleCut> idle_cut;
  // A client frame announcing a payload above this many bytes makes the peer stop reading for good,
  // the connection left open: a stalled server. The listener's receive buffer is kept small then,
  // so a client writing a few MiB stalls soon.
  std::optional<std::size_t> stop_reading_above;
};

// What the peer saw, over all connections.
struct WsPeerStats {
  std::size_t connections = 0;
  std::size_t upgrades = 0;           // 101s sent
  std::string last_request;           // the last upgrade request head
  std::size_t pings_received = 0;
  std::size_t pongs_received = 0;     // pongs to the peer's own pings
  std::size_t messages_received = 0;  // whole data messages from the client
  std::size_t echoes_sent = 0;
  std::size_t closes_received = 0;
  std::optional<CloseFrame> client_close;  // the last close frame from the client
  std::size_t connections_ended = 0;       // connections the peer saw end (eof, reset, error)
  std::optional<std::string> decode_error;  // a client frame the peer could not parse
  std::size_t idle_cuts = 0;                // connections cut by WsScript::idle_cut
  std::size_t stopped_reading = 0;          // connections WsScript::stop_reading_above stalled
};

// A server frame: unmasked unless `mask`, FIN as given, `rsv` in bits 4..6 of the first byte
// (0x40 is RSV1). The payload length is encoded as given, so a 200-byte ping is possible.
std::string server_frame(Opcode opcode, std::string_view payload, bool fin = true, std::uint8_t rsv = 0,
                         bool mask = false);

namespace detail {
struct WsScriptPeerState;
}

class WsScriptPeer {
 public:
  // Listens on 127.0.0.1, a port the kernel picks. With `tls`, each connection first completes
  // a TLS handshake as a server (ALPN http/1.1 when offered) and the script runs inside TLS.
  explicit WsScriptPeer(WsScript script, std::optional<lab::CertifiedKey> tls = std::nullopt);
  ~WsScriptPeer();
  WsScriptPeer(const WsScriptPeer&) = delete;
  WsScriptPeer& operator=(const WsScriptPeer&) = delete;

  std::uint16_t port() const;
  WsPeerStats stats() const;
  // Waits until `done(stats)` holds, up to `timeout`; true if it did.
  bool wait_for(const std::function<bool(const WsPeerStats&)>& done, std::chrono::milliseconds timeout) const;

 private:
  std::unique_ptr<detail::WsScriptPeerState> state_;
};

}  // namespace wsprobe::test

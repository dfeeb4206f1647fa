#include "support/ws_script_peer.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "probe/asio.hpp"
#include "support/loopback_server.hpp"
#include "support/text_checks.hpp"
#include "wire/handshake.hpp"
#include "wire/http_response.hpp"
#include "wire/ws_frame.hpp"

namespace wsprobe::test {
namespace {
namespace ssl = net::ssl;
// Between the close frame and the RST of answer_then_reset: lets the frame reach the client's
// receive queue first, so the client reads the close and then sees the reset.
constexpr auto kResetPause = std::chrono::milliseconds(50);
constexpr std::size_t kMaxClientPayload = 16 << 20;
// WsScript::stop_reading_above: the listener's receive buffer (the kernel doubles it).
constexpr int kStalledReceiveBuffer = 32 * 1024;

LoopbackOptions listen_options(const WsScript& script) {
  LoopbackOptions options;
  // Accepted sockets inherit it: a small window makes a stalled peer's client stall soon.
  if (script.stop_reading_above) options.receive_buffer_size = kStalledReceiveBuffer;
  return options;
}
}  // namespace

std::string server_frame(Opcode opcode, std::string_view payload, bool fin, std::uint8_t rsv, bool mask) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0x00) | (rsv & 0x70) | static_cast<std::uint8_t>(opcode)));
  const std::uint8_t mask_bit = mask ? 0x80 : 0x00;
  const auto n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
  }
  const std::array<unsigned char, 4> key{0x12, 0x34, 0x56, 0x78};
  if (mask) out.append(reinterpret_cast<const char*>(key.data()), key.size());
  const auto start = out.size();
  out.append(payload);
  if (mask)
    for (std::size_t i = 0; i < n; ++i) out[start + i] = static_cast<char>(out[start + i] ^ key[i % 4]);
  return out;
}

namespace detail {

struct WsPeerConnection {
  explicit WsPeerConnection(tcp::socket s)
      : socket(std::move(s)), timer(socket.get_executor()), cut_timer(socket.get_executor()) {}
  tcp::socket socket;
  net::steady_timer timer;
  net::steady_timer cut_timer;  // WsScript::idle_cut

  // At the peer's stop: whatever the script waits on returns.
  void abort() {
    error_code ignored;
    timer.cancel();
    cut_timer.cancel();
    socket.close(ignored);
  }
};

struct WsScriptPeerState {
  WsScriptPeerState(WsScript s, const std::optional<lab::CertifiedKey>& identity)
      : script(std::move(s)), server(listen_options(script)) {
    if (identity) tls.emplace(server_tls_context(*identity));
  }

  const WsScript script;
  std::optional<ssl::context> tls;

  mutable std::mutex mutex;  // guards stats
  mutable std::condition_variable changed;
  WsPeerStats stats;

  // Last: it stops and joins before the rest goes.
  LoopbackServer server;

  template <class F>
  void update(F&& f) {
    {
      std::lock_guard lock(mutex);
      f(stats);
    }
    changed.notify_all();
  }
};

}  // namespace detail

// This file's helpers, in a namespace of their own: the tests are compiled in unity batches
// (CMakeLists.txt), where every loopback server's State, play and accept_connection would meet.
namespace ws_script_peer_impl {
namespace {

using State = detail::WsScriptPeerState;
using detail::WsPeerConnection;

// The value of the first header named `name` (case-insensitive) in a request head.
std::optional<std::string> header_value(std::string_view head, std::string_view name) {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const auto start = pos + 2;
    const auto end = head.find("\r\n", start);
    const auto line = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && iequals(trim(line.substr(0, colon)), name))
      return trim(line.substr(colon + 1));
    pos = end;
  }
  return std::nullopt;
}

bool offers(const std::string& list, const std::string& protocol) {
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (trim(std::string_view(list).substr(start, comma - start)) == protocol) return true;
    start = comma + 1;
  }
  return false;
}

struct ClientFrame {
  bool fin = true;
  Opcode opcode = Opcode::text;
  std::string payload;
};

// Takes one client frame off the front of `buffer`: RFC 6455 §5.2, masked (§5.3: a client frame
// must be). Nothing when more bytes are needed; sets `error` on a frame the peer cannot accept.
std::optional<ClientFrame> take_client_frame(std::string& buffer, std::optional<std::string>& error) {
  if (buffer.size() < 2) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(buffer[0]);
  const auto b1 = static_cast<unsigned char>(buffer[1]);
  if (!(b1 & 0x80)) {
    error = "client frame is not masked";
    return std::nullopt;
  }
  const auto field = read_length_field(buffer);
  if (!field) return std::nullopt;
  std::size_t header = field->header_bytes;
  std::uint64_t length = field->length;
  if (length > kMaxClientPayload) {
    error = "client frame too large";
    return std::nullopt;
  }
  if (buffer.size() < header + 4 + length) return std::nullopt;
  const auto* key = reinterpret_cast<const unsigned char*>(buffer.data() + header);
  ClientFrame frame;
  frame.fin = b0 & 0x80;
  frame.opcode = static_cast<Opcode>(b0 & 0x0F);
  frame.payload = buffer.substr(header + 4, length);
  for (std::size_t i = 0; i < frame.payload.size(); ++i)
    frame.payload[i] = static_cast<char>(frame.payload[i] ^ key[i % 4]);
  buffer.erase(0, header + 4 + length);
  return frame;
}

std::string altered(std::string bytes) {
  // Same length, every byte different (printable stays printable for text messages).
  for (auto& c : bytes) c = c == 'x' ? 'y' : 'x';
  return bytes;
}

// Reads more bytes into `in`; false when the connection ended.
template <class Stream>
net::awaitable<bool> read_more(Stream& stream, std::string& in) {
  std::array<char, 16 * 1024> chunk;
  auto [ec, n] = co_await stream.async_read_some(net::buffer(chunk), use_nothrow);
  in.append(chunk.data(), n);
  co_return !ec || n > 0;
}

template <class Stream>
net::awaitable<bool> send(Stream& stream, std::string bytes) {
  if (bytes.empty()) co_return true;
  auto [ec, n] = co_await net::async_write(stream, net::buffer(bytes), use_nothrow);
  co_return !ec;
}

// Reads and discards until the client closes TCP (or the peer stops).
template <class Stream>
net::awaitable<void> drain(Stream& stream) {
  std::string ignored;
  while (co_await read_more(stream, ignored)) ignored.clear();
}

void reset(WsPeerConnection& connection) {
  // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
  error_code ignored;
  connection.socket.set_option(net::socket_base::linger(true, 0), ignored);
  connection.socket.close(ignored);
}

// The echo of one message, as the script wants it.
std::string echo_of(const WsScript& script, Opcode opcode, const std::string& message) {
  const auto payload = (script.corrupt_echoes ? altered(message) : message) + script.append_to_echoes;
  const int parts = std::max(1, script.echo_fragments);
  if (parts == 1) return server_frame(opcode, payload);
  // RFC 6455 §5.4: the first frame carries the opcode, the rest are continuations; control
  // frames may be interleaved.
  std::string out;
  const auto piece = (payload.size() + parts - 1) / parts;
  for (int i = 0; i < parts; ++i) {
    const auto offset = std::min(payload.size(), piece * i);
    const auto part = std::string_view(payload).substr(offset, i + 1 == parts ? std::string_view::npos : piece);
    out += server_frame(i == 0 ? opcode : Opcode::continuation, part, i + 1 == parts);
    if (i == 0) out += server_frame(Opcode::ping, "wsscript-ping");
  }
  return out;
}

// The idle cut's clock, shared by the connection's reader and its watcher.
struct IdleClock {
  std::chrono::steady_clock::time_point deadline;
  bool cut = false;    // the cut happened: the reader ignores everything from now on
  bool ended = false;  // the connection ended first: the watcher does nothing
};

// Ends play() for the watcher: marks the clock and stops the watcher's timer.
struct IdleWatchStop {
  std::shared_ptr<IdleClock> idle;
  std::shared_ptr<WsPeerConnection> connection;
  ~IdleWatchStop() {
    if (!idle) return;
    idle->ended = true;
    connection->cut_timer.cancel();
  }
};

net::awaitable<void> watch_idle(State* state, std::shared_ptr<WsPeerConnection> connection,
                                std::shared_ptr<IdleClock> idle) {
  const IdleCut& cut = *state->script.idle_cut;
  for (;;) {
    connection->cut_timer.expires_at(idle->deadline);
    auto [ec] = co_await connection->cut_timer.async_wait(use_nothrow);
    if (ec || state->server.stopping() || idle->ended) co_return;
    if (std::chrono::steady_clock::now() >= idle->deadline) break;  // else a client frame moved it
  }
  idle->cut = true;
  state->update([](WsPeerStats& s) { ++s.idle_cuts; });
  error_code ignored;
  switch (cut.how) {
    case CutBy::close_frame: {
      const auto frame = server_frame(Opcode::close, encode_close_payload(cut.close_code, cut.close_reason));
      co_await net::async_write(connection->socket, net::buffer(frame), use_nothrow);
      connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
      break;
    }
    case CutBy::fin: connection->socket.shutdown(tcp::socket::shutdown_send, ignored); break;
    case CutBy::reset: reset(*connection); break;
    case CutBy::silent:
    case CutBy::reset_on_next_frame: break;
  }
}

template <class Stream>
net::awaitable<void> play(State* state, std::shared_ptr<WsPeerConnection> connection, Stream& stream) {
  const WsScript& script = state->script;
  std::string in;
  std::size_t head_end = std::string::npos;
  while ((head_end = in.find("\r\n\r\n")) == std::string::npos)
    if (!co_await read_more(stream, in) || state->server.stopping()) co_return;
  const auto head = in.substr(0, head_end + 4);
  in.erase(0, head_end + 4);

  std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  if (const auto key = header_value(head, "Sec-WebSocket-Key"))
    response += "Sec-WebSocket-Accept: " + compute_accept(*key) + "\r\n";
  if (script.subprotocol) {
    const auto offered = header_value(head, "Sec-WebSocket-Protocol");
    if (offered && offers(*offered, *script.subprotocol))
      response += "Sec-WebSocket-Protocol: " + *script.subprotocol + "\r\n";
  }
  response += "\r\n";
  if (script.endless_101_head) {
    if (!co_await send(stream, "HTTP/1.1 101 Switching Protocols\r\n")) co_return;
    std::string lines;
    for (int i = 0; i < 256; ++i) lines += "X-Padding: " + std::string(50, 'p') + "\r\n";
    while (!state->server.stopping())
      if (!co_await send(stream, lines)) co_return;
    co_return;
  }
  if (script.trickle_101.count() > 0) {
    for (const char c : response) {
      if (!co_await send(stream, std::string(1, c)) || state->server.stopping()) co_return;
      connection->timer.expires_after(script.trickle_101);
      if (auto [ec] = co_await connection->timer.async_wait(use_nothrow); ec) co_return;
    }
    response.clear();
  }
  if (!co_await send(stream, response + script.after_101)) co_return;
  state->update([&](WsPeerStats& s) {
    ++s.upgrades;
    s.last_request = head;
  });
  if (!script.flood_after_101.empty()) {
    std::string burst;
    while (burst.size() < 64 * 1024) burst += script.flood_after_101;
    while (!state->server.stopping())
      if (!co_await send(stream, burst)) co_return;
    co_return;
  }

  std::shared_ptr<IdleClock> idle;
  if (script.idle_cut) {
    idle = std::make_shared<IdleClock>();
    idle->deadline = std::chrono::steady_clock::now() + script.idle_cut->after;
    net::co_spawn(state->server.io_context(), watch_idle(state, connection, idle), net::detached);
  }
  IdleWatchStop stop_watch{idle, connection};
  std::optional<ClientFrame> partial;  // a fragmented client message
  int messages = 0;
  bool sent_close = false;
  for (;;) {
    if (script.stop_reading_above) {
      const auto field = read_length_field(in);
      if (field && field->length > *script.stop_reading_above) {
        state->update([](WsPeerStats& s) { ++s.stopped_reading; });
        // Never reads again; close_all() cancels the wait when the peer stops.
        connection->timer.expires_at(net::steady_timer::time_point::max());
        co_await connection->timer.async_wait(use_nothrow);
        co_return;
      }
    }
    std::optional<std::string> error;
    auto frame = take_client_frame(in, error);
    if (error) {
      state->update([&](WsPeerStats& s) { s.decode_error = error; });
      co_return;
    }
    if (!frame) {
      if (!co_await read_more(stream, in) || state->server.stopping()) co_return;
      continue;
    }
    if (idle) {
      if (idle->cut) {  // after the cut, nothing is answered; a close frame is still counted
        if (script.idle_cut->how == CutBy::reset_on_next_frame) {
          reset(*connection);
          co_return;
        }
        if (frame->opcode == Opcode::close)
          state->update([&](WsPeerStats& s) {
            ++s.closes_received;
            s.client_close = parse_close_payload(frame->payload);
          });
        continue;
      }
      if (!script.idle_cut->lifetime) idle->deadline = std::chrono::steady_clock::now() + script.idle_cut->after;
    }
    switch (frame->opcode) {
      case Opcode::ping:
        state->update([](WsPeerStats& s) { ++s.pings_received; });
        if (script.answer_pings && !sent_close)
          if (!co_await send(stream, server_frame(Opcode::pong, frame->payload))) co_return;
        continue;
      case Opcode::pong:
        state->update([](WsPeerStats& s) { ++s.pongs_received; });
        continue;
      case Opcode::close: {
        state->update([&](WsPeerStats& s) {
          ++s.closes_received;
          s.client_close = parse_close_payload(frame->payload);
        });
        // RFC 6455 §5.5.1: after both close frames, the server closes the TCP connection.
        if (sent_close || script.on_close == OnClientClose::silent) {
          if (sent_close) {
            error_code ignored;
            connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
          }
          co_await drain(stream);
          co_return;
        }
        if (!co_await send(stream, server_frame(Opcode::close, encode_close_payload(1000, "bye")))) co_return;
        switch (script.on_close) {
          case OnClientClose::answer_then_fin: {
            error_code ignored;
            connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
            co_await drain(stream);
            break;
          }
          case OnClientClose::answer_then_hold: co_await drain(stream); break;
          case OnClientClose::answer_then_reset: {
            connection->timer.expires_after(kResetPause);
            auto [ec] = co_await connection->timer.async_wait(use_nothrow);
            if (!ec && !state->server.stopping()) reset(*connection);
            break;
          }
          case OnClientClose::answer_then_data: {
            co_await send(stream, server_frame(Opcode::text, "after close"));
            error_code ignored;
            connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
            co_await drain(stream);
            break;
          }
          case OnClientClose::silent: break;
        }
        co_return;
      }
      default: break;
    }

    // Data frames: assemble, then react to the whole message.
    if (frame->opcode == Opcode::continuation) {
      if (!partial) {
        state->update([](WsPeerStats& s) { s.decode_error = "continuation without a message"; });
        co_return;
      }
      partial->payload += frame->payload;
      if (!frame->fin) continue;
      frame = std::move(partial);
      partial.reset();
    } else if (!frame->fin) {
      partial = std::move(frame);
      continue;
    }
    ++messages;
    state->update([](WsPeerStats& s) { ++s.messages_received; });
    if (sent_close) continue;  // RFC 6455 §5.5.1: no more data after our close frame
    if (script.reset_on_message && messages == *script.reset_on_message) {
      reset(*connection);
      co_return;
    }
    if (script.drop_above && frame->payload.size() > *script.drop_above) {
      if (script.drop_with_reset) {
        reset(*connection);
      } else {
        error_code ignored;
        connection->socket.shutdown(tcp::socket::shutdown_send, ignored);
        co_await drain(stream);
      }
      co_return;
    }
    if (script.close_1009_above && frame->payload.size() > *script.close_1009_above) {
      if (!co_await send(stream, server_frame(Opcode::close, encode_close_payload(1009, "message too big")))) co_return;
      sent_close = true;
      continue;
    }
    if (script.close_on_first_message) {
      const auto& [code, reason] = *script.close_on_first_message;
      if (!co_await send(stream, server_frame(Opcode::close, encode_close_payload(code, reason)))) co_return;
      sent_close = true;
      continue;
    }
    if (!co_await send(stream, script.before_each_echo + echo_of(script, frame->opcode, frame->payload))) co_return;
    state->update([](WsPeerStats& s) { ++s.echoes_sent; });
  }
}

net::awaitable<void> run_connection(State* state, std::shared_ptr<WsPeerConnection> connection) {
  if (!state->tls) {
    co_await play(state, connection, connection->socket);
  } else {
    ssl::stream<tcp::socket&> stream(connection->socket, *state->tls);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
    if (!ec) co_await play(state, connection, stream);
  }
  error_code ignored;
  connection->socket.close(ignored);
  state->update([](WsPeerStats& s) { ++s.connections_ended; });
}

net::awaitable<void> accept_connection(State* state, tcp::socket socket) {
  auto connection = std::make_shared<WsPeerConnection>(std::move(socket));
  state->update([](WsPeerStats& s) { ++s.connections; });
  state->server.at_stop([connection] { connection->abort(); });
  return run_connection(state, connection);
}

}  // namespace
}  // namespace ws_script_peer_impl

WsScriptPeer::WsScriptPeer(WsScript script, std::optional<lab::CertifiedKey> tls)
    : state_(std::make_unique<detail::WsScriptPeerState>(std::move(script), tls)) {
  state_->server.start([state = state_.get()](tcp::socket socket) {
    return ws_script_peer_impl::accept_connection(state, std::move(socket));
  });
}

WsScriptPeer::~WsScriptPeer() { state_->server.stop(); }

std::uint16_t WsScriptPeer::port() const { return state_->server.port(); }

WsPeerStats WsScriptPeer::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

bool WsScriptPeer::wait_for(const std::function<bool(const WsPeerStats&)>& done,
                            std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return done(state_->stats); });
}

}  // namespace wsprobe::test

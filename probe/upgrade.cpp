#include "probe/upgrade.hpp"

#include <array>

#include "probe/errors.hpp"
#include "probe/tls_alerts.hpp"
#include "wire/handshake.hpp"
#include "wire/hex.hpp"
#include "wire/http_response.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

constexpr std::size_t kMaxRefusalBodyBytes = 4 * 1024;
// How long to wait for the rest of a non-101 body whose length the head did not give: the body is
// evidence, not the point, so a keep-alive peer must not hold the stage to its whole budget.
constexpr auto kRefusalBodyGrace = std::chrono::milliseconds(500);

struct ReadState {
  std::string received;
  Condition end = Condition::none;  // how reading stopped: none (enough), eof, reset, timeout
  std::string end_detail;
};

// Reads into state.received until `enough` says so, the peer ends the connection, or the deadline.
template <class Enough>
net::awaitable<void> read_until(Connection& connection, ReadState& state, Clock::time_point deadline,
                                std::optional<Clock::time_point>& first_byte_at, std::size_t limit,
                                Enough enough) {
  std::array<char, 4096> chunk{};
  while (!enough(state.received) && state.received.size() < limit) {
    // A peer that trickles bytes never lets a read block: the deadline is checked on every turn.
    if (Clock::now() >= deadline) {
      state.end = Condition::timeout;
      state.end_detail = "the budget ran out while bytes kept arriving";
      co_return;
    }
    auto [ec, n] = co_await connection.read_some(net::buffer(chunk), deadline);
    if (ec) {
      state.end = classify_io_error(ec);
      state.end_detail = describe_error(ec);
      co_return;
    }
    if (!first_byte_at) first_byte_at = Clock::now();
    state.received.append(chunk.data(), n);
  }
}

std::size_t longest_line(std::string_view head) {
  std::size_t longest = 0;
  for (std::size_t from = 0; from < head.size();) {
    const auto end = std::min(head.find("\r\n", from), head.size());
    longest = std::max(longest, end - from);
    from = end + 2;
  }
  return longest;
}

bool body_complete(const HttpResponseHead& head, std::string_view body) {
  if (const auto length = content_length(head.headers)) return body.size() >= std::min(*length, kMaxRefusalBodyBytes);
  if (const auto te = find_header(head.headers, "Transfer-Encoding"); te && has_token(*te, "chunked"))
    return body.find("\r\n0\r\n\r\n") != std::string_view::npos || body.starts_with("0\r\n\r\n");
  return false;
}

}  // namespace

net::awaitable<StageResult> run_upgrade(ProbeContext& context) {
  StageTimer timer(context, Stage::upgrade);
  auto& observed = context.observed.upgrade.emplace();
  if (!context.connection) {
    if (!context.tcp) co_return timer.finish(StageStatus::failed, Condition::internal, "no connection to upgrade");
    context.connection = make_plain_connection(std::move(*context.tcp));
    context.tcp.reset();
  }
  auto& connection = *context.connection;
  const auto deadline = context.stage_deadline(context.options.budgets.upgrade);

  const auto key = make_websocket_key();
  const auto request = build_upgrade_request(context.options, key);
  observed.request = context.options.show_secrets ? request : redact_request(request);
  observed.request_bytes = request.size();
  observed.longest_request_line_bytes = longest_line(request);
  observed.expected_accept = compute_accept(key);
  const auto offers = extension_offers(context.options);
  observed.offered_extensions = offers;

  if (auto [ec, n] = co_await connection.write(net::buffer(request), deadline); ec) {
    observed.connection_end = classify_io_error(ec);
    co_return timer.finish(StageStatus::failed, classify_io_error(ec), "sending the request: " + describe_error(ec));
  }
  const auto sent_at = Clock::now();
  const auto since_sent = [&](Clock::time_point t) { return std::chrono::duration_cast<Micros>(t - sent_at); };

  ReadState state;
  std::optional<Clock::time_point> first_byte_at;
  HeadParse parse;
  co_await read_until(connection, state, deadline, first_byte_at, kMaxResponseHeadBytes + 1,
                      [&](std::string_view bytes) {
                        if (bytes.empty()) return false;
                        parse = parse_response_head(bytes);
                        return parse.state != HeadState::incomplete;
                      });
  if (first_byte_at) observed.time_to_first_byte = since_sent(*first_byte_at);
  if (state.end == Condition::eof || state.end == Condition::reset) observed.connection_end = state.end;

  if (parse.state == HeadState::too_large) {
    // A head that never ends is the server breaking HTTP, not declining the upgrade.
    observed.bytes_received = state.received.size();
    observed.first_bytes_hex = to_hex(state.received);
    std::string violation = "the response head does not end within " + std::to_string(kMaxResponseHeadBytes / 1024) +
                            " KiB (" + std::to_string(state.received.size()) + " bytes read, no blank line)";
    if (const auto line = std::string_view(state.received).substr(0, state.received.find('\n')); line.starts_with("HTTP/"))
      violation += "; it began " + printable(line, 64);
    observed.violations.push_back(violation);
    co_return timer.finish(StageStatus::failed, Condition::protocol_violation, violation);
  }
  if (parse.state != HeadState::complete) {
    observed.bytes_received = state.received.size();
    if (!state.received.empty() && parse.state != HeadState::incomplete) {
      observed.first_bytes_hex = to_hex(state.received);
      co_return timer.finish(StageStatus::failed, Condition::not_http,
                             "reply is not HTTP (" + parse.error + "): " + printable(state.received, 32));
    }
    if (!state.received.empty()) observed.first_bytes_hex = to_hex(state.received);
    const auto condition = state.end == Condition::none ? Condition::not_http : state.end;
    std::string detail = state.received.empty() ? "no response bytes"
                                                : "incomplete response head after " +
                                                      std::to_string(state.received.size()) + " bytes";
    if (!state.end_detail.empty()) detail += " (" + state.end_detail + ")";
    // A TLS alert after the handshake answered something we sent: under TLS 1.3 a server that
    // requires a client certificate rejects our empty one only now (RFC 8446 §4.4.2.4).
    if (const auto& tls = context.observed.tls; tls && tls->alert_received_after_handshake) {
      const int alert = *tls->alert_received_after_handshake;
      detail += "; the server sent TLS alert " + std::to_string(alert) + " (" + std::string(tls_alert_name(alert)) +
                ") after the handshake";
    }
    co_return timer.finish(StageStatus::failed, condition, detail);
  }

  auto& head = *parse.head;
  observed.time_to_response = since_sent(Clock::now());
  observed.status_line = head.status_line;
  observed.status_code = head.status_code;
  observed.headers = head.headers;
  if (!context.options.show_secrets)
    for (auto& h : observed.headers) h.value = redact_header_value(h.name, h.value);

  if (head.status_code != 101) {
    // Keep up to 4 KiB of the body as evidence (the nginx and ALB error pages say who answered).
    if (state.end == Condition::none) {
      const auto body_deadline = std::min(deadline, Clock::now() + kRefusalBodyGrace);
      co_await read_until(connection, state, body_deadline, first_byte_at, head.head_bytes + kMaxRefusalBodyBytes + 1,
                          [&](std::string_view bytes) { return body_complete(head, bytes.substr(head.head_bytes)); });
      if (state.end == Condition::eof || state.end == Condition::reset) observed.connection_end = state.end;
    }
    const auto body = std::string_view(state.received).substr(head.head_bytes);
    observed.body = std::string(body.substr(0, kMaxRefusalBodyBytes));
    observed.body_truncated = body.size() > kMaxRefusalBodyBytes;
    observed.bytes_received = state.received.size();
    co_return timer.finish(StageStatus::failed, Condition::upgrade_rejected, head.status_line);
  }

  observed.bytes_received = state.received.size();
  // Frames the server sent right behind its 101 belong to the WebSocket session.
  context.pending_bytes = state.received.substr(head.head_bytes);
  auto check = validate_101(head, key, context.options.subprotocols, offers);
  observed.accept = check.accept;
  observed.subprotocol = check.subprotocol;
  if (observed.subprotocol && !context.options.show_secrets)
    observed.subprotocol = redact_subprotocol(*observed.subprotocol);
  observed.extensions = check.extensions;
  // The echo stage reads the negotiated parameters back from here (parse_deflate_answer).
  observed.compression = check.compression;
  observed.violations = check.violations;
  if (!check.violations.empty()) {
    std::string detail;
    for (const auto& v : check.violations) detail += (detail.empty() ? "" : "; ") + v;
    co_return timer.finish(StageStatus::failed, Condition::protocol_violation, detail);
  }
  co_return timer.finish(StageStatus::ok);
}

}  // namespace wsprobe

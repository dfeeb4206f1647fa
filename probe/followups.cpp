#include "probe/followups.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "probe/connect.hpp"
#include "probe/context.hpp"
#include "probe/errors.hpp"
#include "probe/pipeline.hpp"
#include "probe/tls.hpp"
#include "probe/tls_in_tls.hpp"
#include "probe/upgrade.hpp"
#include "wire/handshake.hpp"
#include "wire/hex.hpp"
#include "wire/http_response.hpp"
#include "wire/proxy_protocol.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

constexpr Clock::duration kFollowUpBudget = std::chrono::seconds(2);
constexpr Clock::duration kWholeProbeBudget = std::chrono::seconds(5);
constexpr std::size_t kFollowUpBodyBytes = 1024;
// How long to wait for body bytes after a complete head: the body is evidence, not the point.
constexpr auto kFollowUpBodyGrace = std::chrono::milliseconds(300);

std::string_view question_for(FollowUpKind kind) {
  switch (kind) {
    case FollowUpKind::tls_in_tls: return "Does what sits behind the TLS edge expect TLS again?";
    case FollowUpKind::tls_offering_h2: return "Does the server pick h2 when offered h2 and http/1.1?";
    case FollowUpKind::tls_on_plain_port: return "Does this ws:// port speak TLS?";
    case FollowUpKind::proxy_protocol_v1: return "Does the target answer the same request behind a PROXY v1 header?";
    case FollowUpKind::plain_get: return "How does the same path answer a plain GET without Upgrade headers?";
    case FollowUpKind::http_on_tls_port: return "What does the plaintext server on this port say to an HTTP GET?";
    case FollowUpKind::without_verification: return "With certificate verification off, would another stage fail?";
  }
  return "";
}

// "192.0.2.1:443" or "[2001:db8::1]:443" -> the address.
std::optional<net::ip::address> address_of_endpoint(std::string_view endpoint) {
  std::string_view host = endpoint;
  if (host.starts_with("[")) {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  error_code ec;
  auto address = net::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  return address;
}

std::optional<net::ip::address> followup_address(const TargetResult& result) {
  // --all-addresses: a node's follow-ups ask the node, whatever the tcp stage reached.
  if (result.observed.dns && result.observed.dns->pinned_address) {
    error_code ec;
    auto address = net::ip::make_address(*result.observed.dns->pinned_address, ec);
    if (!ec) return address;
  }
  if (result.observed.tcp && result.observed.tcp->remote_endpoint)
    if (auto address = address_of_endpoint(*result.observed.tcp->remote_endpoint)) return address;
  if (result.observed.dns)
    for (const auto& text : result.observed.dns->addresses) {
      error_code ec;
      auto address = net::ip::make_address(text, ec);
      if (!ec) return address;
    }
  return std::nullopt;
}

// The user's options with every budget capped at `budget`; the whole follow-up ends by then.
ProbeOptions capped(const ProbeOptions& base, Clock::duration budget) {
  ProbeOptions options = base;
  const auto cap = std::max(std::chrono::milliseconds(1), std::chrono::ceil<std::chrono::milliseconds>(budget));
  auto& b = options.budgets;
  for (auto* each : {&b.dns, &b.connect, &b.tls, &b.upgrade, &b.echo, &b.close, &b.total}) *each = std::min(*each, cap);
  return options;
}

std::string status_with_server(const FollowUpObservation& out) {
  std::string text = out.status_line.value_or("");
  if (auto server = find_header(out.headers, "Server")) text += " (Server: " + *server + ")";
  return text;
}

std::string ended(const FollowUpObservation& out) {
  std::string text = std::string(to_string(out.end));
  if (!out.detail.empty()) text += ", " + out.detail;
  return text;
}

std::string leaf_words(const TlsObservation& tls) {
  if (tls.peer_chain.empty()) return "";
  return ", certificate " + tls.peer_chain.front().subject;
}

// A GET of the target's path without the WebSocket handshake: the same Host and user headers
// (Origin included), none of Upgrade, Connection, Sec-WebSocket-*; Connection: close so the
// server ends the response.
std::string plain_get_request(const ProbeOptions& options) {
  std::string out = "GET " + options.target.resource + " HTTP/1.1\r\n";
  auto user_has = [&](std::string_view name) {
    for (const auto& h : options.headers)
      if (iequals(h.name, name)) return true;
    return false;
  };
  if (!user_has("Host"))
    out += "Host: " + (options.host_header ? *options.host_header : host_header_value(options.target)) + "\r\n";
  if (options.origin && !user_has("Origin")) out += "Origin: " + *options.origin + "\r\n";
  if (!user_has("User-Agent")) out += "User-Agent: " + user_agent_value(options) + "\r\n";
  for (const auto& h : options.headers) {
    const std::string_view name = h.name;
    if (iequals(name, "Upgrade") || iequals(name, "Connection") ||
        (name.size() >= 14 && iequals(name.substr(0, 14), "Sec-WebSocket-")))
      continue;
    out += h.name + ": " + h.value + "\r\n";
  }
  out += "Connection: close\r\n\r\n";
  return out;
}

// Reads once into `received`; on an error records how the connection ended and returns false.
net::awaitable<bool> read_more(Connection& connection, std::string& received, Clock::time_point until,
                               FollowUpObservation& out) {
  std::array<char, 4096> chunk{};
  auto [ec, n] = co_await connection.read_some(net::buffer(chunk), until);
  if (ec) {
    out.end = classify_io_error(ec);
    out.detail = describe_error(ec);
    co_return false;
  }
  received.append(chunk.data(), n);
  co_return true;
}

// Writes `request`, reads the answer's head and up to 1 KiB of body into `out`.
net::awaitable<void> exchange_http(Connection& connection, std::string request, const ProbeOptions& options,
                                   Clock::time_point deadline, FollowUpObservation& out) {
  const auto [write_ec, written] = co_await connection.write(net::buffer(request), deadline);
  if (const auto ec = write_ec) {
    out.end = classify_io_error(ec);
    out.detail = "sending the request: " + describe_error(ec);
    co_return;
  }
  std::string received;
  HeadParse parse;
  while (parse.state == HeadState::incomplete && received.size() <= kMaxResponseHeadBytes) {
    const bool more = co_await read_more(connection, received, deadline, out);
    if (!more) break;
    parse = parse_response_head(received);
  }
  if (parse.state == HeadState::complete) {
    const auto& head = *parse.head;
    const auto wanted = std::min(content_length(head.headers).value_or(kFollowUpBodyBytes), kFollowUpBodyBytes);
    const auto body_deadline = std::min(deadline, Clock::now() + kFollowUpBodyGrace);
    while (out.end == Condition::none && received.size() - head.head_bytes < wanted) {
      const bool more = co_await read_more(connection, received, body_deadline, out);
      if (!more) break;
    }
    if (out.end == Condition::timeout && Clock::now() < deadline) {
      out.end = Condition::none;  // only the body grace ran out
      out.detail.clear();
    }
    out.status_line = head.status_line;
    out.status_code = head.status_code;
    out.headers = head.headers;
    if (!options.show_secrets)
      for (auto& h : out.headers) h.value = redact_header_value(h.name, h.value);
    out.body = received.substr(head.head_bytes, kFollowUpBodyBytes);
  } else if (!received.empty()) {
    out.first_bytes_hex = to_hex(received);
  }
  out.bytes_received = received.size();
}

// TCP to `address`; on failure records how it ended. The follow-up's context keeps the stream.
net::awaitable<bool> connect_to(ProbeContext& context, const net::ip::address& address, FollowUpObservation& out) {
  context.addresses = {address};
  const auto stage = co_await run_tcp(context);
  if (context.observed.tcp && context.observed.tcp->remote_endpoint)
    out.remote_endpoint = context.observed.tcp->remote_endpoint;
  if (stage.status != StageStatus::ok) {
    out.end = stage.condition;
    out.detail = stage.detail;
    out.outcome = "could not connect: " + ended(out);
    co_return false;
  }
  out.connected = true;
  co_return true;
}

// TLS over the context's stream (run_tls with the context's options); records the handshake.
net::awaitable<bool> handshake(ProbeContext& context, FollowUpObservation& out) {
  const auto stage = co_await run_tls(context);
  const auto& tls = *context.observed.tls;
  out.tls_ok = stage.status == StageStatus::ok;
  out.tls_version = tls.version;
  out.alpn = tls.alpn;
  out.alert_received = tls.alert_received;
  if (stage.status != StageStatus::ok) {
    out.end = stage.condition;
    out.detail = stage.detail;
    out.first_bytes_hex = tls.first_bytes_hex;
    out.bytes_received = tls.bytes_received;
  }
  co_return stage.status == StageStatus::ok;
}

void plain_connection(ProbeContext& context) {
  context.connection = make_plain_connection(std::move(*context.tcp));
  context.tcp.reset();
}

// --- one coroutine per kind; each fills `out` and never throws on network outcomes ---

net::awaitable<void> tls_in_tls(ProbeContext& context, net::ip::address address, FollowUpObservation& out) {
  const bool connected = co_await connect_to(context, address, out);
  if (!connected) co_return;
  const bool outer_ok = co_await handshake(context, out);
  if (!outer_ok) {
    out.outcome = "the outer TLS handshake failed this time: " + ended(out);
    co_return;
  }
  const auto& sni = context.observed.tls->sni;
  const std::string answer = co_await nested_tls_handshake(*context.connection, sni, context.deadline, out);
  if (out.inner_tls_answered == true) {
    std::string what = out.inner_tls_version ? "a ServerHello (" + *out.inner_tls_version + ")"
                       : out.inner_alert_received
                           ? "a TLS alert " + std::to_string(*out.inner_alert_received)
                           : "a TLS record (" + out.first_bytes_hex.substr(0, 14) + ")";
    out.outcome = "the backend answered a nested TLS ClientHello with " + what;
    if (out.inner_certificate_subject) out.outcome += ", certificate " + *out.inner_certificate_subject;
  } else if (out.bytes_received == 0) {
    out.outcome = "the nested TLS ClientHello got no answer (" + ended(out) + ")";
  } else {
    out.outcome = "the nested TLS ClientHello got non-TLS bytes: " + printable(answer, 32);
  }
}

net::awaitable<void> tls_offering_h2(ProbeContext& context, net::ip::address address, FollowUpObservation& out) {
  const bool connected = co_await connect_to(context, address, out);
  if (!connected) co_return;
  const bool ok = co_await handshake(context, out);
  if (!ok) {
    out.outcome = "offered ALPN h2, http/1.1: the handshake failed: " + ended(out);
    co_return;
  }
  out.outcome = "offered ALPN h2, http/1.1: the server picked " + (out.alpn ? *out.alpn : std::string("no protocol"));
}

net::awaitable<void> tls_on_plain_port(ProbeContext& context, net::ip::address address, FollowUpObservation& out) {
  const bool connected = co_await connect_to(context, address, out);
  if (!connected) co_return;
  const bool ok = co_await handshake(context, out);
  if (ok) {
    out.outcome = "a TLS handshake on this port succeeded (" + out.tls_version.value_or("TLS") +
                  leaf_words(*context.observed.tls) + ")";
  } else {
    out.outcome = "a TLS handshake on this port failed: " + ended(out);
  }
}

net::awaitable<void> proxy_protocol_v1(ProbeContext& context, net::ip::address address, FollowUpObservation& out) {
  const bool connected = co_await connect_to(context, address, out);
  if (!connected) co_return;
  // Spec §2.1: the source is the client (us), the destination the address we connected to.
  const auto& socket = context.tcp->socket();
  error_code local_ec, remote_ec;
  const auto local = socket.local_endpoint(local_ec);
  const auto remote = socket.remote_endpoint(remote_ec);
  std::optional<std::string> header;
  if (!local_ec && !remote_ec)
    header = proxy_v1_header({local.address().to_string(), local.port(), remote.address().to_string(), remote.port()});
  if (!header) header = proxy_v1_unknown_header();
  out.proxy_header = header->substr(0, header->size() - 2);
  plain_connection(context);
  const auto deadline = context.stage_deadline(context.options.budgets.upgrade);
  const auto [write_ec, written] = co_await context.connection->write(net::buffer(*header), deadline);
  if (const auto ec = write_ec) {
    out.end = classify_io_error(ec);
    out.detail = "sending the PROXY header: " + describe_error(ec);
    out.outcome = "could not send the PROXY header: " + ended(out);
    co_return;
  }
  const auto stage = co_await run_upgrade(context);
  const auto& upgrade = *context.observed.upgrade;
  out.status_line = upgrade.status_line;
  out.status_code = upgrade.status_code;
  out.headers = upgrade.headers;
  out.body = upgrade.body.substr(0, kFollowUpBodyBytes);
  out.bytes_received = upgrade.bytes_received;
  out.first_bytes_hex = upgrade.first_bytes_hex;
  if (stage.status != StageStatus::ok && stage.condition != Condition::upgrade_rejected &&
      stage.condition != Condition::protocol_violation) {
    out.end = stage.condition;
    out.detail = stage.detail;
  }
  out.outcome = "the same request behind \"" + *out.proxy_header + "\" got " +
                (out.status_line ? status_with_server(out) : "no HTTP answer either (" + ended(out) + ")");
}

net::awaitable<void> plain_get(ProbeContext& context, net::ip::address address, FollowUpObservation& out) {
  const bool connected = co_await connect_to(context, address, out);
  if (!connected) co_return;
  if (context.options.target.secure) {
    const bool ok = co_await handshake(context, out);
    if (!ok) {
      out.outcome = "the TLS handshake failed this time: " + ended(out);
      co_return;
    }
  } else {
    plain_connection(context);
  }
  const auto deadline = context.stage_deadline(context.options.budgets.upgrade);
  co_await exchange_http(*context.connection, plain_get_request(context.options), context.options, deadline, out);
  out.outcome = out.status_line ? "a plain GET of the same path got " + status_with_server(out)
                                : "a plain GET of the same path got no HTTP answer (" + ended(out) + ")";
}

net::awaitable<void> http_on_tls_port(ProbeContext& context, net::ip::address address, FollowUpObservation& out) {
  const bool connected = co_await connect_to(context, address, out);
  if (!connected) co_return;
  plain_connection(context);
  const auto deadline = context.stage_deadline(context.options.budgets.upgrade);
  co_await exchange_http(*context.connection, plain_get_request(context.options), context.options, deadline, out);
  out.outcome = out.status_line ? "a plain HTTP GET on this port got " + status_with_server(out)
                                : "a plain HTTP GET on this port got no HTTP answer (" + ended(out) + ")";
}

// What the probe again under --insecure saw: the first stage that still failed, if any.
void record_without_verification(const TargetResult& again, FollowUpObservation& out) {
  if (again.observed.tcp) {
    out.remote_endpoint = again.observed.tcp->remote_endpoint;
    out.connected = again.observed.tcp->remote_endpoint.has_value();
  }
  if (again.observed.tls) {
    out.tls_version = again.observed.tls->version;
    out.alpn = again.observed.tls->alpn;
  }
  if (again.observed.upgrade) {
    out.status_line = again.observed.upgrade->status_line;
    out.status_code = again.observed.upgrade->status_code;
  }
  for (const auto& stage : again.stages) {
    if (stage.stage == Stage::tls && stage.status != StageStatus::skipped) out.tls_ok = stage.status == StageStatus::ok;
    if (stage.status != StageStatus::failed) continue;
    out.failed_stage = std::string(to_string(stage.stage));
    out.failed_condition = stage.condition;
    out.failed_detail = stage.detail;
    out.end = stage.condition;
    out.detail = stage.detail;
    break;
  }
  if (!out.failed_stage) {
    out.outcome = "with verification off, every other stage passes";
  } else if (out.failed_stage == "tls") {
    out.outcome = "with verification off, the TLS handshake still fails: " + out.failed_detail;
  } else if (out.failed_condition == Condition::upgrade_rejected && out.status_code) {
    out.outcome = "with verification off, the upgrade would still fail with " + std::to_string(*out.status_code) +
                  " (" + out.failed_detail + ")";
  } else {
    out.outcome = "with verification off, the " + *out.failed_stage + " stage would still fail: " +
                  std::string(to_string(*out.failed_condition)) +
                  (out.failed_detail.empty() ? "" : " (" + out.failed_detail + ")");
  }
}

struct Runner {
  ProbeOptions options;
  std::optional<net::ip::address> address;
  std::vector<FollowUpKind> kinds;
  Micros base_offset{0};           // the main probe's duration: follow-ups start where it ended
  Clock::time_point started;       // when run_followups began
  Clock::time_point deadline;      // what is left of the overall --timeout
  std::vector<FollowUpObservation> observations;
};

// Whether an earlier follow-up already answered what `kind` asks (see followups.hpp).
bool answered_before(const std::vector<FollowUpObservation>& done, FollowUpKind kind) {
  for (const auto& f : done) {
    if (kind == FollowUpKind::tls_offering_h2 && f.kind == FollowUpKind::tls_in_tls && f.inner_tls_answered == true)
      return true;
    if (kind == FollowUpKind::proxy_protocol_v1 && f.kind == FollowUpKind::tls_on_plain_port && f.tls_ok == true)
      return true;
  }
  return false;
}

// One connection-level follow-up on its own context (budgets capped, deadline = now + budget).
// The kind picks the coroutine; no co_await sits in a condition or a switch (GCC 12 coroutines).
net::awaitable<void> run_on_context(FollowUpKind kind, ProbeOptions options, net::ip::address address,
                                    Clock::time_point now, FollowUpObservation* out) {
  ProbeContext context(options, now);
  using Step = net::awaitable<void> (*)(ProbeContext&, net::ip::address, FollowUpObservation&);
  Step step = &plain_get;
  if (kind == FollowUpKind::tls_in_tls) step = &tls_in_tls;
  if (kind == FollowUpKind::tls_offering_h2) step = &tls_offering_h2;
  if (kind == FollowUpKind::tls_on_plain_port) step = &tls_on_plain_port;
  if (kind == FollowUpKind::proxy_protocol_v1) step = &proxy_protocol_v1;
  if (kind == FollowUpKind::http_on_tls_port) step = &http_on_tls_port;
  co_await step(context, address, *out);
}

net::awaitable<void> run_one(Runner* runner, FollowUpKind kind, FollowUpObservation* out) {
  const auto now = Clock::now();
  const Clock::duration budget_cap = kind == FollowUpKind::without_verification ? kWholeProbeBudget : kFollowUpBudget;
  const Clock::duration budget = std::min(budget_cap, runner->deadline - now);
  ProbeOptions options = capped(runner->options, budget);
  if (kind == FollowUpKind::without_verification) {
    // The whole probe again, verification off, pinned to the address the main probe used (through
    // the same proxy, if any: the proxy resolves the name then).
    options.insecure = true;
    // The question is only whether another stage fails: no long hold, no size sweep again.
    options.hold.reset();
    options.hold_ping.reset();
    options.sweep_sizes.clear();
    options.on_hold_progress = nullptr;
    if (runner->address) options.pinned_address = runner->address->to_string();
    TargetResult again;
    again = co_await probe_target(options);
    record_without_verification(again, *out);
    co_return;
  }
  if (kind == FollowUpKind::tls_offering_h2) options.alpn = {"h2", "http/1.1"};
  if (kind == FollowUpKind::tls_on_plain_port) options.insecure = true;
  co_await run_on_context(kind, options, *runner->address, now, out);
}

net::awaitable<void> run_all(Runner* runner) {
  for (const auto kind : runner->kinds) {
    if (answered_before(runner->observations, kind)) continue;
    FollowUpObservation out;
    out.kind = kind;
    out.question = std::string(question_for(kind));
    const auto begin = Clock::now();
    out.start_offset = runner->base_offset + std::chrono::duration_cast<Micros>(begin - runner->started);
    if (runner->options.proxy && kind != FollowUpKind::without_verification) {
      // These open their own connection to the target's address: through a forward proxy that
      // is not the path being diagnosed (and may not even be reachable from here).
      out.end = Condition::internal;
      out.outcome = "not run: it connects directly, and this probe goes through the proxy";
    } else if (!runner->address && kind != FollowUpKind::without_verification) {
      out.end = Condition::internal;
      out.outcome = "not run: the main probe found no address to connect to";
    } else if (begin >= runner->deadline) {
      out.end = Condition::timeout;
      out.outcome = "not run: the probe's --timeout was spent";
    } else {
      co_await run_one(runner, kind, &out);
    }
    out.duration = std::chrono::duration_cast<Micros>(Clock::now() - begin);
    runner->observations.push_back(std::move(out));
  }
}

}  // namespace

net::awaitable<std::vector<FollowUpObservation>> probe_followups(ProbeOptions options, const TargetResult& result,
                                                                 std::vector<FollowUpKind> kinds) {
  if (kinds.empty()) co_return std::vector<FollowUpObservation>{};
  Runner runner;
  runner.address = followup_address(result);
  runner.kinds = std::move(kinds);
  runner.base_offset = result.total_duration;
  runner.started = Clock::now();
  const auto left = std::chrono::duration_cast<Clock::duration>(options.budgets.total) -
                    std::chrono::duration_cast<Clock::duration>(result.total_duration);
  runner.deadline = runner.started + std::max(Clock::duration::zero(), left);
  runner.options = std::move(options);
  co_await run_all(&runner);
  co_return std::move(runner.observations);
}

namespace {
net::awaitable<void> store_followups(ProbeOptions options, const TargetResult* result, std::vector<FollowUpKind> kinds,
                                     std::vector<FollowUpObservation>* out) {
  *out = co_await probe_followups(std::move(options), *result, std::move(kinds));
}
}  // namespace

std::vector<FollowUpObservation> run_followups(const ProbeOptions& options, const TargetResult& result,
                                               const std::vector<FollowUpKind>& kinds) {
  std::vector<FollowUpObservation> observations;
  // Declared after `observations`: coroutine frames the io_context destroys refer to it.
  net::io_context ioc;
  net::co_spawn(ioc, store_followups(options, &result, kinds, &observations), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  // Every operation inside has a deadline; this bound only guards against a bug.
  const auto left = std::chrono::duration_cast<Clock::duration>(options.budgets.total) -
                    std::chrono::duration_cast<Clock::duration>(result.total_duration);
  ioc.run_for(std::max(Clock::duration::zero(), left) + std::chrono::seconds(2));
  if (!ioc.stopped()) ioc.stop();
  return observations;
}

}  // namespace wsprobe

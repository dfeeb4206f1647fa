#include "probe/proxy.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <array>

#include "probe/connect.hpp"
#include "probe/errors.hpp"
#include "probe/resolve.hpp"
#include "wire/hex.hpp"
#include "wire/http_connect.hpp"
#include "wire/http_response.hpp"
#include "wire/redact.hpp"
#include "wire/socks5.hpp"

namespace wsprobe {
namespace {

constexpr std::size_t kMaxProxyBodyBytes = 4 * 1024;
constexpr std::size_t kEvidenceBytes = 64;
// A refusal's body and a non-HTTP answer are evidence, not the point: a keep-alive proxy must not
// hold the stage to its whole budget (as the upgrade stage waits for a non-101 body).
constexpr auto kEvidenceGrace = std::chrono::milliseconds(500);

Micros micros_since(Clock::time_point start) {
  return std::chrono::duration_cast<Micros>(Clock::now() - start);
}

struct Outcome {
  StageStatus status = StageStatus::ok;
  Condition condition = Condition::none;
  std::string detail;
};

Outcome failed(Condition condition, std::string detail) {
  return {StageStatus::failed, condition, std::move(detail)};
}

// How reading an answer stopped short; eof and reset are also kept as the proxy's connection end.
Outcome read_failure(const error_code& ec, ProxyObservation& observed, const std::string& while_doing,
                     Clock::time_point waited_from) {
  const auto condition = classify_io_error(ec);
  if (condition == Condition::eof || condition == Condition::reset) observed.connection_end = condition;
  if (condition == Condition::timeout)
    return failed(condition, while_doing + ": no answer within " + milliseconds_text(Clock::now() - waited_from));
  return failed(condition, while_doing + ": " + describe_error(ec));
}

Outcome write_failure(const error_code& ec, ProxyObservation& observed, const std::string& while_doing) {
  const auto condition = classify_io_error(ec);
  if (condition == Condition::eof || condition == Condition::reset) observed.connection_end = condition;
  return failed(condition, while_doing + ": " + describe_error(ec));
}

int address_family(AddressFamily family) {
  switch (family) {
    case AddressFamily::v4: return AF_INET;
    case AddressFamily::v6: return AF_INET6;
    case AddressFamily::any: break;
  }
  return AF_UNSPEC;
}

// The proxy's addresses: an IP literal, a --resolve entry for its host and port (as curl applies
// --resolve to the proxy too), or c-ares.
net::awaitable<NameResolution> resolve_proxy(const ProbeContext& context) {
  const auto& proxy = *context.options.proxy;
  NameResolution out;
  error_code ec;
  const auto literal = net::ip::make_address(proxy.host, ec);
  if (!ec) {
    out.addresses.push_back(literal);
    co_return out;
  }
  for (const auto& entry : context.options.resolve) {
    if (entry.port != proxy.port || !iequals(entry.host, proxy.host)) continue;
    const auto address = net::ip::make_address(entry.address, ec);
    if (!ec) out.addresses.push_back(address);
  }
  if (!out.addresses.empty()) co_return out;
  co_return co_await resolve_name(proxy.host, context.options.dns_server, address_family(context.options.family),
                                  context.stage_deadline(context.options.budgets.dns), context.options.interruption.get());
}

// Connects to each address in turn, each attempt getting the time left divided by the addresses
// left (at least 1 s), as the tcp stage does for the target.
net::awaitable<std::optional<beast::tcp_stream>> connect_proxy(const ProbeContext& context,
                                                               const std::vector<net::ip::address>& addresses,
                                                               std::uint16_t port, Clock::time_point deadline,
                                                               ProxyObservation& observed, Outcome& failure) {
  const auto executor = co_await net::this_coro::executor;
  const auto count = addresses.size();
  const auto connect_started = Clock::now();
  std::string last_failure;
  Condition last_condition = Condition::connect_timeout;
  std::size_t tried = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto now = Clock::now();
    if (now >= deadline || context.interrupted()) break;
    const auto share = attempt_budget(deadline, now, count - i);
    const tcp::endpoint endpoint(addresses[i], port);
    beast::tcp_stream stream(executor);
    const auto watch = context.on_interrupt([&stream] { stream.cancel(); });
    stream.expires_at(now + share);
    ++tried;
    const auto [ec] = co_await stream.async_connect(endpoint, use_nothrow);
    if (!ec) {
      stream.expires_never();
      error_code option_ec;
      stream.socket().set_option(tcp::no_delay(true), option_ec);
      observed.connect_duration = micros_since(connect_started);
      observed.proxy_endpoint = format_endpoint(endpoint);
      co_return std::optional<beast::tcp_stream>(std::move(stream));
    }
    last_condition = classify_connect_error(ec);
    last_failure = format_endpoint(endpoint) + ": " +
                   (last_condition == Condition::connect_timeout ? "no answer to SYN within " + milliseconds_text(share)
                                                                 : describe_error(ec));
  }
  observed.connect_duration = micros_since(connect_started);
  if (tried == 0) {
    failure = failed(Condition::connect_timeout, "the probe's deadline passed before connecting to the proxy");
  } else {
    std::string detail = tried == 1 ? last_failure
                                    : std::to_string(tried) + " proxy addresses failed, last " + last_failure;
    if (tried < count) detail += " (" + std::to_string(count - tried) + " not tried: budget spent)";
    failure = failed(last_condition, "cannot connect to the proxy: " + detail);
  }
  co_return std::nullopt;
}

// Reads an HTTP response head without reading past its end: each read asks for no more bytes
// than the shortest possible end of head ("\n\n", or what completes "\r\n\r\n"), so whatever the
// target sends through a fresh tunnel stays in the socket for the next stage.
std::size_t safe_read_size(std::string_view received) {
  return received.ends_with('\r') || received.ends_with('\n') ? 1 : 2;
}

// Up to `limit` more bytes of evidence (a refusal's body, a non-HTTP answer), within the grace.
net::awaitable<void> read_evidence(beast::tcp_stream& stream, std::string& into, std::size_t limit,
                                   std::optional<std::size_t> expected, ProxyObservation& observed,
                                   Clock::time_point deadline) {
  stream.expires_at(std::min(deadline, Clock::now() + kEvidenceGrace));
  std::array<char, 1024> chunk{};
  while (into.size() < limit && (!expected || into.size() < *expected)) {
    const auto want = std::min(chunk.size(), limit - into.size());
    auto [ec, n] = co_await stream.async_read_some(net::buffer(chunk.data(), want), use_nothrow);
    into.append(chunk.data(), n);
    if (ec) {
      const auto condition = classify_io_error(ec);
      if (condition == Condition::eof || condition == Condition::reset) observed.connection_end = condition;
      break;
    }
  }
}

net::awaitable<Outcome> negotiate_http(beast::tcp_stream& stream, const ProbeContext& context,
                                       ProxyObservation& observed, std::string proxy_name, Clock::time_point deadline) {
  const auto& options = context.options;
  const auto& proxy = *options.proxy;
  const auto request = build_connect_request(observed.tunnel_target, options.user_agent.value_or("wsprobe"),
                                             proxy.username, proxy.password);
  observed.request = options.show_secrets ? request.bytes : request.redacted;
  observed.credentials_sent = proxy.username.has_value();
  const auto asking = "CONNECT " + observed.tunnel_target + " to proxy " + proxy_name;

  stream.expires_at(deadline);
  const auto [write_ec, written] = co_await net::async_write(stream, net::buffer(request.bytes), use_nothrow);
  if (write_ec) co_return write_failure(write_ec, observed, "sending " + asking);
  const auto sent_at = Clock::now();

  std::string received;
  HeadParse parse;
  std::array<char, 2> chunk{};
  while ((parse = parse_response_head(received)).state == HeadState::incomplete) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(chunk.data(), safe_read_size(received)), use_nothrow);
    received.append(chunk.data(), n);
    if (ec) {
      if (!received.empty()) observed.first_bytes_hex = to_hex(received, kEvidenceBytes);
      co_return read_failure(ec, observed, asking, sent_at);
    }
  }
  observed.tunnel_duration = micros_since(sent_at);

  if (parse.state != HeadState::complete) {
    if (parse.state == HeadState::not_http) {
      co_await read_evidence(stream, received, kEvidenceBytes, {}, observed, deadline);
    }
    observed.first_bytes_hex = to_hex(received, kEvidenceBytes);
    if (parse.state == HeadState::too_large)
      co_return failed(Condition::protocol_violation, "proxy " + proxy_name + " sent no end of head within " +
                                                          std::to_string(kMaxResponseHeadBytes) + " bytes");
    co_return failed(Condition::not_http, "proxy " + proxy_name + " answered CONNECT with bytes that are not HTTP (" +
                                              printable(received, 32) + ")");
  }

  const auto& head = *parse.head;
  observed.status_line = head.status_line;
  observed.status_code = head.status_code;
  for (const auto& header : head.headers)
    observed.headers.push_back(
        {header.name, options.show_secrets ? header.value : redact_header_value(header.name, header.value)});
  const auto answer = std::to_string(head.status_code) + (head.reason.empty() ? "" : " " + head.reason);

  if (connect_succeeded(head.status_code))
    co_return Outcome{StageStatus::ok, Condition::none,
                      "proxy " + proxy_name + " opened a tunnel to " + observed.tunnel_target + ": " + answer};

  std::string body;
  const auto length = content_length(head.headers);
  if (!length || *length > 0) {
    co_await read_evidence(stream, body, kMaxProxyBodyBytes, length, observed, deadline);
  }
  observed.body = body.substr(0, kMaxProxyBodyBytes);
  co_return failed(Condition::proxy_refused,
                   "proxy " + proxy_name + " answered CONNECT " + observed.tunnel_target + " with " + answer);
}

// Reads exactly `size` bytes onto `into`.
net::awaitable<error_code> read_exactly(beast::tcp_stream& stream, std::string& into, std::size_t size) {
  std::string bytes(size, '\0');
  auto [ec, n] = co_await net::async_read(stream, net::buffer(bytes), use_nothrow);
  into.append(bytes.data(), n);
  co_return ec;
}

net::awaitable<Outcome> negotiate_socks5(beast::tcp_stream& stream, const ProbeContext& context,
                                         ProxyObservation& observed, std::string proxy_name,
                                         std::string tunnel_host, std::uint16_t tunnel_port,
                                         Clock::time_point deadline) {
  const auto& proxy = *context.options.proxy;
  const bool have_credentials = proxy.username.has_value();
  const auto of_proxy = "SOCKS5 proxy " + proxy_name;
  stream.expires_at(deadline);

  // RFC 1928 §3: offer the methods, the proxy picks one.
  const auto greeting = socks5::greeting(have_credentials);
  const auto [greeting_ec, greeting_n] = co_await net::async_write(stream, net::buffer(greeting), use_nothrow);
  if (greeting_ec) co_return write_failure(greeting_ec, observed, "greeting " + of_proxy);
  auto waited_from = Clock::now();
  std::string choice_bytes;
  const auto choice_ec = co_await read_exactly(stream, choice_bytes, 2);
  if (choice_ec) {
    if (!choice_bytes.empty()) observed.first_bytes_hex = to_hex(choice_bytes, kEvidenceBytes);
    co_return read_failure(choice_ec, observed, "waiting for the method choice of " + of_proxy, waited_from);
  }
  const auto choice = socks5::parse_method_choice(choice_bytes);
  if (!choice.valid) {
    co_await read_evidence(stream, choice_bytes, kEvidenceBytes, {}, observed, deadline);
    observed.first_bytes_hex = to_hex(choice_bytes, kEvidenceBytes);
    co_return failed(Condition::protocol_violation,
                     "proxy " + proxy_name + " does not answer as a SOCKS5 proxy (" + choice.error + ")");
  }
  observed.socks_method = choice.value;
  const std::string offered = have_credentials ? "no authentication, username/password" : "no authentication";

  if (choice.value == socks5::kMethodNoAcceptable)
    co_return failed(Condition::proxy_refused,
                     of_proxy + " accepts none of the authentication methods offered (" + offered + ")");
  if (choice.value == socks5::kMethodUsernamePassword) {
    if (!have_credentials)
      co_return failed(Condition::proxy_refused, of_proxy + " chose username/password, which was not offered");
    const auto request = socks5::auth_request(*proxy.username, proxy.password.value_or(""));
    if (!request) co_return failed(Condition::internal, "the proxy user name or password is over 255 bytes (RFC 1929)");
    observed.credentials_sent = true;
    const auto [auth_ec, auth_n] = co_await net::async_write(stream, net::buffer(*request), use_nothrow);
    if (auth_ec) co_return write_failure(auth_ec, observed, "sending username/password to " + of_proxy);
    waited_from = Clock::now();
    std::string status_bytes;
    const auto status_ec = co_await read_exactly(stream, status_bytes, 2);
    if (status_ec)
      co_return read_failure(status_ec, observed, "waiting for " + of_proxy + " to check the username/password", waited_from);
    const auto status = socks5::parse_auth_reply(status_bytes);
    if (!status.valid) {
      observed.first_bytes_hex = to_hex(status_bytes, kEvidenceBytes);
      co_return failed(Condition::protocol_violation, of_proxy + ": " + status.error);
    }
    observed.socks_auth_status = status.value;
    if (status.value != 0)
      co_return failed(Condition::proxy_refused,
                       of_proxy + " rejected the username/password (RFC 1929 status " + std::to_string(status.value) + ")");
  } else if (choice.value != socks5::kMethodNoAuth) {
    co_return failed(Condition::protocol_violation,
                     of_proxy + " chose method " + std::to_string(choice.value) + " (" +
                         std::string(socks5::method_name(choice.value)) + "), which was not offered");
  }

  // RFC 1928 §4: CONNECT; the reply's length depends on its address type.
  const auto request = socks5::connect_request(tunnel_host, tunnel_port);
  if (!request) co_return failed(Condition::internal, "the target name does not fit a SOCKS5 request (255 bytes)");
  const auto [connect_ec, connect_n] = co_await net::async_write(stream, net::buffer(*request), use_nothrow);
  if (connect_ec) co_return write_failure(connect_ec, observed, "sending CONNECT to " + of_proxy);
  const auto sent_at = Clock::now();
  std::string reply_bytes;
  socks5::ConnectReply reply;
  while ((reply = socks5::parse_connect_reply(reply_bytes)).state == socks5::ReplyState::incomplete) {
    const auto ec = co_await read_exactly(stream, reply_bytes, reply.needed - reply_bytes.size());
    if (ec) {
      reply = socks5::parse_connect_reply(reply_bytes);
      observed.socks_reply = reply.reply;
      if (!reply_bytes.empty()) observed.first_bytes_hex = to_hex(reply_bytes, kEvidenceBytes);
      if (reply.reply && *reply.reply != socks5::kReplySucceeded) break;  // the refusal stands; its tail is lost
      co_return read_failure(ec, observed, "CONNECT " + observed.tunnel_target + " to " + of_proxy, sent_at);
    }
  }
  observed.tunnel_duration = micros_since(sent_at);
  if (reply.state == socks5::ReplyState::invalid) {
    observed.first_bytes_hex = to_hex(reply_bytes, kEvidenceBytes);
    co_return failed(Condition::protocol_violation, of_proxy + ": " + reply.error);
  }
  observed.socks_reply = reply.reply;
  observed.socks_bound_address = reply.bound;
  const auto rep = reply.reply.value_or(0);
  const auto answer = "REP " + std::to_string(rep) + " (" + std::string(socks5::reply_name(rep)) + ")";
  if (rep != socks5::kReplySucceeded)
    co_return failed(Condition::proxy_refused,
                     of_proxy + " answered CONNECT " + observed.tunnel_target + " with " + answer);
  co_return Outcome{StageStatus::ok, Condition::none,
                    of_proxy + " opened a tunnel to " + observed.tunnel_target + ": " + answer};
}

}  // namespace

std::string tunnel_host_name(const ProbeOptions& options) {
  const auto* moved = matching_connect_to(options);
  return moved && !moved->to_host.empty() ? moved->to_host : options.target.host;
}

net::awaitable<StageResult> run_proxy(ProbeContext& context) {
  StageTimer timer(context, Stage::proxy);
  if (!context.options.proxy) co_return timer.finish(StageStatus::failed, Condition::internal, "no proxy configured");
  const auto& options = context.options;
  const auto& proxy = *options.proxy;
  auto& observed = context.observed.proxy.emplace();
  observed.scheme = std::string(to_string(proxy.scheme));
  observed.proxy = proxy.display;
  observed.source = proxy.source;

  // socks5:// sends the address the dns stage found (--connect-to and a pinned node applied);
  // http:// and socks5h:// send the name, --connect-to's HOST2 when one moves the target, as curl.
  std::string tunnel_host = tunnel_host_name(options);
  if (proxy.scheme == ProxyScheme::socks5) {
    if (context.addresses.empty())
      co_return timer.finish(StageStatus::failed, Condition::internal, "no target address for the SOCKS5 CONNECT");
    tunnel_host = context.addresses.front().to_string();
  }
  const auto tunnel_port = context.connect_port;
  observed.tunnel_target = connect_authority(tunnel_host, tunnel_port);

  auto resolution = co_await resolve_proxy(context);
  for (const auto& address : resolution.addresses) observed.proxy_addresses.push_back(address.to_string());
  if (resolution.condition != Condition::none)
    co_return timer.finish(StageStatus::failed, resolution.condition,
                           "cannot resolve the proxy host: " + resolution.detail);

  const auto deadline = context.stage_deadline(options.budgets.connect);
  Outcome outcome;
  auto stream = co_await connect_proxy(context, resolution.addresses, proxy.port, deadline, observed, outcome);
  if (!stream) co_return timer.finish(outcome.status, outcome.condition, std::move(outcome.detail));
  const auto watch = context.on_interrupt([&stream] { stream->cancel(); });
  if (context.interrupted()) co_return timer.finish(StageStatus::failed, Condition::interrupted, "interrupted");

  const auto proxy_name = observed.proxy_endpoint.value_or(connect_authority(proxy.host, proxy.port));
  if (proxy.scheme == ProxyScheme::http)
    outcome = co_await negotiate_http(*stream, context, observed, proxy_name, deadline);
  else
    outcome = co_await negotiate_socks5(*stream, context, observed, proxy_name, tunnel_host, tunnel_port, deadline);
  if (outcome.status != StageStatus::ok)
    co_return timer.finish(outcome.status, outcome.condition, std::move(outcome.detail));

  stream->expires_never();
  context.tcp.emplace(std::move(*stream));
  co_return timer.finish(StageStatus::ok, Condition::none, std::move(outcome.detail));
}

}  // namespace wsprobe

#include "probe/connect.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include "probe/errors.hpp"
#include "wire/hex.hpp"
#include "wire/proxy_protocol.hpp"

namespace wsprobe {
namespace {

// "192.0.2.1:443" or "[2001:db8::1]:443" -> the endpoint; nothing for a name ("echo.test:443").
std::optional<tcp::endpoint> endpoint_of_text(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  for (const char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  error_code ec;
  const auto address = net::ip::make_address(std::string(host), ec);
  if (ec || port == 0 || port > 65535) return std::nullopt;
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

// The header an L4 proxy with proxy protocol would put in front of this connection (haproxy
// proxy-protocol.txt §2.1, §2.2): source = who connected (our end), destination = where to. When the
// two are not of one family, or an address is unknown, v1 says UNKNOWN and v2 LOCAL: the receiver
// then uses the real connection's addresses.
std::string proxy_header_for(ProxyProtocolVersion version, const std::optional<tcp::endpoint>& source,
                             const std::optional<tcp::endpoint>& destination) {
  std::optional<std::string> header;
  if (source && destination) {
    const ProxyEndpoints endpoints{source->address().to_string(), source->port(), destination->address().to_string(),
                                   destination->port()};
    header = version == ProxyProtocolVersion::v1 ? proxy_v1_header(endpoints) : proxy_v2_header(endpoints);
  }
  if (!header) header = version == ProxyProtocolVersion::v1 ? proxy_v1_unknown_header() : proxy_v2_local_header();
  return *header;
}

// --proxy-protocol: writes the header before any other byte, and records it. Empty detail: sent
// (or not asked for).
net::awaitable<StageResult> send_proxy_header(ProbeContext& context, StageTimer& timer, TcpObservation& observed,
                                              std::optional<tcp::endpoint> destination) {
  const auto version = *context.options.proxy_protocol;
  const std::string_view name = version == ProxyProtocolVersion::v1 ? "v1" : "v2";
  auto& stream = *context.tcp;
  error_code local_ec;
  const auto local = stream.socket().local_endpoint(local_ec);
  const auto header =
      proxy_header_for(version, local_ec ? std::nullopt : std::optional<tcp::endpoint>(local), destination);
  observed.proxy_protocol_version = std::string(name);
  observed.proxy_protocol_header_hex = to_hex(header, header.size());

  stream.expires_at(context.stage_deadline(context.options.budgets.connect));
  const auto [ec, written] = co_await net::async_write(stream, net::buffer(header), use_nothrow);
  stream.expires_never();
  if (ec) {
    context.tcp.reset();
    co_return timer.finish(StageStatus::failed, classify_io_error(ec),
                           "sending the PROXY " + std::string(name) + " header: " + describe_error(ec));
  }
  co_return timer.finish(StageStatus::ok);
}

// The proxy stage already stands a tunnel in context.tcp: no SYN of ours to the target.
net::awaitable<StageResult> adopt_tunnel(ProbeContext& context, StageTimer& timer, TcpObservation& observed) {
  observed.via_proxy = true;
  auto& socket = context.tcp->socket();
  error_code ec;
  const auto local = socket.local_endpoint(ec);
  if (!ec) observed.local_endpoint = format_endpoint(local);
  const auto peer = socket.remote_endpoint(ec);
  const std::string asked = context.observed.proxy ? context.observed.proxy->tunnel_target : std::string{};
  observed.remote_endpoint = !asked.empty() ? asked : ec ? std::string{} : format_endpoint(peer);
  if (observed.remote_endpoint->empty()) observed.remote_endpoint.reset();

  if (context.options.proxy_protocol) {
    // The destination is the target as the tunnel reaches it: the address asked of the proxy,
    // else the one resolved here; a name the proxy resolves leaves it unknown.
    auto destination = endpoint_of_text(asked);
    if (!destination && !context.addresses.empty())
      destination = tcp::endpoint(context.addresses.front(), context.connect_port);
    auto result = co_await send_proxy_header(context, timer, observed, destination);
    if (result.status == StageStatus::ok) result.detail = "tunnelled through the proxy";
    co_return result;
  }
  co_return timer.finish(StageStatus::ok, Condition::none, "tunnelled through the proxy");
}

}  // namespace

Clock::duration attempt_budget(Clock::time_point deadline, Clock::time_point now, std::size_t attempts_left) {
  constexpr Clock::duration kMinimumAttempt = std::chrono::seconds(1);
  const auto remaining = deadline - now;
  return std::max<Clock::duration>(remaining / static_cast<long>(std::max<std::size_t>(attempts_left, 1)),
                                   std::min<Clock::duration>(kMinimumAttempt, remaining));
}

Condition classify_connect_error(const error_code& ec) {
  const auto condition = classify_io_error(ec);
  if (condition == Condition::timeout) return Condition::connect_timeout;
  if (condition == Condition::internal && ec == net::error::network_down) return Condition::unreachable;
  return condition;
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const auto port = std::to_string(endpoint.port());
  return address.is_v6() ? "[" + address.to_string() + "]:" + port : address.to_string() + ":" + port;
}

net::awaitable<StageResult> run_tcp(ProbeContext& context) {
  StageTimer timer(context, Stage::tcp);
  auto& observed = context.observed.tcp.emplace();
  if (context.tcp) co_return co_await adopt_tunnel(context, timer, observed);
  const auto port = context.connect_port ? context.connect_port : context.options.target.port;
  if (context.addresses.empty())
    co_return timer.finish(StageStatus::failed, Condition::internal, "no address to connect to");

  const auto executor = co_await net::this_coro::executor;
  const auto deadline = context.stage_deadline(context.options.budgets.connect);
  const auto count = context.addresses.size();
  std::string last_failure;

  for (std::size_t i = 0; i < count; ++i) {
    const auto now = Clock::now();
    if (now >= deadline || context.interrupted()) break;
    const auto share = attempt_budget(deadline, now, count - i);
    const tcp::endpoint endpoint(context.addresses[i], port);

    auto& attempt = observed.attempts.emplace_back();
    attempt.address = context.addresses[i].to_string();
    attempt.port = port;
    beast::tcp_stream stream(executor);
    const auto watch = context.on_interrupt([&stream] { stream.cancel(); });
    stream.expires_at(now + share);
    const auto [ec] = co_await stream.async_connect(endpoint, use_nothrow);
    attempt.duration = std::chrono::duration_cast<Micros>(Clock::now() - now);

    if (!ec) {
      stream.expires_never();
      error_code option_ec;
      // Probe messages are small and latency is what we measure: no Nagle delay.
      stream.socket().set_option(tcp::no_delay(true), option_ec);
      error_code endpoint_ec;
      auto remote = stream.socket().remote_endpoint(endpoint_ec);
      if (endpoint_ec) remote = endpoint;
      observed.remote_endpoint = format_endpoint(remote);
      const auto local = stream.socket().local_endpoint(endpoint_ec);
      if (!endpoint_ec) observed.local_endpoint = format_endpoint(local);
      context.tcp.emplace(std::move(stream));
      if (context.options.proxy_protocol) co_return co_await send_proxy_header(context, timer, observed, remote);
      co_return timer.finish(StageStatus::ok);
    }

    attempt.condition = classify_connect_error(ec);
    attempt.detail = attempt.condition == Condition::connect_timeout
                         ? "no answer to SYN within " + milliseconds_text(share)
                         : describe_error(ec);
    last_failure = format_endpoint(endpoint) + ": " + attempt.detail;
  }

  if (observed.attempts.empty())
    co_return timer.finish(StageStatus::failed, Condition::connect_timeout,
                           "the probe's deadline passed before the first connect");
  const auto tried = observed.attempts.size();
  std::string detail = tried == 1 ? last_failure
                                  : std::to_string(tried) + " addresses failed, last " + last_failure;
  if (tried < count) detail += " (" + std::to_string(count - tried) + " not tried: budget spent)";
  co_return timer.finish(StageStatus::failed, observed.attempts.back().condition, std::move(detail));
}

}  // namespace wsprobe

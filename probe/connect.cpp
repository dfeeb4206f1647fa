#include "probe/connect.hpp"

#include <boost/asio/this_coro.hpp>

#include "probe/errors.hpp"

namespace wsprobe {
namespace {

constexpr auto kMinimumAttempt = std::chrono::seconds(1);

std::string milliseconds_text(Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

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
  const auto port = context.options.target.port;
  if (context.addresses.empty())
    co_return timer.finish(StageStatus::failed, Condition::internal, "no address to connect to");

  const auto executor = co_await net::this_coro::executor;
  const auto deadline = context.stage_deadline(context.options.budgets.connect);
  const auto count = context.addresses.size();
  std::string last_failure;

  for (std::size_t i = 0; i < count; ++i) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    const auto remaining = deadline - now;
    const auto share = std::max<Clock::duration>(remaining / static_cast<long>(count - i),
                                                 std::min<Clock::duration>(kMinimumAttempt, remaining));
    const tcp::endpoint endpoint(context.addresses[i], port);

    auto& attempt = observed.attempts.emplace_back();
    attempt.address = context.addresses[i].to_string();
    attempt.port = port;
    beast::tcp_stream stream(executor);
    stream.expires_at(now + share);
    const auto [ec] = co_await stream.async_connect(endpoint, use_nothrow);
    attempt.duration = std::chrono::duration_cast<Micros>(Clock::now() - now);

    if (!ec) {
      stream.expires_never();
      error_code option_ec;
      // Probe messages are small and latency is what we measure: no Nagle delay.
      stream.socket().set_option(tcp::no_delay(true), option_ec);
      error_code endpoint_ec;
      const auto remote = stream.socket().remote_endpoint(endpoint_ec);
      observed.remote_endpoint = format_endpoint(endpoint_ec ? endpoint : remote);
      const auto local = stream.socket().local_endpoint(endpoint_ec);
      if (!endpoint_ec) observed.local_endpoint = format_endpoint(local);
      context.tcp.emplace(std::move(stream));
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

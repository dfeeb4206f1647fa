#include "probe/hold_companion.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <exception>

#include "probe/pipeline.hpp"

namespace wsprobe {

struct SilentHoldRun::State {
  State(const net::any_io_executor& executor, Micros started) : finished(executor), started_after(started) {}
  net::steady_timer finished;  // waited on by join(); cancelled when the companion ends
  Micros started_after;        // the companion's start, from the main probe's
  bool done = false;
  std::exception_ptr error;
  TargetResult result;
};

namespace {

net::awaitable<void> run_companion(ProbeOptions options, std::shared_ptr<SilentHoldRun::State> state) {
  state->result = co_await probe_target(std::move(options));
}

// The margin below a measured idle cut: 10% of it, at least 2 s (timer granularity, round trips and
// a late wake-up of the keepalive timer), at most half of it (a cut measured in milliseconds).
Micros safety_margin(Micros idle) {
  return std::min(std::max(idle / 10, Micros(std::chrono::seconds(2))), idle / 2);
}

}  // namespace

std::optional<std::string> address_in_use(const ProbeContext& context) {
  const auto& options = context.options;
  if (options.pinned_address) return options.pinned_address;
  if (options.proxy) {
    if (options.proxy->scheme != ProxyScheme::socks5 || context.addresses.empty()) return std::nullopt;
    return context.addresses.front().to_string();
  }
  if (!context.connection) return std::nullopt;
  error_code ec;
  const auto peer = context.connection->tcp().socket().remote_endpoint(ec);
  if (ec) return std::nullopt;
  return peer.address().to_string();
}

ProbeOptions silent_run_options(const ProbeOptions& main, const std::optional<std::string>& address) {
  ProbeOptions options = main;
  options.hold_ping.reset();
  options.hold_message = false;
  options.on_hold_progress = nullptr;
  // Reaching the hold is all the companion needs: one ping proves the session.
  options.echo = EchoMode::off;
  options.count = 1;
  options.expect.reset();
  options.sweep_sizes.clear();
  if (address) options.pinned_address = *address;
  return options;
}

SilentHold silent_hold_of(const TargetResult& companion, Micros started_after) {
  SilentHold silent;
  const auto& observed = companion.observed;
  if (observed.tcp) silent.remote_endpoint = observed.tcp->remote_endpoint;
  for (const auto& stage : companion.stages)
    if (stage.stage == Stage::hold && stage.status != StageStatus::skipped)
      silent.hold_start_offset = started_after + stage.start_offset;
  if (!observed.hold) {
    for (const auto& stage : companion.stages) {
      if (stage.status != StageStatus::failed) continue;
      silent.failed_before_hold = stage.stage;
      silent.failure_detail = stage.detail;
      break;
    }
    return silent;
  }
  const auto& hold = *observed.hold;
  silent.survived = hold.survived;
  silent.held = hold.held;
  silent.end = hold.end;
  silent.cut_after = hold.cut_after;
  silent.idle_before_cut = hold.idle_before_cut;
  silent.peer_close = hold.peer_close;
  silent.closed_by = hold.closed_by;
  // A silent drop shows nothing, and an RST that answered the final check (cut_after past the
  // hold) may answer a timer that fired at any time before: either way, no time of the cut.
  silent.found_by_final_check = hold.end == "silent" || (hold.cut_after && *hold.cut_after > hold.held);
  return silent;
}

void add_silent_run(HoldObservation& pinged, SilentHold silent) {
  pinged.largest_safe_ping_interval.reset();
  if (pinged.survived && pinged.ping_interval && !silent.failed_before_hold) {
    const auto proven = *pinged.ping_interval;
    if (silent.survived) {
      pinged.largest_safe_ping_interval = pinged.requested;
    } else if (silent.end && !silent.found_by_final_check && silent.idle_before_cut) {
      const auto idle = *silent.idle_before_cut;
      pinged.largest_safe_ping_interval = std::max(idle - safety_margin(idle), proven);
    } else if (silent.end) {
      pinged.largest_safe_ping_interval = proven;
    }
  }
  pinged.silent_run = std::move(silent);
}

SilentHoldRun::SilentHoldRun(const net::any_io_executor& executor, ProbeOptions options,
                             Clock::time_point main_started)
    : state_(std::make_shared<State>(executor,
                                     std::chrono::duration_cast<Micros>(Clock::now() - main_started))) {
  state_->finished.expires_at(Clock::time_point::max());
  net::co_spawn(executor, run_companion(std::move(options), state_), [state = state_](std::exception_ptr error) {
    state->error = error;
    state->done = true;
    state->finished.cancel();
  });
}

net::awaitable<SilentHold> SilentHoldRun::join() {
  while (!state_->done) co_await state_->finished.async_wait(use_nothrow);
  if (state_->error) std::rethrow_exception(state_->error);
  co_return silent_hold_of(state_->result, state_->started_after);
}

}  // namespace wsprobe

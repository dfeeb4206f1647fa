#pragma once
// --hold with --hold-ping: the silent run made alongside the pinged one, so one invocation shows
// both what the connection does left idle and what the keepalives buy, in the time of one hold.
//
// The companion is a whole probe of its own (probe_target): the main probe's options (proxy, TLS,
// headers, budgets), pinned to the address the main connection reached, with one ping and no echo
// messages, --expect, size sweep, keepalives or progress; then the same --hold, silent. It starts
// when the main hold starts, on the same executor, so its hold begins after its own setup (a
// round trip or a few) and runs beside the main one.
#include <memory>
#include <optional>
#include <string>

#include "model/observations.hpp"
#include "model/report.hpp"
#include "probe/asio.hpp"
#include "probe/context.hpp"

namespace wsprobe {

// The address the main connection reached, for the companion to connect to: the pinned node's,
// the socket's peer when direct, the address handed to a socks5:// proxy; nothing when an http://
// or socks5h:// proxy resolves the name itself (the companion goes through it the same way).
std::optional<std::string> address_in_use(const ProbeContext& context);

// The companion's options: `main`'s with the silent hold's changes above, pinned to `address`.
ProbeOptions silent_run_options(const ProbeOptions& main, const std::optional<std::string>& address);

// What the companion's probe saw, as the main hold records it; `started_after` is the companion's
// start as an offset from the main probe's.
SilentHold silent_hold_of(const TargetResult& companion, Micros started_after);

// Records `silent` in `pinged` (the main hold, made with --hold-ping) and the largest keepalive
// interval the two runs show to be safe (HoldObservation::largest_safe_ping_interval).
void add_silent_run(HoldObservation& pinged, SilentHold silent);

// The running companion. Destroying the handle does not stop it; it ends within its own deadline.
class SilentHoldRun {
 public:
  // Starts the companion on `executor` now; `main_started` is when the main probe started.
  SilentHoldRun(const net::any_io_executor& executor, ProbeOptions options, Clock::time_point main_started);
  // Waits for the companion's probe to end (its hold and close included) and returns what it saw.
  net::awaitable<SilentHold> join();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace wsprobe

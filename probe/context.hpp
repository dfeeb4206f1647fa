#pragma once
// The state one probe carries from stage to stage.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/interruption.hpp"
#include "model/observations.hpp"
#include "model/target.hpp"
#include "probe/asio.hpp"
#include "probe/connection.hpp"
#include "probe/loop_lag.hpp"
#include "probe/ws_channel.hpp"

namespace wsprobe {

// The --connect-to entry that moves this target, as curl picks it: the first whose HOST matches
// the URL's host (case-insensitively) and whose PORT matches its port, an empty HOST or PORT
// matching any. nullptr when none does.
inline const ConnectTo* matching_connect_to(const ProbeOptions& options) {
  const auto same_name = [](std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [&](char x, char y) { return lower(x) == lower(y); });
  };
  for (const auto& entry : options.connect_to) {
    if (!entry.host.empty() && !same_name(entry.host, options.target.host)) continue;
    if (entry.port && *entry.port != options.target.port) continue;
    return &entry;
  }
  return nullptr;
}

struct ProbeContext {
  ProbeContext(const ProbeOptions& probe_options, Clock::time_point start)
      : options(probe_options), started(start), deadline(start + probe_options.budgets.total) {
    const auto* moved = matching_connect_to(probe_options);
    connect_port = moved && moved->to_port ? *moved->to_port : probe_options.target.port;
    if (options.interruption) interruption_watch_ = options.interruption->watch([this] { cancel_io(); });
  }
  // The interruption's canceller refers to this context.
  ProbeContext(const ProbeContext&) = delete;
  ProbeContext& operator=(const ProbeContext&) = delete;

  const ProbeOptions& options;
  Clock::time_point started;
  Clock::time_point deadline;  // the whole probe's; no stage runs past it

  Observations observed;
  std::vector<net::ip::address> addresses;  // dns -> tcp
  // The port tcp connects to: the URL's, or --connect-to's PORT2. Known from the options alone, so
  // a follow-up's context (which runs no dns stage) connects where the main probe did.
  std::uint16_t connect_port = 0;
  std::optional<beast::tcp_stream> tcp;     // tcp -> tls, or -> connection for ws://
  std::unique_ptr<Connection> connection;   // tls/upgrade -> echo -> close
  std::string pending_bytes;                // read past the 101 head: the first frames
  std::unique_ptr<WsChannel> channel;       // upgrade -> echo -> close; declared after `connection`,
                                            // which it refers to, so it is destroyed first

  // When a stage with this budget must end: its budget from now, capped by the probe's deadline.
  Clock::time_point stage_deadline(std::chrono::milliseconds budget) const {
    return std::min(Clock::now() + budget, deadline);
  }
  // Offset of `t` from the probe's start.
  Micros offset(Clock::time_point t) const {
    return std::chrono::duration_cast<Micros>(t - started);
  }

  // The run was interrupted (SIGINT, SIGTERM): no stage starts, no wait goes on.
  bool interrupted() const { return wsprobe::interrupted(options.interruption.get()); }
  // What a stage waits on that the context does not hold (a socket still connecting, a handshake's
  // stream, the resolver's timer): `cancel` runs on interruption while the returned Watch lives.
  [[nodiscard]] Interruption::Watch on_interrupt(Interruption::Canceller cancel) const {
    return options.interruption ? options.interruption->watch(std::move(cancel)) : Interruption::Watch{};
  }

 private:
  // Ends what the context's connection waits on, and the probe's deadline with it.
  void cancel_io() {
    deadline = std::min(deadline, Clock::now());
    if (tcp) tcp->cancel();
    if (connection) connection->interrupt();
  }
  Interruption::Watch interruption_watch_;
};

// Starts a StageResult's clock; finish() stamps the duration.
class StageTimer {
 public:
  StageTimer(const ProbeContext& context, Stage stage) : begin_(Clock::now()), lag_(context.options.loop_lag.get()) {
    result_.stage = stage;
    result_.start_offset = context.offset(begin_);
  }
  StageResult finish(StageStatus status, Condition condition = Condition::none, std::string detail = {}) {
    result_.status = status;
    result_.condition = condition;
    result_.detail = std::move(detail);
    const auto end = Clock::now();
    result_.duration = std::chrono::duration_cast<Micros>(end - begin_);
    if (lag_) result_.loop_lag = lag_->late_between(begin_, end);
    return result_;
  }

 private:
  Clock::time_point begin_;
  const LoopLag* lag_;
  StageResult result_;
};

}  // namespace wsprobe

#pragma once
// The state one probe carries from stage to stage.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/observations.hpp"
#include "model/target.hpp"
#include "probe/asio.hpp"
#include "probe/connection.hpp"
#include "probe/ws_channel.hpp"

namespace wsprobe {

struct ProbeContext {
  ProbeContext(const ProbeOptions& probe_options, Clock::time_point start)
      : options(probe_options), started(start), deadline(start + probe_options.budgets.total) {}

  const ProbeOptions& options;
  Clock::time_point started;
  Clock::time_point deadline;  // the whole probe's; no stage runs past it

  Observations observed;
  std::vector<net::ip::address> addresses;  // dns -> tcp
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
};

// Starts a StageResult's clock; finish() stamps the duration.
class StageTimer {
 public:
  StageTimer(const ProbeContext& context, Stage stage) : begin_(Clock::now()) {
    result_.stage = stage;
    result_.start_offset = context.offset(begin_);
  }
  StageResult finish(StageStatus status, Condition condition = Condition::none, std::string detail = {}) {
    result_.status = status;
    result_.condition = condition;
    result_.detail = std::move(detail);
    result_.duration = std::chrono::duration_cast<Micros>(Clock::now() - begin_);
    return result_;
  }

 private:
  Clock::time_point begin_;
  StageResult result_;
};

}  // namespace wsprobe

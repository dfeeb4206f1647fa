#include "probe/pipeline.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "probe/close.hpp"
#include "probe/connect.hpp"
#include "probe/echo.hpp"
#include "probe/hold.hpp"
#include "probe/hold_companion.hpp"
#include "probe/proxy.hpp"
#include "probe/resolve.hpp"
#include "probe/size_sweep.hpp"
#include "probe/tls.hpp"
#include "probe/upgrade.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

// The time --hold adds to the probe's deadline: the hold and its final check, which --timeout
// does not pay for.
std::chrono::milliseconds hold_allowance(const ProbeOptions& options) {
  return options.hold ? *options.hold + hold_check_budget(options) : std::chrono::milliseconds(0);
}

net::awaitable<StageResult> run_stage(Stage stage, ProbeContext& context) {
  switch (stage) {
    case Stage::dns: co_return co_await run_dns(context);
    case Stage::proxy: co_return co_await run_proxy(context);
    case Stage::tcp: co_return co_await run_tcp(context);
    case Stage::tls: co_return co_await run_tls(context);
    case Stage::upgrade: {
      auto result = co_await run_upgrade(context);
      if (result.status == StageStatus::ok) {
        const auto limit = channel_message_limit(context.options);
        // The channel's hard deadline already counts the hold, which the hold stage adds to the probe's.
        context.channel = std::make_unique<WsChannel>(*context.connection, std::move(context.pending_bytes),
                                                      context.deadline + hold_allowance(context.options), limit);
      }
      co_return result;
    }
    case Stage::echo: co_return co_await run_echo(context);
    case Stage::hold: co_return co_await run_hold(context);
    case Stage::close: co_return co_await run_close(context);
    default: co_return skipped_stage(stage, "not part of this probe");
  }
}

// A stage that was running when the run was interrupted: wsprobe stopped it, the peer did not
// fail it, whatever error the cancelled wait returned. The end of the connection that stage
// recorded was our own cancellation, not the path's: forgotten.
void mark_interrupted(StageResult& result, ProbeContext& context) {
  auto& observed = context.observed;
  if (observed.connection_end && observed.connection_end->stage == result.stage) observed.connection_end.reset();
  if (result.stage == Stage::hold && observed.hold) {
    observed.hold->closed_by.clear();
    observed.hold->end.reset();
    observed.hold->cut_after.reset();
    observed.hold->idle_before_cut.reset();
  }
  const auto into = context.options.interruption->at() - (context.started + result.start_offset);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", std::max(0.0, std::chrono::duration<double>(into).count()));
  result.status = StageStatus::failed;
  result.condition = Condition::interrupted;
  result.detail = "interrupted by " + context.options.interruption->signal_name() + " " + seconds + " into the stage";
}

net::awaitable<void> store_probe(const ProbeOptions& options, TargetResult* out) {
  co_await probe_target_into(options, *out);
}

}  // namespace

void stamp_start(TargetResult& result) {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buffer, static_cast<long long>(millis));
  result.started_at = out;
  result.started_at_epoch_s = static_cast<std::int64_t>(seconds);
}

StageResult skipped_stage(Stage stage, std::string detail) {
  StageResult result;
  result.stage = stage;
  result.status = StageStatus::skipped;
  result.detail = std::move(detail);
  return result;
}

net::awaitable<TargetResult> probe_target(ProbeOptions options) {
  TargetResult result;
  co_await probe_target_into(options, result);
  co_return result;
}

net::awaitable<void> probe_target_into(const ProbeOptions& options, TargetResult& result) {
  result.target = options.target;
  // The request target goes out as given; the report shows it with secret-looking query values
  // replaced, as it shows the URL (app/ redacts target.url).
  if (!options.show_secrets) result.target.resource = redact_url(result.target.resource);
  result.cert_warn_days = options.cert_warn_days;
  stamp_start(result);
  ProbeContext context(options, Clock::now());

  const std::vector<Stage> stages{Stage::dns,     Stage::proxy, Stage::tcp,  Stage::tls,
                                  Stage::upgrade, Stage::echo,  Stage::hold, Stage::close};
  std::optional<Stage> failed_at;
  // --hold-ping: the same hold without keepalives on a second connection, beside the main hold.
  std::optional<SilentHoldRun> silent_run;
  for (const auto stage : stages) {
    if (failed_at) {
      result.stages.push_back(skipped_stage(stage, "after the failure at " + std::string(to_string(*failed_at))));
      continue;
    }
    if (stage == Stage::tls && !options.target.secure) {
      result.stages.push_back(skipped_stage(stage, "ws:// has no TLS"));
      continue;
    }
    // Stages not asked for are skipped before the deadline check, so a spent --timeout cannot make
    // them fail. An http:// or socks5h:// proxy resolves the target's name itself; a socks5:// proxy
    // is handed the address our dns stage finds.
    if ((stage == Stage::proxy && !options.proxy) || (stage == Stage::hold && !options.hold)) {
      result.stages.push_back(skipped_stage(stage, "not requested"));
      continue;
    }
    if (stage == Stage::dns && options.proxy && options.proxy->scheme != ProxyScheme::socks5) {
      result.stages.push_back(skipped_stage(stage, "the proxy resolves " + tunnel_host_name(options)));
      continue;
    }
    if (context.interrupted()) {
      result.stages.push_back(skipped_stage(stage, not_run_interrupted(options.interruption->signal_name())));
      result.interrupted = options.interruption->signal_name();
      continue;
    }
    if (stage == Stage::hold) context.deadline += hold_allowance(options);
    if (Clock::now() >= context.deadline) {
      // The overall --timeout ran out between stages: this stage gets no time at all.
      StageTimer timer(context, stage);
      result.stages.push_back(timer.finish(StageStatus::failed, Condition::timeout, "the probe's --timeout ran out"));
      failed_at = stage;
      continue;
    }
    if (stage == Stage::hold && options.hold_ping && context.channel) {
      const auto executor = co_await net::this_coro::executor;
      silent_run.emplace(executor, silent_run_options(options, address_in_use(context)), context.started);
    }
    auto stage_result = co_await run_stage(stage, context);
    if (context.interrupted() && stage_result.status == StageStatus::failed) {
      mark_interrupted(stage_result, context);  // the stages after it are "not run: interrupted"
      result.interrupted = options.interruption->signal_name();
    } else if (stage_result.status == StageStatus::failed) {
      failed_at = stage;
    }
    result.stages.push_back(std::move(stage_result));
  }
  if (silent_run) {
    auto silent = co_await silent_run->join();
    if (context.observed.hold) add_silent_run(*context.observed.hold, std::move(silent));
  }
  result.observed = std::move(context.observed);
  result.total_duration = context.offset(Clock::now());
}

TargetResult run_probe(const ProbeOptions& options) {
  net::io_context ioc;
  TargetResult result;
  net::co_spawn(ioc, store_probe(options, &result), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  ioc.run();
  return result;
}

}  // namespace wsprobe

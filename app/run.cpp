#include "app/run.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "app/demo.hpp"
#include "app/environment.hpp"
#include "app/outputs.hpp"
#include "app/progress.hpp"
#include "app/signals.hpp"
#include "app/tls_preflight.hpp"
#include "checks/followup_plan.hpp"
#include "checks/rules_run.hpp"
#include "checks/verdict.hpp"
#include "probe/fleet.hpp"
#include "probe/followups.hpp"
#include "probe/loop_lag.hpp"
#include "probe/nodes.hpp"
#include "probe/pipeline.hpp"
#include "probe/process_init.hpp"
#include "report/cause_table.hpp"
#include "report/human.hpp"
#include "wire/redact.hpp"

#ifndef WSPROBE_VERSION
#define WSPROBE_VERSION "0.0.0"
#endif

namespace wsprobe {
namespace {

using std::chrono::milliseconds;

bool use_color(const CliOptions& cli) {
  // https://no-color.org: any non-empty NO_COLOR turns colours off.
  const char* no_color = std::getenv("NO_COLOR");
  return !cli.no_color && !(no_color && *no_color) && isatty(STDOUT_FILENO);
}

// A target whose budget the run's --deadline shortened.
struct DeadlineCut {
  milliseconds deadline;
  milliseconds budget;
};

struct Fleet {
  const CliOptions& cli;
  std::vector<ProbeOptions> targets;
  std::vector<TargetResult> results;  // by input index
  Clock::time_point started;
  const std::function<void(const TargetResult&)>& ended;
  bool show_progress = false;
};

// Follow-ups first (small extra connections that tell look-alike causes apart), then the rules.
net::awaitable<void> diagnose_target(const ProbeOptions& probe, TargetResult* result, bool followups,
                                     std::optional<DeadlineCut> cut) {
  result->cert_warn_days = probe.cert_warn_days;
  result->assertions = probe.assertions;
  const auto* interruption = probe.interruption.get();
  if (followups && !interrupted(interruption)) {
    auto kinds = plan_followups(*result);
    auto observations = co_await probe_followups(probe, *result, std::move(kinds));
    // Follow-ups the signal cut short show our cancellation, not the peer: the verdict stands on
    // the probe alone, as with --no-followups.
    if (interrupted(interruption)) {
      result->interrupted = interruption->signal_name();
    } else {
      result->followups = std::move(observations);
    }
  }
  diagnose(*result);
  if (cut) note_deadline_cut(*result, cut->deadline, cut->budget);
}

// A node's follow-ups connect to its own address.
net::awaitable<void> diagnose_node(const ProbeOptions& probe, TargetResult* node, bool followups,
                                   std::optional<DeadlineCut> cut) {
  const auto address = node->observed.dns ? node->observed.dns->pinned_address : std::nullopt;
  // No conditional between a temporary and an lvalue inside the co_await: GCC 12 destroys the
  // branch it did not build (ASan: a bad free).
  std::optional<ProbeOptions> pinned;
  if (address) pinned = node_options(probe, *address);
  co_await diagnose_target(pinned ? *pinned : probe, node, followups, cut);
}

// One probe per resolved address (an LB node), each node diagnosed, then one verdict over them.
net::awaitable<void> probe_with_nodes(const ProbeOptions& probe, TargetResult* out, bool followups,
                                      std::optional<DeadlineCut> cut) {
  *out = co_await probe_nodes(probe);
  out->assertions = probe.assertions;
  auto* nodes = out->nodes.data();
  co_await run_bounded(out->nodes.size(), out->nodes.size(), [&probe, nodes, followups, cut](std::size_t i) {
    return diagnose_node(probe, nodes + i, followups, cut);
  });
  diagnose_nodes(*out);
  if (out->nodes.empty() && cut) note_deadline_cut(*out, cut->deadline, cut->budget);
}

// The result of a target the run does not probe (its --deadline passed, or a signal came first):
// what it is and when its turn came, for the rule that says why.
TargetResult unprobed_result(const ProbeOptions& probe) {
  TargetResult result;
  result.target = probe.target;
  if (!probe.show_secrets) result.target.resource = redact_url(result.target.resource);
  result.cert_warn_days = probe.cert_warn_days;
  result.assertions = probe.assertions;
  stamp_start(result);
  return result;
}

// A target the run ends without probing (a signal came, or its turn came after --deadline) gets
// its result here; otherwise a --deadline close enough shortens its budget, and `cut` says so.
// Not a coroutine: the results it builds would otherwise stay in every held probe's frame.
bool settled_unprobed(Fleet& fleet, std::size_t index, std::optional<DeadlineCut>& cut) {
  auto& probe = fleet.targets[index];
  auto& result = fleet.results[index];
  if (interrupted(probe.interruption.get())) {
    result = unprobed_result(probe);
    diagnose_not_started(result, probe.interruption->signal_name());
    return true;
  }
  if (!fleet.cli.deadline) return false;
  const auto turn_at = Clock::now() - fleet.started;
  const auto left = std::chrono::floor<milliseconds>(*fleet.cli.deadline - turn_at);
  if (left <= milliseconds::zero()) {
    result = unprobed_result(probe);
    diagnose_not_run(result, *fleet.cli.deadline, std::chrono::duration_cast<Micros>(turn_at));
    return true;
  }
  if (left < probe.budgets.total) {
    probe.budgets.total = left;
    cut = DeadlineCut{*fleet.cli.deadline, left};
  }
  return false;
}

// The target's own entry of fleet->targets is its options (no copy per probe: a held probe keeps
// only what it needs).
net::awaitable<void> probe_one(Fleet* fleet, std::size_t index) {
  const auto& probe = fleet->targets[index];
  auto& result = fleet->results[index];
  std::optional<DeadlineCut> cut;
  if (!settled_unprobed(*fleet, index, cut)) {
    if (fleet->cli.all_addresses) {
      co_await probe_with_nodes(probe, &result, fleet->cli.followups, cut);
    } else {
      co_await probe_target_into(probe, result);
      if (fleet->show_progress) clear_progress_line(std::cerr);
      co_await diagnose_target(probe, &result, fleet->cli.followups, cut);
    }
  }
  fleet->ended(result);
}

net::awaitable<void> probe_fleet(Fleet* fleet) {
  co_await run_bounded(fleet->targets.size(), fleet->cli.concurrency,
                       [fleet](std::size_t index) { return probe_one(fleet, index); });
}

}  // namespace

std::vector<TargetResult> probe_all(std::vector<ProbeOptions> targets, const CliOptions& cli,
                                    const std::function<void(const TargetResult&)>& ended,
                                    const std::shared_ptr<Interruption>& interruption) {
  // wsprobe's own one-time work, before any clock starts: the process's libraries, then the TLS
  // contexts of targets the command line did not bring (the demo's; main prepared the others).
  initialize_process();
  if (auto error = prepare_tls(targets)) throw std::runtime_error(*error);
  Fleet fleet{cli, std::move(targets), {}, Clock::now(), ended};
  fleet.results.resize(fleet.targets.size());
  // A long hold shows how far it is, on a terminal only, and only while one probe runs at a time:
  // lines of probes side by side would overwrite each other.
  bool holds = false;
  for (const auto& probe : fleet.targets) holds = holds || probe.hold.has_value();
  fleet.show_progress = holds && !cli.all_addresses && (cli.concurrency <= 1 || fleet.targets.size() == 1) &&
                        isatty(STDERR_FILENO);
  if (fleet.show_progress)
    for (auto& probe : fleet.targets) probe.on_hold_progress = hold_progress_line(std::cerr);

  net::io_context ioc;
  std::optional<FirstSignal> first_signal;
  if (interruption) {
    for (auto& probe : fleet.targets) probe.interruption = interruption;
    first_signal.emplace(ioc, interruption);
  }
  // Every stage says how late the loop ran while its clock did (issue 12).
  const auto lag = std::make_shared<LoopLag>(ioc.get_executor());
  for (auto& probe : fleet.targets) probe.loop_lag = lag;
  lag->start();
  net::co_spawn(ioc, probe_fleet(&fleet), [&first_signal, &lag](std::exception_ptr e) {
    if (first_signal) first_signal->stop();
    lag->stop();
    if (e) std::rethrow_exception(e);
  });
  ioc.run();
  // The meter's timer belongs to ioc, which goes before `fleet` does: the targets let go of it here.
  for (auto& probe : fleet.targets) probe.loop_lag.reset();
  return std::move(fleet.results);
}

int run(const CliOptions& cli) {
  if (cli.list_causes) {
    std::cout << render_cause_table();
    return 0;
  }
  constexpr int kUsage = 2;
  Outputs outputs;
  if (auto error = outputs.open(cli.outputs)) {
    std::cerr << "wsprobe: " << *error << "\n";
    return kUsage;
  }

  RunReport report;
  report.tool.version = WSPROBE_VERSION;
  // The command as typed, so a support bundle's command line can be run again as shown.
  report.tool.argv = {"wsprobe"};
  report.tool.argv.insert(report.tool.argv.end(), cli.argv.begin(), cli.argv.end());
  report.tool.environment = run_environment();

  std::unique_ptr<DemoLab> demo;
  std::vector<ProbeOptions> targets = cli.targets;
  if (cli.demo) {
    demo = std::make_unique<DemoLab>();
    targets = demo->targets(cli.probe);
  }
  set_signal_temporaries(outputs.temporary_paths());
  const auto interruption = std::make_shared<Interruption>();
  report.results = probe_all(
      std::move(targets), cli, [&outputs](const TargetResult& result) { outputs.target_ended(result); },
      interruption);
  // Writing the reports is not interrupted: a signal now ends the process at once.
  exit_at_once_on_signal();
  if (interruption->interrupted()) report.interrupted = interruption->signal_name();

  if (!outputs.claims_stdout()) std::cout << render_human(report, HumanStyle{use_color(cli), cli.verbose});
  std::cout.flush();
  if (auto error = outputs.finish(report)) {
    std::cerr << "wsprobe: " << *error << "\n";
    return kUsage;
  }
  return exit_code_for(report);
}

}  // namespace wsprobe

#include "app/run.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "app/demo.hpp"
#include "app/progress.hpp"
#include "checks/followup_plan.hpp"
#include "checks/verdict.hpp"
#include "probe/followups.hpp"
#include "probe/nodes.hpp"
#include "probe/pipeline.hpp"
#include "report/cause_table.hpp"
#include "report/human.hpp"
#include "report/json.hpp"

#ifndef WSPROBE_VERSION
#define WSPROBE_VERSION "0.0.0"
#endif

namespace wsprobe {
namespace {

bool use_color(const CliOptions& cli) {
  // https://no-color.org: any non-empty NO_COLOR turns colours off.
  const char* no_color = std::getenv("NO_COLOR");
  return !cli.no_color && !(no_color && *no_color) && isatty(STDOUT_FILENO);
}

// Follow-ups first (small extra connections that tell look-alike causes apart), then the rules.
void diagnose_one(const ProbeOptions& probe, TargetResult& result, bool followups) {
  result.cert_warn_days = probe.cert_warn_days;
  if (followups) result.followups = run_followups(probe, result, plan_followups(result));
  diagnose(result);
}

}  // namespace

int run(const CliOptions& cli) {
  if (cli.list_causes) {
    std::cout << render_cause_table();
    return 0;
  }
  RunReport report;
  report.tool.version = WSPROBE_VERSION;
  report.tool.argv = cli.argv;

  std::unique_ptr<DemoLab> demo;
  std::vector<ProbeOptions> probes;
  if (cli.demo) {
    demo = std::make_unique<DemoLab>();
    probes = demo->targets(cli.probe);
  } else {
    probes = cli.targets;
  }
  // A long hold shows how far it is, on a terminal only; nodes run side by side, so not for them.
  const bool show_progress = cli.probe.hold && !cli.all_addresses && isatty(STDERR_FILENO);
  if (show_progress)
    for (auto& probe : probes) probe.on_hold_progress = hold_progress_line(std::cerr);
  for (const auto& probe : probes) {
    if (cli.all_addresses) {
      // One probe per resolved address (an LB node), then one verdict over them.
      auto parent = run_nodes(probe);
      for (auto& node : parent.nodes) {
        const auto address = node.observed.dns ? node.observed.dns->pinned_address : std::nullopt;
        diagnose_one(address ? node_options(probe, *address) : probe, node, cli.followups);
      }
      diagnose_nodes(parent);
      report.results.push_back(std::move(parent));
      continue;
    }
    auto result = run_probe(probe);
    if (show_progress) clear_progress_line(std::cerr);
    diagnose_one(probe, result, cli.followups);
    report.results.push_back(std::move(result));
  }

  bool json_stdout = false;
  for (const auto& output : cli.outputs) {
    if (output.path == "-") {
      json_stdout = true;
      continue;
    }
    std::ofstream file(output.path, std::ios::binary | std::ios::trunc);
    file << render_json(report);
    if (!file) {
      std::cerr << "wsprobe: cannot write " << output.path << "\n";
      return 2;
    }
  }
  if (json_stdout) {
    std::cout << render_json(report);
  } else {
    std::cout << render_human(report, HumanStyle{use_color(cli), cli.verbose});
  }
  std::cout.flush();
  return exit_code_for(report);
}

}  // namespace wsprobe

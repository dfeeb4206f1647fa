#pragma once
// Child processes for the benchmark: wall time to exit and peak resident memory (sampled every 10 ms),
// so wsprobe and the baseline clients are measured the same way.
#include <string>
#include <vector>

namespace bench {

struct ProcessRun {
  double seconds = 0;      // from spawn to exit
  long peak_rss_kib = 0;   // the child's largest resident set seen
  long rss_at_kib = 0;     // its resident set at the moment asked for (run_process's sample_at_s)
  int exit_code = -1;
  std::string output;      // its stdout
};

// Runs argv[0] with argv, stdin from /dev/null, stderr discarded; throws when it cannot start.
// sample_at_s: when to take rss_at_kib (e.g. in the middle of a hold, before any report is built).
ProcessRun run_process(const std::vector<std::string>& argv, double sample_at_s = 0);

}  // namespace bench

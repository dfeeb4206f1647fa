#pragma once
// Runs the built wsprobe executable (WSPROBE_BINARY) as a user would, capturing its stdout,
// stderr and exit status. Always bounded: a child still running at the timeout is killed
// (SIGKILL) and reported as timed out, so a hang fails a test instead of hanging CI.
//
//   auto run = wsprobe::test::run_wsprobe({"demo", "--no-color"});
//   INFO(run.describe());
//   CHECK(run.exit_code == 0);
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wsprobe::test {

struct BinaryRun {
  std::vector<std::string> args;  // argv[1..] as given
  int exit_code = -1;       // the exit status when the child exited; -1 otherwise
  int signal = 0;           // the signal that ended the child, if one did
  bool timed_out = false;   // killed by run_binary at the timeout
  std::string out;          // everything written to stdout
  std::string err;          // everything written to stderr
  std::chrono::milliseconds elapsed{};
  long max_rss_kib = 0;     // the child's peak resident memory

  // Command line, status and both streams, for INFO() on failure.
  std::string describe() const;
};

struct BinaryOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  // Environment changes on top of the test process's environment: {name, value} sets,
  // {name, nullopt} removes. NO_COLOR is removed unless set here.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  // Called with the child's pid about every 20 ms while it runs (to signal it when a peer has seen
  // enough, say); empty: nothing.
  std::function<void(int pid)> while_running;
};

// Options whose environment clears the proxy variables curl and wsprobe read (http_proxy,
// HTTPS_PROXY, ALL_PROXY, NO_PROXY, ...): the test machine's own must not leak into a run.
BinaryOptions without_proxy_variables();

// `args` after stage budgets short enough that a wrong turn fails quickly, long enough for a busy
// machine (--timeout 20s, 3 s per stage, --count 3).
std::vector<std::string> with_short_budgets(std::vector<std::string> args);

// The path of the wsprobe executable under test: $WSPROBE_BINARY_UNDER_TEST when set (the
// sanitized suite's), else the build's wsprobe.
std::string wsprobe_binary();

// Runs `program` with `args` (argv[1..]), stdin from /dev/null, and no inherited descriptors
// beyond 0, 1, 2.
BinaryRun run_binary(const std::string& program, const std::vector<std::string>& args, const BinaryOptions& options = {});

// run_binary(wsprobe_binary(), args, options).
BinaryRun run_wsprobe(const std::vector<std::string>& args, const BinaryOptions& options = {});

}  // namespace wsprobe::test

#pragma once
// The command line: `wsprobe [options] URL` and `wsprobe demo`.
#include <optional>
#include <string>
#include <vector>

#include "model/target.hpp"

namespace wsprobe {

// One report a run writes (issue 6): several at once, each to a file or to stdout ("-").
enum class OutputFormat { json, jsonl, junit, prometheus, markdown };
std::string_view to_string(OutputFormat format);

struct OutputSpec {
  OutputFormat format = OutputFormat::json;
  std::string path;  // "-": stdout, which then carries no human report
};

struct CliOptions {
  ProbeOptions probe;                     // the global options: every target starts from these
  // Every target to probe, in input order: URL arguments first, then --targets FILE (or `-`,
  // stdin) entries, each a full ProbeOptions (the global options with the target's own on top,
  // name and tags in target). Empty for `demo` and `causes`.
  std::vector<ProbeOptions> targets;
  bool demo = false;
  bool list_causes = false;               // `wsprobe causes`: print the cause catalogue
  std::vector<OutputSpec> outputs;        // --json [FILE], --jsonl [FILE], --junit FILE, --prometheus FILE, --markdown FILE
  std::size_t concurrency = 1;            // -j/--concurrency: targets probed at once, on one event loop
  std::optional<std::chrono::milliseconds> deadline;  // --deadline: for the whole run; later targets are not started
  bool no_color = false;
  bool verbose = false;
  bool followups = true;                  // run follow-up probes after an ambiguous failure (--no-followup)
  bool all_addresses = false;             // probe every resolved address as its own node
  std::vector<std::string> argv;          // as given, secrets redacted unless --show-secrets
};

struct CliParse {
  std::optional<CliOptions> options;  // set when there is something to run
  int exit_code = 0;                  // when options is empty: 0 after --help/--version, 2 on a usage error
  std::string message;                // help, version or the error, for the user
};

CliParse parse_cli(int argc, const char* const* argv);

// "500ms", "5s", "1.5s", "2m", "1h"; a bare number is seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// "32", "4K", "1M" (K = 1024).
std::optional<std::size_t> parse_size(std::string_view text);

}  // namespace wsprobe

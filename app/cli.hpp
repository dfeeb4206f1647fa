#pragma once
// The command line: `wsprobe [options] URL... [--targets FILE]...`, `wsprobe demo` and `wsprobe causes`.
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "app/option_values.hpp"
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
  // The global options: every target starts from these. Its target is empty (the demo aims it).
  ProbeOptions probe;
  // Every target to probe, in input order: URL arguments first, then the entries of each
  // --targets FILE in the order given, then stdin's for a `-` argument; each a full ProbeOptions
  // (the global options with the entry's own on top, name and tags in target). At most
  // kMaxTargets (targets_file.hpp). Empty for `demo` and `causes`.
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

// "wsprobe: MESSAGE" and the pointer to --help: how a usage error (exit 2) is printed. Control
// bytes in the message are escaped (report/text.hpp escape_for_terminal).
std::string usage_text(std::string_view message);

// `in` is what `-` and `--targets -` read (nullptr: std::cin); only read when one of them is given.
CliParse parse_cli(int argc, const char* const* argv, std::istream* in = nullptr);

}  // namespace wsprobe

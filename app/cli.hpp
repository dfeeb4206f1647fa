#pragma once
// The command line: `wsprobe [options] URL` and `wsprobe demo`.
#include <optional>
#include <string>
#include <vector>

#include "model/target.hpp"

namespace wsprobe {

struct CliOptions {
  ProbeOptions probe;
  bool demo = false;
  bool list_causes = false;               // `wsprobe causes`: print the cause catalogue
  bool json_stdout = false;               // --json with no file: JSON replaces the human report
  std::optional<std::string> json_path;   // --json FILE
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

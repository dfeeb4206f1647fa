#pragma once
// The command line parsed in-process, as main() hands it to parse_cli, for tests of what the CLI
// accepts and refuses without starting the executable.
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.hpp"

namespace wsprobe::test {

// parse_cli on "wsprobe" followed by `args`; `stdin_text` is what `--targets -` reads.
inline CliParse parse_args(std::vector<std::string> args, const std::string& stdin_text = {}) {
  args.insert(args.begin(), "wsprobe");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  std::istringstream in(stdin_text);
  return parse_cli(static_cast<int>(argv.size()), argv.data(), &in);
}

}  // namespace wsprobe::test

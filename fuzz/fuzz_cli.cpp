// The whole command line (app/cli parse_cli): any argv, with stdin for `-` / `--targets -`, through
// CLI11, the per-target flags and the targets file reader. A usage error is exit 2 with words,
// never an escaping exception; a run has targets with their own budgets.
#include <sstream>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/targets_file.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace wsprobe;

namespace {

// Arguments may name files (--targets FILE, -H @FILE, --message @FILE): reading a regular file is
// fine, but a device, a FIFO or /proc would block or never end. Those paths are left alone.
bool names_special_files(std::string_view arg) {
  for (const std::string_view part : {"dev", "proc", "sys", "run", "tmp", "fd"})
    if (arg.find(part) != std::string_view::npos) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  std::istringstream stdin_content(input.ConsumeRandomLengthString(4096));
  std::vector<std::string> args{"wsprobe"};
  while (input.remaining_bytes() > 0 && args.size() < 64) {
    args.push_back(input.ConsumeRandomLengthString(256));
    if (names_special_files(args.back())) return 0;
  }
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());

  const auto parse = parse_cli(static_cast<int>(argv.size()), argv.data(), &stdin_content);
  if (!parse.options) {
    FUZZ_CHECK(parse.exit_code == 0 || parse.exit_code == 2);
    FUZZ_CHECK(parse.exit_code == 0 || !parse.message.empty());
    return 0;
  }
  const auto& options = *parse.options;
  FUZZ_CHECK(options.demo || options.list_causes || !options.targets.empty());
  FUZZ_CHECK(options.targets.size() <= kMaxTargets);
  FUZZ_CHECK(options.concurrency >= 1);
  for (const auto& target : options.targets) {
    FUZZ_CHECK(!target.target.host.empty() && target.target.port != 0);
    FUZZ_CHECK(target.count >= 0);
  }
  return 0;
}

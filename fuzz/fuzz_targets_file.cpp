// The targets file reader (app/targets_file): one target a line split as a shell would, or JSON /
// YAML through yaml-cpp, whatever the file holds; and shell words quoted back split the same.
#include <sstream>

#include "app/targets_file.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace wsprobe;

namespace {

// POSIX single quotes, with each ' written as '\''.
std::string single_quoted(std::string_view word) {
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  static const char* const kNames[] = {"targets.txt", "targets.json", "targets.yaml", "stdin"};
  const std::string_view name = kNames[input.ConsumeIntegralInRange<int>(0, 3)];
  const auto max_entries = input.ConsumeIntegralInRange<std::size_t>(0, 50);
  const auto content = input.ConsumeRemainingBytesAsString();

  (void)detect_targets_format(name, content);
  const auto split = split_targets(name, content, max_entries);
  FUZZ_CHECK(split.error.empty() || split.entries.empty());
  FUZZ_CHECK(split.error.empty() || split.error.rfind(std::string(name), 0) == 0);  // names the source
  FUZZ_CHECK(split.entries.size() <= max_entries);
  for (const auto& entry : split.entries) {
    FUZZ_CHECK(entry.line >= 1);
    for (const auto& word : entry.words) FUZZ_CHECK(word.line >= 1);
  }

  // Each line of the content: the words, quoted back and split again, are the same words.
  std::istringstream lines(content);
  for (std::string line; std::getline(lines, line);) {
    std::string error;
    const auto words = split_shell_words(line, error);
    FUZZ_CHECK(words.has_value() == error.empty());
    if (!words) continue;
    std::string quoted;
    for (const auto& word : *words) quoted += single_quoted(word) + " ";
    const auto again = split_shell_words(quoted, error);
    FUZZ_CHECK(again && *again == *words);
  }
  return 0;
}

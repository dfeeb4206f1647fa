#pragma once
// A targets file (`--targets FILE`, `-` for stdin) as entries of command-line words: one target a
// line (`URL [per-target flags]`, split as a shell would), or a JSON / YAML list of maps whose keys
// are the long flag names. All three formats end as the same words, which the per-target parser
// (target_entries.hpp) reads as it reads a line: one parser, one set of error messages.
#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsprobe {

inline constexpr std::size_t kMaxTargetsFileBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxTargets = 10000;

struct EntryWord {
  std::string text;  // "--timeout=5s", "-H", "wss://..."
  int line = 0;      // 1-based, where the value stands in the file
  std::string key;   // the JSON / YAML key it came from ("timeout"); empty in the lines format
};

struct TargetEntry {
  int line = 0;                  // where the entry starts
  std::vector<EntryWord> words;  // the URL first, then per-target flags
};

enum class TargetsFormat { lines, structured };  // structured: JSON or YAML, both read by yaml-cpp

// By extension (.json, .yaml, .yml), else by content: a first non-blank '[' or '{' is JSON, a line
// starting with "- " or "targets:" is YAML, anything else is one target a line.
TargetsFormat detect_targets_format(std::string_view name, std::string_view content);

// "targets.yaml line 7: <message>", how every targets file error reads.
std::string at_line(std::string_view source, int line, std::string_view message);

// The file's text, or stdin's for "-", at most kMaxTargetsFileBytes; empty with `error` set.
std::optional<std::string> read_targets_source(const std::string& path, std::istream& in, std::string& error);

// How a source is named in messages: the path as given, "stdin" for "-".
std::string targets_source_name(const std::string& path);

struct SplitTargets {
  std::vector<TargetEntry> entries;
  std::string error;  // set on failure, already naming the source and line
};

// The entries of `content`, at most `max_entries` of them.
SplitTargets split_targets(std::string_view source, std::string_view content, std::size_t max_entries);

// One line's words, split as a POSIX shell would: single quotes keep everything, double quotes
// keep all but \" \\ \$ \`, a backslash outside quotes keeps the next character, '#' at a word's
// start comments out the rest. Empty with `error` set on an unterminated quote.
std::optional<std::vector<std::string>> split_shell_words(std::string_view line, std::string& error);

}  // namespace wsprobe

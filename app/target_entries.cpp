#include "app/target_entries.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace wsprobe {
namespace {

// "--timeout=5s" -> "--timeout", "-H" or "-Hvalue" -> "-H"; empty for a word that is not an option.
std::string option_name(const std::string& word) {
  if (word.starts_with("--")) return word.substr(0, word.find('='));
  if (word.size() >= 2 && word[0] == '-') return word.substr(0, 2);
  return {};
}

// One CLI11 app for every entry: building one per entry would cost more than parsing 10000 of them.
class EntryParser {
 public:
  explicit EntryParser(const EntryBase& base) : base_(base) {
    app_.set_help_flag();  // --help in an entry is a command-line option like any other
    app_.add_option("url", url_);
    add_probe_flags(app_, flags_, probe_);
  }

  // The entry's options, or the error's words with the line they are about.
  std::optional<ProbeOptions> parse(const TargetEntry& entry, int& line, std::string& error) {
    line = entry.line;
    std::vector<std::string> args;
    url_.clear();
    std::size_t first = 0;
    // A JSON / YAML url is a value, whatever it looks like; on a line it is the word that is no option.
    if (!entry.words.empty() && entry.words[0].key == "url") {
      url_ = entry.words[0].text;
      first = 1;
    }
    if (!check_words(entry, first, line, error)) return std::nullopt;
    for (auto i = entry.words.size(); i > first; --i) args.push_back(entry.words[i - 1].text);  // CLI11 reads from the back
    flags_ = {};
    probe_ = base_.probe;
    app_.clear();
    try {
      app_.parse(args);
    } catch (const CLI::ParseError& e) {
      error = e.what();
      line = line_about(entry, error);
      return std::nullopt;
    }
    if (url_.empty()) {
      error = "no URL (a line starts with ws:// or wss://)";
      return std::nullopt;
    }
    const auto flags = inherit_linked_flags(flags_, base_.flags);
    auto failed = apply_probe_flags(flags, probe_);
    if (!failed) failed = aim_probe(url_, flags, probe_);
    if (failed) {
      error = std::move(*failed);
      line = line_about(entry, error);
      return std::nullopt;
    }
    return std::move(probe_);
  }

 private:
  // Every option word must be a per-target option; a command-line-only one is named as such.
  bool check_words(const TargetEntry& entry, std::size_t first, int& line, std::string& error) {
    bool value_next = false;
    for (auto i = first; i < entry.words.size(); ++i) {
      const auto& word = entry.words[i];
      if (value_next) {
        value_next = false;
        continue;
      }
      const auto name = option_name(word.text);
      if (name.empty()) continue;
      const auto* option = app_.get_option_no_throw(name);
      if (option) {
        value_next = word.text == name && option->get_expected_min() > 0;
        continue;
      }
      line = word.line;
      const auto what = word.key.empty() ? name : "key '" + word.key + "'";
      if (base_.is_command_line_option(name))
        error = what + " is not allowed per target: give it on the command line, for every target";
      else
        error = word.key.empty() ? "unknown option " + name : "unknown key '" + word.key + "'";
      return false;
    }
    return true;
  }

  // The line of the word an error is about: the option it starts with ("--max-stage: ...", "-H: ..."),
  // and among several uses of that option the one holding the quoted value; else the entry's line.
  int line_about(const TargetEntry& entry, const std::string& error) const {
    const auto name = option_name(error.substr(0, error.find_first_of(": ")));
    const auto* option = name.empty() ? nullptr : app_.get_option_no_throw(name);
    if (!option) return entry.line;
    std::string quoted;
    if (const auto open = error.find('\''); open != std::string::npos) {
      const auto close = error.find('\'', open + 1);
      if (close != std::string::npos) quoted = error.substr(open + 1, close - open - 1);
    }
    const EntryWord* found = nullptr;
    for (std::size_t i = 0; i < entry.words.size(); ++i) {
      const auto& word = entry.words[i];
      if (app_.get_option_no_throw(option_name(word.text)) != option) continue;
      // The value is in this word (--x=v, -Hv) or in the next one (-H v).
      const auto* value = word.text == option_name(word.text) && i + 1 < entry.words.size() ? &entry.words[i + 1] : &word;
      if (!found) found = &word;
      if (!quoted.empty() && value->text.find(quoted) != std::string::npos) return value->line;
    }
    return found ? found->line : entry.line;
  }

  const EntryBase& base_;
  CLI::App app_;
  ProbeFlags flags_;
  ProbeOptions probe_;
  std::string url_;
};

}  // namespace

std::optional<std::string> parse_target_entries(std::string_view source, const std::vector<TargetEntry>& entries,
                                                const EntryBase& base, std::vector<ProbeOptions>& out) {
  EntryParser parser(base);
  std::vector<ProbeOptions> parsed;
  parsed.reserve(entries.size());
  for (const auto& entry : entries) {
    int line = 0;
    std::string error;
    auto probe = parser.parse(entry, line, error);
    if (!probe) return at_line(source, line, error);
    probe->defined_at = std::string(source) + " line " + std::to_string(entry.line);
    parsed.push_back(std::move(*probe));
  }
  std::move(parsed.begin(), parsed.end(), std::back_inserter(out));
  return std::nullopt;
}

}  // namespace wsprobe

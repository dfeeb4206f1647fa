#include "app/targets_file.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>

#include "app/option_values.hpp"

namespace wsprobe {
namespace {

// Aliases let a small YAML file name the same big list many times; converting it to words would
// copy the list each time. Each word also costs its bookkeeping.
constexpr std::size_t kMaxExpandedBytes = 32 * 1024 * 1024;
constexpr std::size_t kWordOverheadBytes = 64;

std::string lowercase_extension(std::string_view name) {
  auto extension = std::filesystem::path(name).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return extension;
}

std::string too_many_targets() { return "more than " + std::to_string(kMaxTargets) + " targets in one run"; }

SplitTargets split_lines(std::string_view source, std::string_view content, std::size_t max_entries) {
  SplitTargets out;
  int number = 0;
  while (!content.empty()) {
    const auto end = content.find('\n');
    auto line = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view{} : content.substr(end + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::string error;
    const auto words = split_shell_words(line, error);
    if (!words) return {{}, at_line(source, number, error)};
    if (words->empty()) continue;
    if (out.entries.size() == max_entries) return {{}, at_line(source, number, too_many_targets())};
    TargetEntry entry{number, {}};
    for (const auto& word : *words) entry.words.push_back({word, number, {}});
    out.entries.push_back(std::move(entry));
  }
  return out;
}

int line_of(const YAML::Node& node) { return node.Mark().line + 1; }

// Turns one JSON / YAML entry into the words a line of the lines format would hold.
class EntryConverter {
 public:
  explicit EntryConverter(std::string_view source) : source_(source) {}

  // The entry's words, or false with error_ set.
  bool convert(const YAML::Node& node, TargetEntry& entry) {
    entry.line = line_of(node);
    if (node.IsScalar()) return add_url(node, entry);
    if (!node.IsMap())
      return fail(entry.line, "a target is a map with 'url' and per-target options, or a URL");
    bool has_url = false;
    for (const auto& pair : node) {
      if (!pair.first.IsScalar()) return fail(line_of(pair.first), "a key must be a name");
      const auto key = pair.first.Scalar();
      if (key == "url") {
        if (!pair.second.IsScalar()) return fail(line_of(pair.second), "'url' must be one URL");
        if (has_url) return fail(line_of(pair.first), "'url' is given twice");
        if (!add_url(pair.second, entry)) return false;
        has_url = true;
        continue;
      }
      // The plural is what a list reads naturally as; the flag is --header, --tag.
      const auto flag = key == "headers" ? std::string("header") : key == "tags" ? std::string("tag") : key;
      // Header maps read "Name: value", like -H; any other map "key=value", like --max-stage.
      const auto separator = flag == "header" ? ": " : "=";
      if (!add_values(key, flag, separator, pair.first, pair.second, entry)) return false;
    }
    if (!has_url) return fail(entry.line, "this target has no 'url'");
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool fail(int line, std::string_view message) {
    error_ = at_line(source_, line, message);
    return false;
  }

  bool spend(const std::string& text, int line) {
    spent_ += text.size() + kWordOverheadBytes;
    if (spent_ <= kMaxExpandedBytes) return true;
    return fail(line, "the targets expand to more than 32 MiB of options (aliases repeating big lists?)");
  }

  bool add_url(const YAML::Node& node, TargetEntry& entry) {
    if (node.Scalar().empty()) return fail(line_of(node), "'url' is empty");
    if (!spend(node.Scalar(), line_of(node))) return false;
    // The URL goes first, as on a line, wherever the key stood.
    entry.words.insert(entry.words.begin(), EntryWord{node.Scalar(), line_of(node), "url"});
    return true;
  }

  bool add_word(const std::string& key, std::string text, int line, TargetEntry& entry) {
    if (!spend(text, line)) return false;
    entry.words.push_back({std::move(text), line, key});
    return true;
  }

  bool add_values(const std::string& key, const std::string& flag, const char* separator, const YAML::Node& key_node,
                  const YAML::Node& value, TargetEntry& entry) {
    const auto word = "--" + flag + "=";
    if (value.IsScalar()) return add_word(key, word + value.Scalar(), line_of(value), entry);
    if (value.IsSequence()) {
      for (const auto& item : value) {
        if (!item.IsScalar()) return fail(line_of(item), "'" + key + "': each item must be a single value");
        if (!add_word(key, word + item.Scalar(), line_of(item), entry)) return false;
      }
      return true;
    }
    if (value.IsMap()) {
      for (const auto& pair : value) {
        if (!pair.first.IsScalar() || !pair.second.IsScalar())
          return fail(line_of(pair.first), "'" + key + "': each item must be NAME: VALUE");
        if (!add_word(key, word + pair.first.Scalar() + separator + pair.second.Scalar(), line_of(pair.second), entry))
          return false;
      }
      return true;
    }
    return fail(line_of(key_node), "'" + key + "' has no value");
  }

  std::string_view source_;
  std::string error_;
  std::size_t spent_ = 0;
};

// A .json file, or one that starts with '[' or '{' and is not named .yaml / .yml, is JSON: read
// strictly, since YAML would accept a trailing comma or a comment a JSON tool then refuses. The
// words still come from yaml-cpp (JSON is YAML), which keeps the line of each value.
std::optional<std::string> strict_json_error(std::string_view source, std::string_view content) {
  const auto extension = lowercase_extension(source);
  const auto first = content.find_first_not_of(" \t\r\n");
  const bool starts_like_json = first != std::string_view::npos && (content[first] == '[' || content[first] == '{');
  if (extension != ".json" && (!starts_like_json || extension == ".yaml" || extension == ".yml")) return std::nullopt;
  try {
    [[maybe_unused]] const auto document = nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error& e) {
    const auto offset = std::min<std::size_t>(e.byte, content.size());
    const auto line = 1 + std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
    std::string why = e.what();
    if (const auto colon = why.rfind(": "); colon != std::string::npos) why = why.substr(colon + 2);
    return at_line(source, static_cast<int>(line), "not valid JSON (" + why + ")");
  } catch (const nlohmann::json::exception& e) {
    // A number beyond a double (1E400) is out_of_range, which knows no position: no line then.
    std::string why = e.what();
    if (const auto bracket = why.find("] "); bracket != std::string::npos) why = why.substr(bracket + 2);
    return at_line(source, 0, "not valid JSON (" + why + ")");
  }
  return std::nullopt;
}

SplitTargets split_structured(std::string_view source, std::string_view content, std::size_t max_entries) {
  if (auto error = strict_json_error(source, content)) return {{}, std::move(*error)};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(content));
  } catch (const YAML::Exception& e) {
    const auto first = content.find_first_not_of(" \t\r\n");
    const bool json = first != std::string_view::npos && (content[first] == '[' || content[first] == '{');
    return {{}, at_line(source, e.mark.line + 1, std::string(json ? "not valid JSON (" : "not valid YAML (") + e.msg + ")")};
  }
  SplitTargets out;
  try {
    YAML::Node list = root;
    if (root.IsMap()) {
      for (const auto& pair : root) {
        const auto key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
        if (key != "targets")
          return {{}, at_line(source, line_of(pair.first),
                              "unknown key '" + key + "': the file is a list of targets, or a map with 'targets'")};
        // reset, not `=`: assigning to a yaml-cpp node that shares root's would overwrite root's
        // content while this loop walks it (a use-after-free ASan found).
        list.reset(pair.second);
      }
    }
    if (list.IsNull()) return out;
    if (!list.IsSequence()) return {{}, at_line(source, line_of(list), "not a list of targets")};
    EntryConverter converter(source);
    for (const auto& node : list) {
      if (out.entries.size() == max_entries) return {{}, at_line(source, line_of(node), too_many_targets())};
      TargetEntry entry;
      if (!converter.convert(node, entry)) return {{}, converter.error()};
      out.entries.push_back(std::move(entry));
    }
  } catch (const YAML::Exception& e) {
    return {{}, at_line(source, e.mark.line + 1, e.msg)};
  }
  return out;
}

}  // namespace

TargetsFormat detect_targets_format(std::string_view name, std::string_view content) {
  const auto extension = lowercase_extension(name);
  if (extension == ".json" || extension == ".yaml" || extension == ".yml") return TargetsFormat::structured;
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (content[first] == '[' || content[first] == '{'))
    return TargetsFormat::structured;
  while (!content.empty()) {
    const auto end = content.find('\n');
    const auto line = content.substr(0, end);
    if (line.starts_with("- ") || line == "-" || line == "-\r" || line.starts_with("targets:"))
      return TargetsFormat::structured;
    content = end == std::string_view::npos ? std::string_view{} : content.substr(end + 1);
  }
  return TargetsFormat::lines;
}

std::string at_line(std::string_view source, int line, std::string_view message) {
  std::string out(source);
  if (line > 0) out += " line " + std::to_string(line);
  out += ": ";
  out += message;
  return out;
}

std::string targets_source_name(const std::string& path) { return path == "-" ? "stdin" : path; }

std::optional<std::string> read_targets_source(const std::string& path, std::istream& in, std::string& error) {
  if (path != "-") {
    if (std::filesystem::is_directory(path)) {
      error = path + " is a directory, not a targets file";
      return std::nullopt;
    }
    return read_small_file(path, kMaxTargetsFileBytes, error);
  }
  std::string content;
  content.resize(kMaxTargetsFileBytes + 1);
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > kMaxTargetsFileBytes) {
    error = "stdin holds more than " + std::to_string(kMaxTargetsFileBytes / (1024 * 1024)) + " MiB of targets";
    return std::nullopt;
  }
  return content;
}

SplitTargets split_targets(std::string_view source, std::string_view content, std::size_t max_entries) {
  // Windows editors start UTF-8 files with a byte order mark; it is not part of the first URL.
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);
  if (detect_targets_format(source, content) == TargetsFormat::structured)
    return split_structured(source, content, max_entries);
  return split_lines(source, content, max_entries);
}

std::optional<std::vector<std::string>> split_shell_words(std::string_view line, std::string& error) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (ch == ' ' || ch == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    if (ch == '#' && !in_word) break;
    in_word = true;
    if (ch == '\'') {
      const auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos) {
        error = "a single quote is not closed";
        return std::nullopt;
      }
      word.append(line.substr(i + 1, close - i - 1));
      i = close;
    } else if (ch == '"') {
      for (++i;; ++i) {
        if (i >= line.size()) {
          error = "a double quote is not closed";
          return std::nullopt;
        }
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size() && std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos)
          ++i;
        word.push_back(line[i]);
      }
    } else if (ch == '\\') {
      if (i + 1 == line.size()) {
        error = "a backslash ends the line (one target a line)";
        return std::nullopt;
      }
      word.push_back(line[++i]);
    } else {
      word.push_back(ch);
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace wsprobe

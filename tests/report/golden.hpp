#pragma once
// Golden-file comparison for renderer tests. A golden file holds the exact expected output; a
// mismatch shows a line diff. WSPROBE_UPDATE_GOLDEN=1 rewrites the files from the current output
// instead (then review them with `git diff`).
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace wsprobe::testing {

struct GoldenCheck {
  bool ok = false;
  std::string message;  // the diff, or what was done
};

inline bool updating_goldens() {
  const char* value = std::getenv("WSPROBE_UPDATE_GOLDEN");
  return value && std::string(value) == "1";
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// ESC and other control bytes made visible, so a colour diff is readable in a test log.
inline std::string visible(const std::string& line) {
  std::string out;
  for (const char c : line) {
    if (c == '\x1b')
      out += "\\e";
    else if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
      out += "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 0xf]) + "0123456789abcdef"[c & 0xf];
    else
      out += c;
  }
  return out;
}

// A unified-style line diff ("-" expected, "+" actual, two lines of context), from the longest
// common subsequence of lines: golden files are small, so the quadratic table is fine.
inline std::string line_diff(const std::string& expected_text, const std::string& actual_text) {
  const auto expected = split_lines(expected_text);
  const auto actual = split_lines(actual_text);
  const auto n = expected.size(), m = actual.size();
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = expected[i] == actual[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);

  struct Row {
    char mark;
    std::size_t expected_line, actual_line;
    const std::string* text;
  };
  std::vector<Row> rows;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] == actual[j]) {
      rows.push_back({' ', i + 1, j + 1, &expected[i]});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      rows.push_back({'-', i + 1, j + 1, &expected[i]});  // removals first, as diff -u shows them
      ++i;
    } else {
      rows.push_back({'+', i + 1, j + 1, &actual[j]});
      ++j;
    }
  }

  constexpr std::size_t kContext = 2;
  std::vector<bool> keep(rows.size(), false);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].mark == ' ') continue;
    const auto from = r >= kContext ? r - kContext : 0;
    for (std::size_t k = from; k < std::min(rows.size(), r + kContext + 1); ++k) keep[k] = true;
  }
  std::string out;
  bool in_hunk = false;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (!keep[r]) {
      in_hunk = false;
      continue;
    }
    if (!in_hunk)
      out += "@@ expected line " + std::to_string(rows[r].expected_line) + ", actual line " +
             std::to_string(rows[r].actual_line) + " @@\n";
    in_hunk = true;
    out += std::string(1, rows[r].mark) + visible(*rows[r].text) + "\n";
  }
  if (out.empty() && expected_text != actual_text) out = "(texts differ only in the final newline)\n";
  return out;
}

inline std::string read_file_or_empty(const std::string& path, bool& found) {
  std::ifstream in(path, std::ios::binary);
  found = static_cast<bool>(in);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Compares `actual` with the file at WSPROBE_SOURCE_DIR/`relative_path`.
inline GoldenCheck check_golden(const std::string& relative_path, const std::string& actual) {
  const std::string path = std::string(WSPROBE_SOURCE_DIR) + "/" + relative_path;
  if (updating_goldens()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    if (!out) return {false, "cannot write " + path};
    return {true, "rewrote " + relative_path};
  }
  bool found = false;
  const auto expected = read_file_or_empty(path, found);
  if (!found)
    return {false, relative_path + " is missing; create it with WSPROBE_UPDATE_GOLDEN=1 and review it"};
  if (expected == actual) return {true, ""};
  return {false, relative_path + " differs from the output (-golden +actual; WSPROBE_UPDATE_GOLDEN=1 "
                                 "rewrites it):\n" + line_diff(expected, actual)};
}

}  // namespace wsprobe::testing

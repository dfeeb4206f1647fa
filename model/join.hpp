#pragma once
// Joining words for findings and reports; shared by checks/ and report/, which each had a copy.
#include <string>
#include <string_view>
#include <vector>

namespace wsprobe {

// "a, b, c": every part, empty ones too (a table row keeps its empty cells).
inline std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// The same without the empty parts, so no separator doubles where a fact was absent.
inline std::string join_nonempty(const std::vector<std::string>& parts, std::string_view separator = ", ") {
  std::vector<std::string> kept;
  for (const auto& part : parts)
    if (!part.empty()) kept.push_back(part);
  return join(kept, separator);
}

}  // namespace wsprobe

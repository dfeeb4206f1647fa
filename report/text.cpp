#include "report/text.hpp"

#include <array>
#include <cstdio>

#include "checks/catalogue.hpp"
#include "wire/utf8.hpp"

namespace wsprobe::text {
namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

void append_hex_escape(std::string& out, unsigned char byte) {
  char buffer[5];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
  out += buffer;
}

// U+0080..U+009F encode as C2 80..C2 9F; some terminals act on them as 8-bit controls (CSI).
bool is_c1_control(std::string_view sequence) {
  return sequence.size() == 2 && static_cast<unsigned char>(sequence[0]) == 0xC2 &&
         static_cast<unsigned char>(sequence[1]) <= 0x9F;
}

std::string decimal(long long whole, long long fraction, int digits) {
  char buffer[48];
  if (digits == 0)
    std::snprintf(buffer, sizeof buffer, "%lldms", whole);
  else
    std::snprintf(buffer, sizeof buffer, "%lld.%0*lldms", whole, digits, fraction);
  return buffer;
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string escape_for_terminal(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    const auto length = utf8_sequence_length(bytes, i);
    if (byte == '\t' || byte == '\r' || byte == '\n') {
      out += byte == '\t' ? "\\t" : byte == '\r' ? "\\r" : "\\n";
      ++i;
    } else if (length == 0 || byte < 0x20 || byte == 0x7F || is_c1_control(bytes.substr(i, length))) {
      // One byte at a time: the second byte of a C1 sequence is then escaped as a stray byte.
      append_hex_escape(out, byte);
      ++i;
    } else {
      out.append(bytes.substr(i, length));
      i += length;
    }
  }
  return out;
}

namespace {

// Moves `at` back to the start of the UTF-8 sequence, or of the \xNN escape, it falls in.
std::size_t cut_point(std::string_view text, std::size_t at) {
  while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  const auto escape = text.rfind("\\x", at == 0 ? 0 : at - 1);
  if (escape != std::string_view::npos && at > escape && at < escape + 4) at = escape;
  return at;
}

}  // namespace

std::string shorten_for_display(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  const auto head = cut_point(text, max * 2 / 3);
  const auto tail = cut_point(text, text.size() - max / 4);
  return std::string(text.substr(0, head)) + "…(" + std::to_string(text.size()) + " bytes)…" +
         std::string(text.substr(tail));
}

std::size_t columns(std::string_view utf8) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    // An SGR sequence (ESC [ digits ; m) takes no room. Only the renderers' own colours reach
    // here as ESC: escape_for_terminal() has turned the peer's into text.
    if (utf8[i] == '\x1b' && i + 1 < utf8.size() && utf8[i + 1] == '[') {
      const auto end = utf8.find('m', i);
      if (end != std::string_view::npos) {
        i = end;
        continue;
      }
    }
    if (!is_continuation(static_cast<unsigned char>(utf8[i]))) ++count;
  }
  return count;
}

std::string clip(std::string_view utf8, std::size_t max_columns) {
  if (columns(utf8) <= max_columns) return std::string(utf8);
  const std::size_t keep = max_columns > 3 ? max_columns - 3 : 0;
  std::size_t seen = 0, end = 0;
  for (; end < utf8.size(); ++end) {
    if (!is_continuation(static_cast<unsigned char>(utf8[end]))) {
      if (seen == keep) break;
      ++seen;
    }
  }
  return std::string(utf8.substr(0, end)) + "...";
}

std::string format_ms(Micros duration) {
  const long long us = duration.count();
  if (us < 0) return "-" + format_ms(Micros(-us));
  // Round first, then choose the precision: 9995us is "10.0ms", not "10.00ms".
  if (const long long hundredths = (us + 5) / 10; hundredths < 1000) return decimal(hundredths / 100, hundredths % 100, 2);
  if (const long long tenths = (us + 50) / 100; tenths < 1000) return decimal(tenths / 10, tenths % 10, 1);
  // From 10 s on (a hold), seconds read better than "60004ms".
  if (const long long ms = (us + 500) / 1000; ms < 10000) return decimal(ms, 0, 0);
  const long long tenths_of_s = (us + 50000) / 100000;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%llds", tenths_of_s / 10, tenths_of_s % 10);
  return buffer;
}

std::string format_seconds(Micros duration) {
  const long long us = duration.count();
  if (us < 0) return "-" + format_seconds(Micros(-us));
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%06lld", us / 1000000, us % 1000000);
  std::string out = buffer;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789-_./:=@,+%") == std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::optional<std::string> bytes_from_hex(std::string_view hex) {
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= hex.size() || digit(hex[i]) < 0 || digit(hex[i + 1]) < 0) return std::nullopt;
    out.push_back(static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1])));
    i += 2;
  }
  return out;
}

std::string_view verdict_word(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::pass: return "PASS";
    case VerdictStatus::degraded: return "DEGRADED";
    case VerdictStatus::fail: return "FAIL";
  }
  return "UNKNOWN";
}

std::string run_summary(const RunReport& report) {
  std::array<std::size_t, 3> counts{};
  for (const auto& result : report.results) ++counts[static_cast<std::size_t>(result.verdict.status)];
  std::string out = std::to_string(report.results.size()) + " targets:";
  const char* separator = " ";
  for (const auto status : {VerdictStatus::pass, VerdictStatus::degraded, VerdictStatus::fail}) {
    if (const auto n = counts[static_cast<std::size_t>(status)]; n > 0) {
      out += separator + std::to_string(n) + " " + std::string(to_string(status));
      separator = ", ";
    }
  }
  return out;
}

std::string target_label(const Target& target) { return shorten_for_display(target.name.value_or(target.url)); }

std::optional<std::string> node_address(const TargetResult& result) {
  if (!result.observed.dns) return std::nullopt;
  return result.observed.dns->pinned_address;
}

std::optional<std::string> verdict_assertion(const TargetResult& result) {
  for (const auto& finding : result.findings)
    if (finding.id == result.verdict.cause && finding.assertion) return finding.assertion;
  return std::nullopt;
}

std::string stage_condition(const StageResult& stage) {
  std::string out = stage.condition == Condition::none ? "" : std::string(to_string(stage.condition));
  if (!stage.detail.empty()) out += (out.empty() ? "" : ": ") + stage.detail;
  return out;
}

std::string_view finding_fix(const Finding& finding) {
  if (!finding.fix.empty()) return finding.fix;
  const auto* cause = find_cause(finding.id);
  return cause ? cause->fix : std::string_view();
}

std::string_view echo_mode_name(EchoMode mode) {
  switch (mode) {
    case EchoMode::automatic: return "automatic";
    case EchoMode::require: return "require";
    case EchoMode::off: return "off";
  }
  return "unknown";
}

std::string_view echo_outcome_name(EchoMessage::Outcome outcome) {
  switch (outcome) {
    case EchoMessage::Outcome::echoed: return "echoed";
    case EchoMessage::Outcome::mismatch: return "mismatch";
    case EchoMessage::Outcome::no_reply: return "no_reply";
  }
  return "unknown";
}

}  // namespace wsprobe::text

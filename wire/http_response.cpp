#include "wire/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace wsprobe {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Whether `bytes` could still be the start of "HTTP/".
bool could_be_http(std::string_view bytes) {
  constexpr std::string_view kPrefix = "HTTP/";
  const auto n = std::min(bytes.size(), kPrefix.size());
  return bytes.substr(0, n) == kPrefix.substr(0, n);
}

std::optional<HttpResponseHead> parse_head_lines(std::string_view head, std::string& error) {
  HttpResponseHead out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < head.size()) {
    auto eol = head.find('\n', pos);
    if (eol == std::string_view::npos) eol = head.size();
    auto line = head.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (first) {
      // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
      out.status_line = std::string(line);
      const auto sp = line.find(' ');
      if (sp == std::string_view::npos || sp + 4 > line.size()) {
        error = "malformed status line";
        return std::nullopt;
      }
      out.version = std::string(line.substr(0, sp));
      const auto code = line.substr(sp + 1, 3);
      int value = 0;
      const auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), value);
      if (ec != std::errc{} || ptr != code.data() + 3 || value < 100 || value > 999) {
        error = "malformed status code";
        return std::nullopt;
      }
      out.status_code = value;
      if (line.size() > sp + 4) out.reason = std::string(trim(line.substr(sp + 5)));
      first = false;
      continue;
    }
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error = "malformed header line";
      return std::nullopt;
    }
    out.headers.push_back({std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  return out;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

HeadParse parse_response_head(std::string_view bytes) {
  HeadParse result;
  if (!could_be_http(bytes)) {
    result.state = HeadState::not_http;
    result.error = "reply does not start with HTTP/";
    return result;
  }
  std::size_t end = std::string_view::npos;
  std::size_t terminator = 0;
  if (const auto crlf = bytes.find("\r\n\r\n"); crlf != std::string_view::npos) {
    end = crlf;
    terminator = 4;
  }
  if (const auto lf = bytes.find("\n\n"); lf != std::string_view::npos && lf < end) {
    end = lf;
    terminator = 2;
  }
  // The bound holds however the bytes arrived: an end found past 16 KiB (one large read) is too late.
  if (end == std::string_view::npos || end + terminator > kMaxResponseHeadBytes) {
    const bool too_large = end != std::string_view::npos || bytes.size() > kMaxResponseHeadBytes;
    result.state = too_large ? HeadState::too_large : HeadState::incomplete;
    if (too_large) result.error = "no end of the head within 16 KiB";
    return result;
  }
  auto head = parse_head_lines(bytes.substr(0, end + terminator / 2), result.error);
  if (!head) {
    result.state = HeadState::not_http;
    return result;
  }
  head->head_bytes = end + terminator;
  result.state = HeadState::complete;
  result.head = std::move(head);
  return result;
}

std::optional<std::string> find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    const auto comma = std::min(value.find(',', pos), value.size());
    const auto item = trim(value.substr(pos, comma - pos));
    if (!item.empty()) out.emplace_back(item);
    pos = comma + 1;
  }
  return out;
}

bool has_token(std::string_view value, std::string_view token) {
  const auto items = split_list(value);
  return std::any_of(items.begin(), items.end(), [&](const std::string& item) { return iequals(item, token); });
}

std::optional<std::size_t> content_length(const std::vector<HttpHeader>& headers) {
  const auto value = find_header(headers, "Content-Length");
  if (!value) return std::nullopt;
  std::size_t n = 0;
  const auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc{} || ptr != value->data() + value->size()) return std::nullopt;
  return n;
}

}  // namespace wsprobe

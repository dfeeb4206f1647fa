#pragma once
// Parsing an HTTP/1.x response head from raw bytes, without trusting the peer: the probe keeps
// the bytes it read and asks this parser what they are.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/observations.hpp"

namespace wsprobe {

inline constexpr std::size_t kMaxResponseHeadBytes = 16 * 1024;

struct HttpResponseHead {
  std::string status_line;
  std::string version;  // "HTTP/1.1"
  int status_code = 0;
  std::string reason;
  std::vector<HttpHeader> headers;
  std::size_t head_bytes = 0;  // including the blank line
};

enum class HeadState {
  incomplete,  // so far a plausible HTTP head; more bytes needed
  complete,    // head parsed; `head` is set
  not_http,    // the bytes are not an HTTP response (TLS record, banner, garbage)
  too_large,   // no end of head within kMaxResponseHeadBytes
};

struct HeadParse {
  HeadState state = HeadState::incomplete;
  std::optional<HttpResponseHead> head;
  std::string error;  // why not_http
};

// Parses `bytes` (everything received so far). Accepts bare LF line ends, as lenient clients do.
HeadParse parse_response_head(std::string_view bytes);

// The value of the first header with this name (case-insensitive).
std::optional<std::string> find_header(const std::vector<HttpHeader>& headers, std::string_view name);

// Whether a comma-separated header value holds `token` (case-insensitive), as Connection: and
// Upgrade: are read (RFC 9110 §7.6.1, RFC 6455 §4.1).
bool has_token(std::string_view value, std::string_view token);

// Splits a comma-separated list, trimming spaces.
std::vector<std::string> split_list(std::string_view value);

// The Content-Length value, if present and valid.
std::optional<std::size_t> content_length(const std::vector<HttpHeader>& headers);

bool iequals(std::string_view a, std::string_view b);

}  // namespace wsprobe

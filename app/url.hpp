#pragma once
// ws:// and wss:// URLs to Targets (RFC 6455 §3).
#include <optional>
#include <string>
#include <string_view>

#include "model/target.hpp"

namespace wsprobe {

struct ParsedTarget {
  std::optional<Target> target;
  std::string error;  // why the URL was refused, in words for the command line
};

ParsedTarget parse_target(std::string_view url);

}  // namespace wsprobe

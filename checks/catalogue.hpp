#pragma once
// The cause catalogue: one entry per cause id (../shared/diagnosis/causes.md). The ids are a public
// contract; CI pipelines match on them. Never rename one.
#include <optional>
#include <span>
#include <string_view>

#include "model/stage.hpp"

namespace wsprobe {

struct CauseInfo {
  std::string_view id;
  std::optional<Stage> stage;   // the stage it belongs to; empty for run-wide causes (ok)
  std::string_view title;       // a few words, for a verdict line
  std::string_view explanation; // what it means, as a user would read it
  std::string_view fix;         // the general fix
};

std::span<const CauseInfo> cause_catalogue();
const CauseInfo* find_cause(std::string_view id);

}  // namespace wsprobe

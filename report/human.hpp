#pragma once
// The human report: a compact stage timeline per target, ending in the verdict line.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

struct HumanStyle {
  bool color = false;   // ANSI colours (a terminal, no NO_COLOR, no --no-color)
  bool verbose = false; // every header and certificate, not just the key facts
};

std::string render_human(const RunReport& report, const HumanStyle& style);

}  // namespace wsprobe

#pragma once
// Live progress of a long hold on a terminal (issue 5): one line on stderr, rewritten in place,
// erased when the probe ends. Nothing at all when stderr is not a terminal (CI logs, pipes).
#include <functional>
#include <ostream>
#include <string>

#include "model/target.hpp"

namespace wsprobe {

// "hold 12s / 90s, 3 pings": what the line says.
std::string hold_progress_text(const HoldProgress& progress);

// A watcher that rewrites one line of `out` ("\r" + text + erase to the end of the line).
std::function<void(const HoldProgress&)> hold_progress_line(std::ostream& out);

// Erases the line a watcher drew.
void clear_progress_line(std::ostream& out);

}  // namespace wsprobe

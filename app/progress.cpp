#include "app/progress.hpp"

namespace wsprobe {

std::string hold_progress_text(const HoldProgress& progress) {
  const auto seconds = [](Micros d) { return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()); };
  std::string text = "hold " + seconds(progress.elapsed) + "s / " + seconds(progress.total) + "s";
  if (progress.pings_sent > 0)
    text += ", " + std::to_string(progress.pings_sent) + (progress.pings_sent == 1 ? " keepalive" : " keepalives");
  return text;
}

std::function<void(const HoldProgress&)> hold_progress_line(std::ostream& out) {
  return [&out](const HoldProgress& progress) {
    // ECMA-48 EL (CSI K) erases what a longer earlier line left.
    out << '\r' << hold_progress_text(progress) << "\x1b[K" << std::flush;
  };
}

void clear_progress_line(std::ostream& out) { out << "\r\x1b[K" << std::flush; }

}  // namespace wsprobe

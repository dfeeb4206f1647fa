#include "report/cause_table.hpp"

#include "checks/catalogue.hpp"

namespace wsprobe {
namespace {
// A table cell cannot hold a raw '|'.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}
}  // namespace

std::string render_cause_table() {
  std::string out = "| cause | stage | what it means | fix |\n|---|---|---|---|\n";
  for (const auto& cause : cause_catalogue()) {
    out += "| `" + std::string(cause.id) + "` | " + (cause.stage ? std::string(to_string(*cause.stage)) : "-") +
           " | " + cell(cause.explanation) + " | " + cell(cause.fix) + " |\n";
  }
  return out;
}

}  // namespace wsprobe

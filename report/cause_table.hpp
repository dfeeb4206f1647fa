#pragma once
// The cause catalogue as a Markdown table: `wsprobe causes` prints it, and the README's verdict
// guide holds the same table (a test keeps the two equal, so they cannot drift).
#include <string>

namespace wsprobe {

std::string render_cause_table();

}  // namespace wsprobe

#pragma once
// The support bundle (--markdown FILE): per target the verdict, findings with evidence and fix,
// the stage timings, what the server sent, then the environment and tool version, ready to paste
// into a ticket. Secrets redacted as in every report; bytes from the network escaped so they
// cannot break the Markdown.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

std::string render_markdown(const RunReport& report);

}  // namespace wsprobe

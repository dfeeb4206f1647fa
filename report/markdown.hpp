#pragma once
// The support bundle (--markdown FILE), ready to paste into a ticket: after several targets an
// overview table (target, verdict, cause, stage, time); per target a heading (name and URL), the
// verdict line (status, stage, cause, title, summary), hop and tags, findings with their
// evidence, fixes, vendor fixes and broken assertion, the stage table (stage | status | start |
// duration | detail), the nodes of --all-addresses, what the probe saw (addresses, TLS and the
// leaf certificate, the request sent and the status line and headers the server answered, the
// body, close codes, the hold), follow-up probes and fingerprints; last the environment (tool
// version, the environment pairs, the command line).
// Secrets are as redacted as in the results. Text from the network or a targets file is escaped
// so it cannot break a table or inject Markdown or HTML; raw bytes (headers, bodies, requests)
// stand in fenced code blocks whose fence they cannot close.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

std::string render_markdown(const RunReport& report);

}  // namespace wsprobe

#pragma once
// --all-addresses: the per-node table under the parent's stages.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

// A count line, then one line per node of `parent.nodes`, in DNS order, under a header line:
//   "  nodes: 3 (2 pass, 1 fail)"
//   "    node       dns        tcp          upgrade    echo       close      verdict"
//   "    127.0.0.2  ok 2.00ms  ok 0.12ms    ok 1.50ms  ok 3.00ms  ok 0.40ms  ok"
//   "    127.0.0.4  ok 2.10ms  FAIL 0.09ms  -          -          -          tcp_refused"
// Each stage cell is its status and duration (a skipped stage is "-"); the proxy, tls and hold
// stages get a column only when some node ran them. Addresses the run did not probe (more than
// the node limit) are counted on a last line. Empty when there are no nodes. With `color`,
// statuses and verdicts are coloured (ANSI SGR); without it the text holds no ESC byte.
std::string render_node_table(const TargetResult& parent, bool color);

}  // namespace wsprobe

#pragma once
// --all-addresses: every address the target's name resolves to, probed as its own node (an LB
// node, a zone), with the same URL, SNI and Host.
#include <cstddef>
#include <string>

#include "model/report.hpp"
#include "model/target.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

// At most this many nodes are probed; further addresses are counted as not probed (the parent's
// dns stage detail says so). A bound on the sockets and coroutines one run opens.
inline constexpr std::size_t kMaxNodes = 64;

// `options` for the node at `address`: the same probe, pinned to that address (run_dns keeps it).
ProbeOptions node_options(const ProbeOptions& options, const std::string& address);

// Resolves the target once (the dns stage as run_dns runs it), then probes each distinct address
// it found (in DNS order, at most kMaxNodes) with probe_target(node_options(...)), all concurrently
// on the caller's executor, each bounded by its own deadline.
//
// The parent result: the target and start time, the dns stage and observed.dns of the shared
// resolution, every later stage skipped ("per node, see nodes"; after a dns failure: "after the
// failure at dns", and no nodes), and `nodes` in DNS order, undiagnosed. total_duration runs
// until the last node ends. Network outcomes are data: never throws on them.
net::awaitable<TargetResult> probe_nodes(ProbeOptions options);

// Blocking form: runs probe_nodes on its own io_context.
TargetResult run_nodes(const ProbeOptions& options);

}  // namespace wsprobe

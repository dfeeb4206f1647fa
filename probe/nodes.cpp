#include "probe/nodes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <ctime>
#include <exception>

#include "probe/context.hpp"
#include "probe/fleet.hpp"
#include "probe/pipeline.hpp"
#include "probe/resolve.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

net::awaitable<void> probe_node(ProbeOptions options, TargetResult* out) {
  *out = co_await probe_target(std::move(options));
}

net::awaitable<void> store_nodes(ProbeOptions options, TargetResult* out) {
  *out = co_await probe_nodes(std::move(options));
}

}  // namespace

ProbeOptions node_options(const ProbeOptions& options, const std::string& address) {
  ProbeOptions node = options;
  node.pinned_address = address;
  return node;
}

net::awaitable<TargetResult> probe_nodes(ProbeOptions options) {
  TargetResult parent;
  parent.target = options.target;
  if (!options.show_secrets) parent.target.resource = redact_url(parent.target.resource);
  stamp_start(parent);
  parent.cert_warn_days = options.cert_warn_days;
  options.pinned_address.reset();
  ProbeContext context(options, Clock::now());

  auto dns = co_await run_dns(context);
  const bool resolved = dns.status == StageStatus::ok;
  std::vector<std::string> addresses;
  for (const auto& address : context.addresses) {
    auto text = address.to_string();
    if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) addresses.push_back(std::move(text));
  }
  if (addresses.size() > kMaxNodes) {
    dns.detail += (dns.detail.empty() ? "" : "; ") + std::to_string(addresses.size() - kMaxNodes) + " of " +
                  std::to_string(addresses.size()) + " addresses not probed (at most " + std::to_string(kMaxNodes) +
                  " nodes)";
    addresses.resize(kMaxNodes);
  }
  parent.stages.push_back(dns);
  for (const auto stage : {Stage::proxy, Stage::tcp, Stage::tls, Stage::upgrade, Stage::echo, Stage::hold, Stage::close})
    parent.stages.push_back(skipped_stage(stage, resolved ? "per node, see nodes" : "after the failure at dns"));
  parent.observed = std::move(context.observed);

  if (resolved && !addresses.empty()) {
    // Every node at once: kMaxNodes already bounds them.
    parent.nodes.resize(addresses.size());
    auto* nodes = parent.nodes.data();
    co_await run_bounded(addresses.size(), addresses.size(), [&options, &addresses, nodes](std::size_t i) {
      return probe_node(node_options(options, addresses[i]), nodes + i);
    });
  }
  parent.total_duration = context.offset(Clock::now());
  co_return parent;
}

TargetResult run_nodes(const ProbeOptions& options) {
  net::io_context ioc;
  TargetResult result;
  net::co_spawn(ioc, store_nodes(options, &result), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  ioc.run();
  return result;
}

}  // namespace wsprobe

// --all-addresses: one verdict for the load balancer from the verdicts of its nodes.
#include <algorithm>

#include "checks/assertions.hpp"
#include "checks/catalogue.hpp"
#include "checks/rules.hpp"
#include "checks/verdict.hpp"
#include "model/join.hpp"

namespace wsprobe {
namespace {

std::string node_address(const TargetResult& node) {
  if (node.observed.dns && node.observed.dns->pinned_address) return *node.observed.dns->pinned_address;
  if (node.observed.tcp && node.observed.tcp->remote_endpoint) return *node.observed.tcp->remote_endpoint;
  return "?";
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

const Finding* primary_finding(const TargetResult& node) {
  for (const auto& finding : node.findings)
    if (finding.id == node.verdict.cause) return &finding;
  return nullptr;
}

// A node failing only because --fail-on warn raised a warning (a broken assertion, an expiring
// certificate): its stages passed, so nothing of a load balancer's usual node failures applies.
bool fails_on_warning(const TargetResult& node) {
  const auto* primary = primary_finding(node);
  return primary && raised_by_fail_on(*primary);
}

// "127.0.0.4: tcp failed, tcp_refused (127.0.0.4:443: Connection refused)"; for a node failing on
// a warning, its verdict: "127.0.0.4: tls took 412ms, above --max-stage tls=300ms (failing ...)."
std::string failing_node_words(const TargetResult& node) {
  if (fails_on_warning(node)) return node_address(node) + ": " + node.verdict.summary;
  const auto stage = node.verdict.stage.value_or(Stage::dns);
  std::string words = node_address(node) + ": " + std::string(to_string(stage)) + " failed, " + node.verdict.cause;
  if (const auto* result = find_stage(node, stage); result && !result->detail.empty())
    words += " (" + result->detail + ")";
  return words;
}

// What a node's failure usually means when its siblings work (knowledge base: nlb_az_dns_drop,
// nlb_unhealthy_target_rst; catalogue lb_node_partial_failure).
std::string_view usual_lb_cause(const TargetResult& node) {
  if (fails_on_warning(node)) return "";
  const auto stage = node.verdict.stage.value_or(Stage::dns);
  const auto& cause = node.verdict.cause;
  if (cause == "tcp_timeout" || cause == "tcp_unreachable")
    return "no answer from this address: a stale address that no longer belongs to the load balancer, or a node "
           "(zone) that is down";
  if (cause == "tcp_refused") return "nothing listens at this address: a node without the listener, or a stale address";
  if (cause == "backend_unavailable")
    return "this node answers but has no healthy target behind it: a zone with no healthy target while cross-zone "
           "load balancing is off";
  if (stage == Stage::tls) return "this node presents a different TLS setup: a node left out of a certificate change";
  if (stage == Stage::upgrade || stage == Stage::echo || stage == Stage::close)
    return "this node's backends behave differently: a zone's targets on another version or configuration";
  return "";
}

// The warnings and notes of the nodes, each id once, naming the nodes it was seen on.
std::vector<Finding> shared_warnings(const std::vector<TargetResult>& nodes) {
  std::vector<Finding> out;
  std::vector<std::vector<std::string>> seen_on;
  for (const auto& node : nodes)
    for (const auto& finding : node.findings) {
      if (finding.severity == Severity::fail) continue;
      auto at = std::find_if(out.begin(), out.end(), [&](const Finding& f) { return f.id == finding.id; });
      if (at == out.end()) {
        out.push_back(finding);
        seen_on.emplace_back();
        at = out.end() - 1;
      }
      seen_on[static_cast<std::size_t>(at - out.begin())].push_back(node_address(node));
    }
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].evidence.insert(out[i].evidence.begin(), "on " + plural(seen_on[i].size(), "node") + ": " + join(seen_on[i]));
  return out;
}

Finding partial_failure(const TargetResult& parent, const std::vector<const TargetResult*>& bad) {
  const auto total = parent.nodes.size();
  Stage first_stage = Stage::close;
  for (const auto* node : bad) first_stage = std::min(first_stage, node->verdict.stage.value_or(Stage::tcp));
  auto finding = make_finding("lb_node_partial_failure", Severity::fail, first_stage, Confidence::certain);
  finding.hop = "load balancer nodes";

  std::vector<std::string> bad_words, good;
  for (const auto* node : bad)
    bad_words.push_back(node_address(*node) + " (" + std::string(to_string(node->verdict.stage.value_or(Stage::tcp))) +
                        ", " + node->verdict.cause + ")");
  for (const auto& node : parent.nodes)
    if (node.verdict.status != VerdictStatus::fail) good.push_back(node_address(node));

  const bool only_warnings = std::all_of(bad.begin(), bad.end(), [](const TargetResult* node) {
    return fails_on_warning(*node);
  });
  const std::string how_many = (bad.size() == total ? "All " + std::to_string(total) + " nodes fail, not alike"
                                                    : std::to_string(bad.size()) + " of " + std::to_string(total) +
                                                          " nodes fail") +
                               (only_warnings ? ", on warnings (--fail-on warn): " : ": ");
  finding.summary = how_many + join(bad_words) + (good.empty() ? "" : "; " + join(good) + " pass") +
                    (only_warnings ? "."
                                   : ". The usual causes: a zone with no healthy target while cross-zone load "
                                     "balancing is off, a node or listener that is down, or a stale address in DNS.");
  for (const auto* node : bad) {
    finding.evidence.push_back(failing_node_words(*node));
    if (const auto hint = usual_lb_cause(*node); !hint.empty())
      finding.evidence.push_back(node_address(*node) + ": " + std::string(hint));
  }
  if (!good.empty()) finding.evidence.push_back("every stage passed on " + join(good));
  return finding;
}

Finding shared_failure(const std::vector<const TargetResult*>& bad) {
  const auto& first = *bad.front();
  Finding finding;
  if (const auto* primary = primary_finding(first)) {
    finding = *primary;
  } else {
    finding = make_finding(first.verdict.cause, Severity::fail, first.verdict.stage.value_or(Stage::tcp),
                           Confidence::certain);
  }
  std::vector<std::string> addresses;
  for (const auto* node : bad) addresses.push_back(node_address(*node));
  finding.summary = "All " + std::to_string(bad.size()) + " nodes fail alike: " + finding.summary;
  finding.evidence.insert(finding.evidence.begin(), "every node (" + join(addresses) + ") fails at " +
                                                        std::string(to_string(first.verdict.stage.value_or(Stage::tcp))) +
                                                        " with " + first.verdict.cause);
  return finding;
}

std::vector<Fingerprint> all_fingerprints(const std::vector<TargetResult>& nodes) {
  std::vector<Fingerprint> out;
  for (const auto& node : nodes)
    for (const auto& print : node.fingerprints)
      if (std::none_of(out.begin(), out.end(), [&](const Fingerprint& f) { return f.name == print.name; }))
        out.push_back(print);
  return out;
}

}  // namespace

void diagnose_nodes(TargetResult& parent) {
  if (parent.nodes.empty()) {
    diagnose(parent);  // the resolution failed: the usual dns cause
    return;
  }
  parent.fingerprints = all_fingerprints(parent.nodes);
  std::vector<const TargetResult*> bad;
  for (const auto& node : parent.nodes)
    if (node.verdict.status == VerdictStatus::fail) bad.push_back(&node);
  const bool alike = !bad.empty() && bad.size() == parent.nodes.size() &&
                     std::all_of(bad.begin(), bad.end(), [&](const TargetResult* node) {
                       return node->verdict.cause == bad.front()->verdict.cause &&
                              node->verdict.stage == bad.front()->verdict.stage;
                     });

  parent.findings.clear();
  if (alike) {
    parent.findings.push_back(shared_failure(bad));
  } else if (!bad.empty()) {
    parent.findings.push_back(partial_failure(parent, bad));
  }
  for (auto& warning : shared_warnings(parent.nodes)) parent.findings.push_back(std::move(warning));
  // Nodes diagnosed under the same --fail-on left no warning; this keeps the parent to it regardless.
  apply_fail_on(parent.findings, parent.assertions.fail_on);
  for (auto& finding : parent.findings)
    if (const auto* cause = find_cause(finding.id))
      finding.vendor_fixes = matching_vendor_fixes(*cause, parent.fingerprints);

  parent.verdict = fold_verdict(parent.findings);
  explain_assertion_verdict(parent, parent.verdict);
  const auto total = std::to_string(parent.nodes.size());
  if (parent.verdict.status == VerdictStatus::pass) {
    // Every node passed alike; on an expected refusal (--expect-status 401) each one was refused.
    const auto expected = expected_status_words(parent.nodes.front());
    parent.verdict.summary = expected.empty() ? "Every stage passed on all " + total + " nodes."
                                              : "All " + total + " nodes pass: " + expected;
  } else if (parent.verdict.status == VerdictStatus::degraded) {
    std::size_t degraded = 0;
    for (const auto& node : parent.nodes) degraded += node.verdict.status == VerdictStatus::degraded;
    parent.verdict.summary = std::to_string(degraded) + " of " + total + " nodes degraded: " + parent.verdict.summary;
  }
}

}  // namespace wsprobe

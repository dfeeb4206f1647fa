// diagnose_nodes: one verdict for a load balancer from its nodes' verdicts (--all-addresses).
#include <catch2/catch.hpp>

#include <algorithm>

#include "checks/verdict.hpp"
#include "support/finding_checks.hpp"
#include "support/result_builder.hpp"

namespace wsprobe {
namespace {

using test::has_evidence;
using testing::diagnosed_node;
using testing::Scheme;

TargetResult healthy_node(const std::string& address) { return diagnosed_node(testing::healthy(Scheme::wss), address); }

TargetResult refused_node(const std::string& address) {
  return diagnosed_node(
      testing::failed_at(Scheme::wss, Stage::tcp, Condition::connect_refused, address + ":443: Connection refused"),
      address);
}

}  // namespace

TEST_CASE("nodes: every node passes: pass", "[nodes]") {
  auto parent = testing::parent_of_nodes({healthy_node("192.0.2.1"), healthy_node("192.0.2.2")});
  diagnose_nodes(parent);
  CHECK(parent.verdict.status == VerdictStatus::pass);
  CHECK(parent.verdict.cause == "ok");
  CHECK(parent.verdict.summary == "Every stage passed on all 2 nodes.");
  CHECK(parent.findings.empty());
}

TEST_CASE("nodes: one node fails, the others pass: lb_node_partial_failure naming it", "[nodes]") {
  auto parent = testing::parent_of_nodes({healthy_node("192.0.2.1"), healthy_node("192.0.2.2"), refused_node("192.0.2.3")});
  diagnose_nodes(parent);
  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.cause == "lb_node_partial_failure");
  CHECK(parent.verdict.stage == Stage::tcp);
  CHECK(parent.verdict.hop == std::string("load balancer nodes"));
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("1 of 3 nodes fail: 192.0.2.3 (tcp, tcp_refused); 192.0.2.1, "
                                                       "192.0.2.2 pass."));
  CHECK_THAT(parent.verdict.summary, Catch::Contains("cross-zone load balancing"));
  CHECK_THAT(parent.verdict.summary, Catch::Contains("stale address"));
  REQUIRE(parent.findings.size() == 1);
  const auto& finding = parent.findings.front();
  CHECK(finding.confidence == Confidence::certain);
  CHECK(has_evidence(finding, "192.0.2.3: tcp failed, tcp_refused (192.0.2.3:443: Connection refused)"));
  CHECK(has_evidence(finding, "every stage passed on 192.0.2.1, 192.0.2.2"));
  CHECK_FALSE(finding.fix.empty());
}

TEST_CASE("nodes: a node answering 503 while others pass: the hint names a zone without healthy targets",
          "[nodes]") {
  auto busy = diagnosed_node(testing::rejected_upgrade(Scheme::wss, 503, "Service Unavailable"), "192.0.2.2");
  REQUIRE(busy.verdict.cause == "backend_unavailable");
  auto parent = testing::parent_of_nodes({healthy_node("192.0.2.1"), busy});
  diagnose_nodes(parent);
  CHECK(parent.verdict.cause == "lb_node_partial_failure");
  CHECK(parent.verdict.stage == Stage::upgrade);
  const auto& evidence = parent.findings.front().evidence;
  CHECK(std::any_of(evidence.begin(), evidence.end(), [](const std::string& line) {
    return line.starts_with("192.0.2.2: ") && line.find("no healthy target") != std::string::npos;
  }));
}

TEST_CASE("nodes: every node fails alike: that cause, for all of them", "[nodes]") {
  auto parent = testing::parent_of_nodes({refused_node("192.0.2.1"), refused_node("192.0.2.2")});
  diagnose_nodes(parent);
  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.cause == "tcp_refused");
  CHECK(parent.verdict.stage == Stage::tcp);
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("All 2 nodes fail alike: "));
  REQUIRE_FALSE(parent.findings.empty());
  CHECK(parent.findings.front().evidence.front() == "every node (192.0.2.1, 192.0.2.2) fails at tcp with tcp_refused");
}

TEST_CASE("nodes: every node fails, not alike: lb_node_partial_failure", "[nodes]") {
  auto timeout =
      diagnosed_node(testing::failed_at(Scheme::wss, Stage::tcp, Condition::connect_timeout, "no answer"), "192.0.2.2");
  auto parent = testing::parent_of_nodes({refused_node("192.0.2.1"), timeout});
  diagnose_nodes(parent);
  CHECK(parent.verdict.cause == "lb_node_partial_failure");
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("All 2 nodes fail, not alike: 192.0.2.1 (tcp, tcp_refused), "
                                                       "192.0.2.2 (tcp, tcp_timeout)."));
}

TEST_CASE("nodes: all pass, one with a warning: degraded, the warning kept with its node", "[nodes]") {
  auto unverified = testing::healthy(Scheme::wss);
  unverified.observed.tls->verification_enabled = false;
  auto parent = testing::parent_of_nodes({healthy_node("192.0.2.1"), diagnosed_node(unverified, "192.0.2.2")});
  REQUIRE(parent.nodes.at(1).verdict.status == VerdictStatus::degraded);
  diagnose_nodes(parent);
  CHECK(parent.verdict.status == VerdictStatus::degraded);
  CHECK(parent.verdict.cause == parent.nodes.at(1).verdict.cause);
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("1 of 2 nodes degraded: "));
  REQUIRE(parent.findings.size() == 1);
  CHECK(parent.findings.front().evidence.front() == "on 1 node: 192.0.2.2");
}

TEST_CASE("nodes: a failing node's warnings stay next to the partial failure", "[nodes]") {
  auto unverified = testing::healthy(Scheme::wss);
  unverified.observed.tls->verification_enabled = false;
  auto parent = testing::parent_of_nodes({diagnosed_node(unverified, "192.0.2.1"), refused_node("192.0.2.2")});
  diagnose_nodes(parent);
  CHECK(parent.verdict.cause == "lb_node_partial_failure");
  REQUIRE(parent.findings.size() == 2);
  CHECK(parent.findings.at(1).severity == Severity::warn);
}

TEST_CASE("nodes: no nodes (the resolution failed): the dns cause", "[nodes]") {
  auto parent = testing::failed_at(Scheme::wss, Stage::dns, Condition::dns_nxdomain, "resolving lb.example.test: NXDOMAIN");
  diagnose_nodes(parent);
  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.stage == Stage::dns);
  CHECK(parent.verdict.cause == "dns_nxdomain");
}

}  // namespace wsprobe

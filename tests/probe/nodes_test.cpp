// --all-addresses end to end: a name that resolves (through the loopback DNS responder) to several
// loopback addresses, echo servers listening on some of them at one port, and the run's verdict.
#include <catch2/catch.hpp>

#include <system_error>

#include "checks/verdict.hpp"
#include "probe/lab/echo_server.hpp"
#include "probe/nodes.hpp"
#include "report/node_table.hpp"
#include "support/dns_responder.hpp"
#include "support/probe_helpers.hpp"

namespace wsprobe {
namespace {

using test::describe;

// Echo servers on `addresses`, all at one port (the kernel picks it for the first; a rare clash
// on another address picks again), as LB nodes of one name.
class LbNodes {
 public:
  explicit LbNodes(const std::vector<std::string>& addresses) {
    for (int attempt = 0; attempt < 5 && servers_.empty(); ++attempt) {
      try {
        for (const auto& address : addresses) {
          const std::uint16_t port = servers_.empty() ? 0 : servers_.front()->port();
          lab::EchoServerOptions options;
          options.address = address;
          options.port = port;
          servers_.push_back(std::make_unique<lab::EchoServer>(options));
        }
      } catch (const std::system_error&) {
        servers_.clear();
      }
    }
    REQUIRE(servers_.size() == addresses.size());
  }
  std::uint16_t port() const { return servers_.front()->port(); }

 private:
  std::vector<std::unique_ptr<lab::EchoServer>> servers_;
};

// What app/run.cpp does under --all-addresses, without follow-ups.
TargetResult probe_all(const ProbeOptions& options) {
  auto parent = run_nodes(options);
  for (auto& node : parent.nodes) {
    diagnose(node);
    test::require_valid_report(node);
  }
  diagnose_nodes(parent);
  return parent;
}

std::string describe_nodes(const TargetResult& parent) {
  std::string out = describe(parent);
  for (const auto& node : parent.nodes) out += "--- node\n" + describe(node);
  return out;
}

ProbeOptions lb_options(const test::DnsResponder& dns, std::uint16_t port) {
  auto options = test::probe_options("ws://lb.test:" + std::to_string(port) + "/echo");
  options.dns_server = dns.server();
  return options;
}

std::vector<std::string> node_causes(const TargetResult& parent) {
  std::vector<std::string> out;
  for (const auto& node : parent.nodes) out.push_back(node.verdict.cause);
  return out;
}

}  // namespace

TEST_CASE("all-addresses: one node refuses, two echo: lb_node_partial_failure naming it", "[nodes]") {
  test::DnsResponder dns;
  dns.answer("lb.test", {"127.0.0.2", "127.0.0.3", "127.0.0.4"}, {});
  LbNodes up({"127.0.0.2", "127.0.0.3"});
  const auto parent = probe_all(lb_options(dns, up.port()));
  INFO(describe_nodes(parent));

  // The parent: the shared resolution, the rest per node.
  REQUIRE(parent.stages.size() == 8);
  CHECK(parent.stages.front().stage == Stage::dns);
  CHECK(parent.stages.front().status == StageStatus::ok);
  for (std::size_t i = 1; i < parent.stages.size(); ++i) {
    CHECK(parent.stages[i].status == StageStatus::skipped);
    CHECK(parent.stages[i].detail == "per node, see nodes");
  }
  REQUIRE(parent.observed.dns);
  CHECK(parent.observed.dns->addresses == std::vector<std::string>{"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  CHECK_FALSE(parent.observed.dns->pinned_address);

  // The nodes, in DNS order, each connected to its own address with the same Host.
  REQUIRE(parent.nodes.size() == 3);
  CHECK(node_causes(parent) == std::vector<std::string>{"ok", "ok", "tcp_refused"});
  const std::vector<std::string> addresses{"127.0.0.2", "127.0.0.3", "127.0.0.4"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& node = parent.nodes[i];
    CHECK(node.observed.dns->pinned_address == addresses[i]);
    REQUIRE(node.observed.tcp);
    REQUIRE(node.observed.tcp->attempts.size() == 1);
    CHECK(node.observed.tcp->attempts.front().address == addresses[i]);
  }
  CHECK_THAT(parent.nodes[1].observed.upgrade->request,
             Catch::Contains("\r\nHost: lb.test:" + std::to_string(up.port()) + "\r\n"));

  CHECK(parent.verdict.status == VerdictStatus::fail);
  CHECK(parent.verdict.cause == "lb_node_partial_failure");
  CHECK(parent.verdict.stage == Stage::tcp);
  CHECK(parent.verdict.hop == std::string("load balancer nodes"));
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("1 of 3 nodes fail: 127.0.0.4 (tcp, tcp_refused)"));
  REQUIRE_FALSE(parent.findings.empty());
  const auto& evidence = parent.findings.front().evidence;
  CHECK_THAT(evidence.front(), Catch::StartsWith("127.0.0.4: tcp failed, tcp_refused (127.0.0.4:"));

  const auto table = render_node_table(parent, false);
  CHECK_THAT(table, Catch::StartsWith("  nodes: 3 (2 pass, 1 fail)\n"));
  CHECK_THAT(table, Catch::Contains("127.0.0.2"));
  CHECK_THAT(table, Catch::Contains("tcp_refused"));
  CHECK(table.find('\x1b') == std::string::npos);
}

TEST_CASE("all-addresses: every node echoes: pass", "[nodes]") {
  test::DnsResponder dns;
  dns.answer("lb.test", {"127.0.0.2", "127.0.0.3"}, {});
  LbNodes up({"127.0.0.2", "127.0.0.3"});
  const auto parent = probe_all(lb_options(dns, up.port()));
  INFO(describe_nodes(parent));
  CHECK(node_causes(parent) == std::vector<std::string>{"ok", "ok"});
  CHECK(parent.verdict.status == VerdictStatus::pass);
  CHECK(parent.verdict.summary == "Every stage passed on all 2 nodes.");
  for (const auto& node : parent.nodes) CHECK(test::stage_of(node, Stage::echo).status == StageStatus::ok);
}

TEST_CASE("all-addresses: every node refuses: tcp_refused for all", "[nodes]") {
  test::DnsResponder dns;
  dns.answer("lb.test", {"127.0.0.4", "127.0.0.5"}, {});
  LbNodes elsewhere({"127.0.0.2"});  // holds the port; nothing listens on .4 or .5
  const auto parent = probe_all(lb_options(dns, elsewhere.port()));
  INFO(describe_nodes(parent));
  CHECK(node_causes(parent) == std::vector<std::string>{"tcp_refused", "tcp_refused"});
  CHECK(parent.verdict.cause == "tcp_refused");
  CHECK_THAT(parent.verdict.summary, Catch::StartsWith("All 2 nodes fail alike: "));
}

TEST_CASE("all-addresses: the name does not resolve: the parent fails at dns, no nodes", "[nodes]") {
  test::DnsResponder dns;
  dns.nxdomain("lb.test");
  const auto parent = probe_all(lb_options(dns, 80));
  INFO(describe_nodes(parent));
  CHECK(parent.nodes.empty());
  CHECK(parent.verdict.cause == "dns_nxdomain");
  CHECK(parent.verdict.stage == Stage::dns);
  CHECK(parent.stages.at(2).detail == "after the failure at dns");
}

}  // namespace wsprobe

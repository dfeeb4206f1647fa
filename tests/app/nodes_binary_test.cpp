// `wsprobe --all-addresses` as a user runs it: a name that resolves (through --dns-server) to three
// loopback addresses, two of them echo servers at one port and the third refusing.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "probe/lab/echo_server.hpp"
#include "support/dns_responder.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;

lab::EchoServerOptions listen_on(const std::string& address, std::uint16_t port = 0) {
  lab::EchoServerOptions options;
  options.address = address;
  options.port = port;
  return options;
}

struct Lab {
  test::DnsResponder dns;
  lab::EchoServer first{listen_on("127.0.0.2")};
  lab::EchoServer second{listen_on("127.0.0.3", first.port())};
  Lab() { dns.answer("lb.test", {"127.0.0.2", "127.0.0.3", "127.0.0.4"}, {}); }

  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> out{"--all-addresses",   "--dns-server", dns.server(), "--timeout", "20s",
                                 "--connect-timeout", "3s",           "--count",    "2"};
    out.insert(out.end(), extra.begin(), extra.end());
    out.push_back("ws://lb.test:" + std::to_string(first.port()) + "/echo");
    return out;
  }
};

}  // namespace

TEST_CASE("wsprobe --all-addresses --json: exit 1, lb_node_partial_failure, one result per node", "[nodes][binary]") {
  Lab lab;
  const auto run = test::run_wsprobe(lab.args({"--json"}));
  INFO(run.describe());
  CHECK(run.exit_code == 1);
  const auto report = testing::parse_valid_report(run.out);
  REQUIRE(report["results"].size() == 1);
  const auto& parent = report["results"][0];
  CHECK(parent["verdict"]["status"] == "fail");
  CHECK(parent["verdict"]["cause"] == "lb_node_partial_failure");
  CHECK(parent["verdict"]["summary"].get<std::string>().starts_with("1 of 3 nodes fail: 127.0.0.4 (tcp, tcp_refused)"));
  REQUIRE(parent["nodes"].size() == 3);
  CHECK(parent["nodes"][0]["verdict"]["cause"] == "ok");
  CHECK(parent["nodes"][1]["verdict"]["cause"] == "ok");
  CHECK(parent["nodes"][2]["verdict"]["cause"] == "tcp_refused");
}

TEST_CASE("wsprobe --all-addresses: the human report shows the node table", "[nodes][binary]") {
  Lab lab;
  const auto run = test::run_wsprobe(lab.args({"--no-color"}));
  INFO(run.describe());
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("nodes: 3 (2 pass, 1 fail)"));
  CHECK_THAT(run.out, Catch::Contains("127.0.0.4"));
  CHECK_THAT(run.out, Catch::Contains("lb_node_partial_failure"));
}

}  // namespace wsprobe

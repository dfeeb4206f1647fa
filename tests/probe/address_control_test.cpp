// Address control: --connect-to (curl's semantics), -4 / -6, and the pinned address of an
// --all-addresses node, against real c-ares, the loopback DNS responder and the lab echo server.
#include <catch2/catch.hpp>

#include "probe/lab/echo_server.hpp"
#include "probe/resolve.hpp"
#include "support/dns_responder.hpp"
#include "support/probe_helpers.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::DnsResponder;
using test::probe_options;
using test::run_dns_stage;
using test::stage_of;

std::vector<std::string> texts(const std::vector<net::ip::address>& addresses) {
  std::vector<std::string> out;
  for (const auto& address : addresses) out.push_back(address.to_string());
  return out;
}

}  // namespace

TEST_CASE("connect-to: HOST2 is resolved, PORT2 connected to; Host stays the URL's", "[address]") {
  DnsResponder dns;
  dns.answer("node.test", {"127.0.0.1"}, {});
  lab::EchoServer server;
  auto options = probe_options("ws://a.example:1/echo");
  options.dns_server = dns.server();
  options.connect_to.push_back({"a.example", 1, "node.test", server.port()});

  const auto run = test::probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  REQUIRE(run.result.observed.dns);
  const auto& resolved = *run.result.observed.dns;
  CHECK(resolved.query_name == "node.test");
  CHECK(resolved.source == "dns");
  CHECK(resolved.connect_to == "a.example:1 -> node.test:" + std::to_string(server.port()));
  REQUIRE(run.result.observed.tcp);
  CHECK(run.result.observed.tcp->remote_endpoint == "127.0.0.1:" + std::to_string(server.port()));
  REQUIRE(run.result.observed.upgrade);
  CHECK_THAT(run.result.observed.upgrade->request, Catch::Contains("\r\nHost: a.example:1\r\n"));
  test::require_valid_report(run.result);
}

TEST_CASE("connect-to: the first matching entry wins, an empty HOST or PORT matches any", "[address]") {
  auto options = probe_options("wss://a.example:443/");
  options.connect_to = {
      {"other.example", std::nullopt, "192.0.2.1", 1},  // another host: no match
      {"a.example", 8443, "192.0.2.2", 2},              // another port: no match
      {"", std::nullopt, "127.0.0.7", 9443},            // any host, any port: this one
      {"", std::nullopt, "127.0.0.8", 9444},            // a later match: ignored
  };
  ProbeContext context(options, Clock::now());
  CHECK(context.connect_port == 9443);
  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::ok);
  const auto& dns = *context.observed.dns;
  CHECK(dns.source == "literal");
  CHECK(dns.query_name == "127.0.0.7");
  CHECK(dns.connect_to == std::string("a.example:443 -> 127.0.0.7:9443"));
  CHECK(texts(context.addresses) == std::vector<std::string>{"127.0.0.7"});
  CHECK(context.connect_port == 9443);
}

TEST_CASE("connect-to with empty HOST2: the name stays, --resolve for HOST2:PORT2 applies", "[address]") {
  lab::EchoServer server;
  auto options = probe_options("ws://a.example:1/echo");
  options.connect_to.push_back({"a.example", std::nullopt, "", server.port()});
  options.resolve.push_back({"a.example", 1, "127.0.0.9"});  // for the URL's port: no longer asked for
  options.resolve.push_back({"a.example", server.port(), "127.0.0.1"});
  const auto run = test::probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  const auto& dns = *run.result.observed.dns;
  CHECK(dns.source == "override");
  CHECK(dns.query_name == "a.example");
  CHECK(dns.addresses == std::vector<std::string>{"127.0.0.1"});
  CHECK(dns.connect_to == "a.example:1 -> a.example:" + std::to_string(server.port()));
}

TEST_CASE("without --connect-to the tcp stage connects to the URL's port", "[address]") {
  auto options = probe_options("ws://a.example:8080/");
  options.connect_to.push_back({"b.example", std::nullopt, "127.0.0.1", 9});
  ProbeContext context(options, Clock::now());
  CHECK(context.connect_port == 8080);
  options.resolve.push_back({"a.example", 8080, "127.0.0.1"});
  ProbeContext again(options, Clock::now());
  CHECK(run_dns_stage(again).status == StageStatus::ok);
  CHECK_FALSE(again.observed.dns->connect_to);
  CHECK(again.connect_port == 8080);
}

TEST_CASE("family -4 / -6: only that family is asked and kept", "[address]") {
  DnsResponder dns;
  dns.answer("both.test", {"127.0.0.5"}, {"::1"});
  dns.answer("v4only.test", {"127.0.0.5"}, {});
  auto options = probe_options("ws://both.test:80/");
  options.dns_server = dns.server();

  SECTION("-4 over DNS") {
    options.family = AddressFamily::v4;
    ProbeContext context(options, Clock::now());
    CHECK(run_dns_stage(context).status == StageStatus::ok);
    CHECK(context.observed.dns->family == "ipv4");
    CHECK(context.observed.dns->addresses == std::vector<std::string>{"127.0.0.5"});
  }
  SECTION("-6 over DNS") {
    options.family = AddressFamily::v6;
    ProbeContext context(options, Clock::now());
    CHECK(run_dns_stage(context).status == StageStatus::ok);
    CHECK(context.observed.dns->family == "ipv6");
    CHECK(context.observed.dns->addresses == std::vector<std::string>{"::1"});
  }
  SECTION("-6 and a name with only an A record: dns_no_address saying why") {
    options.target.host = "v4only.test";
    options.family = AddressFamily::v6;
    ProbeContext context(options, Clock::now());
    const auto result = run_dns_stage(context);
    CHECK(result.status == StageStatus::failed);
    CHECK(result.condition == Condition::dns_no_address);
    CHECK_THAT(result.detail, Catch::Contains("(IPv6 only: -6)"));
  }
  SECTION("-4 and an IPv6 literal: dns_no_address") {
    auto literal = probe_options("ws://[::1]:80/");
    literal.family = AddressFamily::v4;
    ProbeContext context(literal, Clock::now());
    const auto result = run_dns_stage(context);
    CHECK(result.status == StageStatus::failed);
    CHECK(result.condition == Condition::dns_no_address);
    CHECK(result.detail == "::1 has no IPv4 address (-4): only ::1");
    CHECK(context.addresses.empty());
  }
  SECTION("-6 and --resolve addresses of IPv4 only: dns_no_address") {
    options.family = AddressFamily::v6;
    options.resolve.push_back({"both.test", 80, "127.0.0.1"});
    options.resolve.push_back({"both.test", 80, "127.0.0.2"});
    ProbeContext context(options, Clock::now());
    const auto result = run_dns_stage(context);
    CHECK(result.condition == Condition::dns_no_address);
    CHECK(result.detail == "both.test has no IPv6 address (-6): only 127.0.0.1, 127.0.0.2");
    CHECK(dns.queries_received() == 0);
  }
  SECTION("-6 keeps the IPv6 one of mixed --resolve addresses") {
    options.family = AddressFamily::v6;
    options.resolve.push_back({"both.test", 80, "127.0.0.1"});
    options.resolve.push_back({"both.test", 80, "[::1]"});
    ProbeContext context(options, Clock::now());
    CHECK(run_dns_stage(context).status == StageStatus::ok);
    CHECK(texts(context.addresses) == std::vector<std::string>{"::1"});
  }
}

TEST_CASE("a pinned address: DNS runs as evidence, the node connects to its own address", "[address]") {
  DnsResponder dns;
  dns.answer("lb.test", {"127.0.0.2", "127.0.0.3"}, {});
  auto options = probe_options("ws://lb.test:80/");
  options.dns_server = dns.server();

  SECTION("among the answers") {
    options.pinned_address = "127.0.0.3";
    ProbeContext context(options, Clock::now());
    const auto result = run_dns_stage(context);
    CHECK(result.status == StageStatus::ok);
    CHECK(result.detail.empty());
    CHECK(context.observed.dns->addresses.size() == 2);
    CHECK(context.observed.dns->pinned_address == std::string("127.0.0.3"));
    CHECK(texts(context.addresses) == std::vector<std::string>{"127.0.0.3"});
  }
  SECTION("no longer returned: still used, and said") {
    options.pinned_address = "127.0.0.4";
    ProbeContext context(options, Clock::now());
    const auto result = run_dns_stage(context);
    CHECK(result.status == StageStatus::ok);
    CHECK(result.detail == "pinned to 127.0.0.4, which this lookup no longer returns");
    CHECK(texts(context.addresses) == std::vector<std::string>{"127.0.0.4"});
  }
  SECTION("the lookup fails: still used") {
    dns.servfail("lb.test");
    options.pinned_address = "127.0.0.2";
    ProbeContext context(options, Clock::now());
    const auto result = run_dns_stage(context);
    CHECK(result.status == StageStatus::ok);
    CHECK_THAT(result.detail, Catch::StartsWith("pinned to 127.0.0.2, which this lookup no longer returns (resolving"));
    CHECK(texts(context.addresses) == std::vector<std::string>{"127.0.0.2"});
  }
}

}  // namespace wsprobe

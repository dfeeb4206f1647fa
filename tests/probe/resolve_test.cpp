// The dns stage against real c-ares and a canned loopback DNS server.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "probe/resolve.hpp"
#include "support/dns_responder.hpp"
#include "support/probe_helpers.hpp"

using namespace wsprobe;
using namespace std::chrono_literals;
using wsprobe::test::DnsResponder;
using wsprobe::test::run_dns_stage;

namespace {

ProbeOptions dns_options(const std::string& host, const DnsResponder& responder,
                         std::chrono::milliseconds budget = 3000ms) {
  ProbeOptions options;
  options.target.host = host;
  options.target.port = 443;
  options.target.secure = true;
  options.dns_server = responder.server();
  options.budgets.dns = budget;
  return options;
}

// The dns stage into `result`, and when it ended into `finished`. Named, by-value coroutine
// (style.md: no capturing lambdas in co_spawn).
net::awaitable<void> timed_dns_into(ProbeContext* context, std::optional<StageResult>* result,
                                    Clock::time_point* finished) {
  *result = co_await run_dns(*context);
  *finished = Clock::now();
}

// Whether `needles` appear in `haystack` in the same relative order.
bool in_order(const std::vector<std::string>& haystack, const std::vector<std::string>& needles) {
  auto at = haystack.begin();
  for (const auto& needle : needles) {
    at = std::find(at, haystack.end(), needle);
    if (at == haystack.end()) return false;
    ++at;
  }
  return true;
}

}  // namespace

TEST_CASE("dns records every A and AAAA answer", "[dns]") {
  DnsResponder responder;
  responder.answer("both.test", {"127.0.0.5", "127.0.0.6"}, {"::1", "2001:db8::7"});
  const auto options = dns_options("both.test", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.stage == Stage::dns);
  CHECK(result.status == StageStatus::ok);
  CHECK(result.condition == Condition::none);
  REQUIRE(context.observed.dns);
  const auto& dns = *context.observed.dns;
  CHECK(dns.source == "dns");
  CHECK(dns.query_name == "both.test");
  CHECK(dns.server == responder.server());
  CHECK(dns.cname_chain.empty());
  CHECK_FALSE(dns.resolver_error);
  REQUIRE(dns.addresses.size() == 4);
  // c-ares orders the merged A and AAAA answers by RFC 6724 (as getaddrinfo does), which may put
  // either family first; within a family the answer order stands.
  CHECK(in_order(dns.addresses, {"127.0.0.5", "127.0.0.6"}));
  CHECK(in_order(dns.addresses, {"::1", "2001:db8::7"}));
  REQUIRE(context.addresses.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(context.addresses[i].to_string() == dns.addresses[i]);
}

TEST_CASE("dns records the CNAME chain, ending with the canonical name", "[dns]") {
  DnsResponder responder;
  responder.cname("www.example.test", {"edge.cdn.test", "lb-7.cdn.test"}, {"127.0.0.9"}, {});
  const auto options = dns_options("www.example.test", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::ok);
  const auto& dns = *context.observed.dns;
  CHECK(dns.cname_chain == std::vector<std::string>{"www.example.test", "edge.cdn.test", "lb-7.cdn.test"});
  CHECK(dns.addresses == std::vector<std::string>{"127.0.0.9"});
}

TEST_CASE("dns maps NXDOMAIN to dns_nxdomain", "[dns]") {
  DnsResponder responder;
  responder.nxdomain("missing.test");
  const auto options = dns_options("missing.test", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::dns_nxdomain);
  CHECK_THAT(result.detail, Catch::Contains("missing.test"));
  REQUIRE(context.observed.dns->resolver_error);
  CHECK_THAT(result.detail, Catch::Contains(*context.observed.dns->resolver_error));
  CHECK(context.addresses.empty());
}

TEST_CASE("dns maps NODATA (NOERROR, no A or AAAA) to dns_no_address", "[dns]") {
  DnsResponder responder;
  responder.nodata("mail-only.test");
  const auto options = dns_options("mail-only.test", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::dns_no_address);
  CHECK(context.observed.dns->resolver_error);
  CHECK(context.addresses.empty());
}

TEST_CASE("dns maps SERVFAIL to dns_failure", "[dns]") {
  DnsResponder responder;
  responder.servfail("broken.test");
  const auto options = dns_options("broken.test", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::dns_failure);
  // The rcode's own words, not c-ares' "Could not contact DNS servers".
  REQUIRE(context.observed.dns->resolver_error);
  CHECK_THAT(*context.observed.dns->resolver_error, Catch::Contains("general failure"));
}

TEST_CASE("dns maps REFUSED to dns_failure", "[dns]") {
  DnsResponder responder;
  responder.refused("closed-resolver.test");
  const auto options = dns_options("closed-resolver.test", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::dns_failure);
  REQUIRE(context.observed.dns->resolver_error);
  CHECK_THAT(*context.observed.dns->resolver_error, Catch::Contains("refused"));
}

TEST_CASE("dns gives dns_timeout at the budget when the server is silent", "[dns]") {
  DnsResponder responder;
  responder.silent("slow.test");
  const auto options = dns_options("slow.test", responder, 300ms);
  ProbeContext context(options, Clock::now());

  const auto began = Clock::now();
  const auto result = run_dns_stage(context);
  const auto took = Clock::now() - began;
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::dns_timeout);
  CHECK(context.observed.dns->resolver_error);
  CHECK(responder.queries_received() >= 1);
  CHECK(took >= 300ms);
  CHECK(took < 5s);
  CHECK(result.duration >= 300ms);
}

TEST_CASE("dns does not block the io_context while it waits", "[dns]") {
  DnsResponder responder;
  responder.silent("slow.test");
  responder.answer("fast.test", {"127.0.0.3"}, {});
  const auto slow_options = dns_options("slow.test", responder, 1000ms);
  const auto fast_options = dns_options("fast.test", responder);
  ProbeContext slow(slow_options, Clock::now());
  ProbeContext fast(fast_options, Clock::now());

  std::optional<StageResult> slow_result, fast_result;
  Clock::time_point slow_done, fast_done;
  const auto began = Clock::now();
  {
    net::io_context ioc;
    net::co_spawn(ioc, timed_dns_into(&slow, &slow_result, &slow_done), net::detached);
    net::co_spawn(ioc, timed_dns_into(&fast, &fast_result, &fast_done), net::detached);
    ioc.run_for(10s);
  }
  REQUIRE(slow_result);
  REQUIRE(fast_result);
  CHECK(fast_result->status == StageStatus::ok);
  CHECK(slow_result->condition == Condition::dns_timeout);
  CHECK(fast_done < slow_done);
  CHECK(fast_done - began < 900ms);
}

TEST_CASE("dns skips the query for an IP literal", "[dns]") {
  DnsResponder responder;
  auto options = dns_options("::1", responder);
  options.target.host_is_ip_literal = true;
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::ok);
  CHECK(context.observed.dns->source == "literal");
  CHECK(context.observed.dns->addresses == std::vector<std::string>{"::1"});
  CHECK_FALSE(context.observed.dns->server);
  REQUIRE(context.addresses.size() == 1);
  CHECK(context.addresses[0] == net::ip::make_address("::1"));
  CHECK(responder.queries_received() == 0);
}

TEST_CASE("dns takes --resolve entries for the host and port, in order", "[dns]") {
  DnsResponder responder;
  responder.answer("api.example.test", {"127.0.0.99"}, {});
  auto options = dns_options("api.example.test", responder);
  options.resolve = {{"API.Example.TEST", 443, "127.0.0.7"},
                     {"api.example.test", 80, "127.0.0.8"},  // another port: ignored
                     {"other.test", 443, "127.0.0.10"},      // another host: ignored
                     {"api.example.test", 443, "[::1]"}};
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::ok);
  CHECK(context.observed.dns->source == "override");
  CHECK(context.observed.dns->addresses == std::vector<std::string>{"127.0.0.7", "::1"});
  CHECK(context.addresses.size() == 2);
  CHECK(responder.queries_received() == 0);
}

TEST_CASE("dns resolves localhost from the hosts file", "[dns]") {
  DnsResponder responder;  // answers NXDOMAIN should c-ares ever ask it
  const auto options = dns_options("localhost", responder);
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::ok);
  REQUIRE_FALSE(context.addresses.empty());
  for (const auto& address : context.addresses) CHECK(address.is_loopback());
  CHECK(responder.queries_received() == 0);
}

TEST_CASE("dns reports a --dns-server it cannot use as dns_failure", "[dns]") {
  DnsResponder responder;
  auto options = dns_options("anything.test", responder);
  options.dns_server = "not an address";
  ProbeContext context(options, Clock::now());

  const auto result = run_dns_stage(context);
  CHECK(result.status == StageStatus::failed);
  CHECK(result.condition == Condition::dns_failure);
  CHECK_THAT(result.detail, Catch::Contains("not an address"));
}

// --proxy-protocol v1|v2: the tcp stage sends the PROXY header first, as an NLB with proxy protocol
// would; a PROXY-requiring listener then passes the probe through, and a target that does not parse
// PROXY headers is diagnosed as such.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "checks/followup_plan.hpp"
#include "checks/verdict.hpp"
#include "probe/connect.hpp"
#include "probe/followups.hpp"
#include "probe/lab/echo_server.hpp"
#include "probe/pipeline.hpp"
#include "support/canned_peer.hpp"
#include "support/l7_topology.hpp"
#include "support/probe_helpers.hpp"
#include "support/topology.hpp"
#include "wire/hex.hpp"
#include "wire/proxy_protocol.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::probe_options;
using test::stage_of;
using test::ws_loopback;

struct Followed {
  TargetResult result;
  std::vector<FollowUpKind> planned;
};

// What app/run.cpp does for one target: probe, follow-ups, diagnosis. Each part stops at its own
// budgets (probe_options: 2 s a stage, 20 s in all).
Followed probe_as_the_cli(const ProbeOptions& options) {
  Followed run;
  run.result = run_probe(options);
  run.planned = plan_followups(run.result);
  run.result.followups = run_followups(options, run.result, run.planned);
  diagnose(run.result);
  test::require_valid_report(run.result);
  return run;
}

std::string port_of(const std::string& endpoint) { return endpoint.substr(endpoint.rfind(':') + 1); }

}  // namespace

TEST_CASE("PROXY-requiring listener without --proxy-protocol: proxy_protocol_missing", "[proxy_protocol]") {
  lab::EchoServer backend;
  test::ProxyProtocolGate gate(backend.port());
  const auto run = probe_as_the_cli(ws_loopback(gate.port()));
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "proxy_protocol_missing");
  REQUIRE(run.result.observed.tcp);
  CHECK_FALSE(run.result.observed.tcp->proxy_protocol_version);
  CHECK_FALSE(run.result.observed.tcp->proxy_protocol_header_hex);
}

TEST_CASE("proxy-protocol v1 passes a PROXY-requiring listener: 101 and echo", "[proxy_protocol]") {
  lab::EchoServer backend;
  test::ProxyProtocolGate gate(backend.port());
  auto options = ws_loopback(gate.port());
  options.proxy_protocol = ProxyProtocolVersion::v1;
  const auto run = probe_as_the_cli(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  CHECK(run.planned.empty());
  CHECK(stage_of(run.result, Stage::tcp).status == StageStatus::ok);
  CHECK(stage_of(run.result, Stage::echo).status == StageStatus::ok);
  REQUIRE(run.result.observed.upgrade);
  CHECK(run.result.observed.upgrade->status_code == 101);
  CHECK(backend.messages_received() >= 1);

  REQUIRE(run.result.observed.tcp);
  const auto& tcp = *run.result.observed.tcp;
  CHECK(tcp.proxy_protocol_version == std::string("v1"));
  REQUIRE(tcp.local_endpoint);
  // Spec §2.1: source = us, destination = the address and port we connected to.
  const std::string expected = "PROXY TCP4 127.0.0.1 127.0.0.1 " + port_of(*tcp.local_endpoint) + " " +
                               std::to_string(gate.port());
  const auto headers = gate.headers();
  REQUIRE(headers.size() == 1);
  CHECK(headers.front() == expected);
  CHECK(tcp.proxy_protocol_header_hex == to_hex(expected + "\r\n", 200));
}

TEST_CASE("proxy-protocol v2 passes a PROXY-requiring listener: 101 and echo", "[proxy_protocol]") {
  lab::EchoServer backend;
  test::ProxyProtocolGate gate(backend.port());
  auto options = ws_loopback(gate.port());
  options.proxy_protocol = ProxyProtocolVersion::v2;
  const auto run = probe_as_the_cli(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  CHECK(stage_of(run.result, Stage::echo).status == StageStatus::ok);
  REQUIRE(run.result.observed.tcp);
  const auto& tcp = *run.result.observed.tcp;
  CHECK(tcp.proxy_protocol_version == std::string("v2"));
  REQUIRE(tcp.proxy_protocol_header_hex);
  // Signature, PROXY command over TCP/IPv4, 12 address bytes: 127.0.0.1 -> 127.0.0.1.
  CHECK(tcp.proxy_protocol_header_hex->starts_with("0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a 21 11 00 0c 7f 00 00 01 7f 00 00 01"));
  const auto headers = gate.headers();
  REQUIRE(headers.size() == 1);
  CHECK(headers.front() == *tcp.proxy_protocol_header_hex);
}

TEST_CASE("proxy-protocol to a server that does not parse it: proxy_protocol_unexpected naming the flag",
          "[proxy_protocol]") {
  test::StrictHttpServer server;
  auto options = ws_loopback(server.port());
  options.proxy_protocol = ProxyProtocolVersion::v1;
  const auto run = probe_as_the_cli(options);
  INFO(describe(run.result));
  CHECK(run.planned == std::vector<FollowUpKind>{FollowUpKind::plain_get});
  // The follow-up's connection sent the header too, as the main probe's did.
  CHECK(server.statuses() == std::vector<int>{400, 400});
  REQUIRE(run.result.verdict.cause == "proxy_protocol_unexpected");
  const auto* finding = test::find_finding(run.result, "proxy_protocol_unexpected");
  REQUIRE(finding);
  CHECK(finding->confidence == Confidence::likely);
  CHECK_THAT(finding->summary, Catch::Contains("--proxy-protocol"));
  CHECK_THAT(finding->fix, Catch::Contains("without --proxy-protocol"));
}

TEST_CASE("proxy-protocol sent and the target still says nothing: no second header as a follow-up",
          "[proxy_protocol]") {
  test::CannedPeer peer(test::CannedScript::answer_any(""));
  auto options = ws_loopback(peer.port());
  options.proxy_protocol = ProxyProtocolVersion::v2;
  const auto run = probe_as_the_cli(options);
  INFO(describe(run.result));
  CHECK(stage_of(run.result, Stage::upgrade).status == StageStatus::failed);
  CHECK(run.planned == std::vector<FollowUpKind>{FollowUpKind::tls_on_plain_port});
  CHECK(run.result.verdict.cause != "proxy_protocol_missing");
  REQUIRE(peer.wait_for_connections(1, 2s));
  CHECK(peer.received().at(0).starts_with(std::string(kProxyV2Signature)));
}

namespace {

// Stands a connection to `port` as the proxy stage would leave a tunnel, then runs the tcp stage.
net::awaitable<void> tunnel_then_tcp(ProbeContext* context, std::uint16_t port, std::optional<StageResult>* out) {
  beast::tcp_stream stream(co_await net::this_coro::executor);
  const auto [ec] = co_await stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), use_nothrow);
  if (ec) co_return;
  context->tcp.emplace(std::move(stream));
  *out = co_await run_tcp(*context);
}

}  // namespace

TEST_CASE("tcp over a tunnel the proxy stage opened: no connect, via_proxy, the PROXY header still sent",
          "[proxy_protocol]") {
  test::CannedPeer peer(test::CannedScript::answer_any("", test::Then::hold));
  auto options = probe_options("ws://echo.test:8080/");
  options.proxy_protocol = ProxyProtocolVersion::v1;
  ProbeContext context(options, Clock::now());
  auto& proxy = context.observed.proxy.emplace();
  proxy.tunnel_target = "192.0.2.10:8080";

  std::optional<StageResult> result;
  bool stream_left = false;
  {
    net::io_context ioc;
    net::co_spawn(ioc, tunnel_then_tcp(&context, peer.port(), &result), net::detached);
    ioc.run_for(5s);
    // The stream belongs to this io_context: release it before the io_context goes (ASan).
    stream_left = context.tcp.has_value();
    context.tcp.reset();
  }
  REQUIRE(result);
  CHECK(result->status == StageStatus::ok);
  CHECK(result->detail == "tunnelled through the proxy");
  REQUIRE(context.observed.tcp);
  const auto& tcp = *context.observed.tcp;
  CHECK(tcp.via_proxy);
  CHECK(tcp.attempts.empty());
  CHECK(tcp.remote_endpoint == std::string("192.0.2.10:8080"));
  REQUIRE(tcp.local_endpoint);
  CHECK(tcp.proxy_protocol_version == std::string("v1"));
  REQUIRE(peer.wait_for_received(1, 2s));
  // The destination is the target the tunnel reaches, not the proxy.
  CHECK(peer.received().at(0) == "PROXY TCP4 127.0.0.1 192.0.2.10 " + port_of(*tcp.local_endpoint) + " 8080\r\n");
  CHECK(stream_left);  // the tunnel stays for the next stage
}

}  // namespace wsprobe

// The run's interruption (issue 11) at each place a probe waits: a resolver that never answers, a
// TLS handshake, an upgrade and a ping that never get an answer, a hold. Interrupted 300 ms in, each probe
// ends at once (not at its 10 s budget), the waiting stage says it was interrupted (not the
// peer's timeout), the later stages did not run, and the verdict blames nobody.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "checks/verdict.hpp"
#include "model/interruption.hpp"
#include "probe/pipeline.hpp"
#include "support/probe_helpers.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;

// A loopback socket of `type` that takes connections (TCP: the kernel's backlog) or datagrams and
// never answers a byte.
class MutePort {
 public:
  explicit MutePort(int type) : fd_(::socket(AF_INET, type, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    if (type == SOCK_STREAM) REQUIRE(::listen(fd_, 8) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~MutePort() { ::close(fd_); }
  MutePort(const MutePort&) = delete;
  MutePort& operator=(const MutePort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

struct InterruptedRun {
  TargetResult result;
  std::chrono::milliseconds elapsed{};
};

// Probes with `options` on one io_context and interrupts the run `after` in, by SIGTERM's name.
InterruptedRun probe_interrupted(ProbeOptions options, std::chrono::milliseconds after) {
  auto interruption = std::make_shared<Interruption>();
  options.interruption = interruption;
  if (after == 0ms) interruption->interrupt("SIGTERM");  // before anything runs
  net::io_context ioc;
  net::steady_timer timer(ioc, after);
  timer.async_wait([interruption](error_code ec) {
    if (!ec) interruption->interrupt("SIGTERM");
  });
  InterruptedRun run;
  const auto started = Clock::now();
  net::co_spawn(ioc, probe_target(std::move(options)), [&run, &timer](std::exception_ptr e, TargetResult result) {
    timer.cancel();
    if (e) std::rethrow_exception(e);
    run.result = std::move(result);
  });
  ioc.run_for(30s);  // bounded: a probe the interruption did not end fails the elapsed check
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  diagnose(run.result);
  return run;
}

void check_stopped_at(const InterruptedRun& run, Stage stage) {
  INFO(test::describe(run.result));
  CHECK(run.elapsed < 3s);  // every budget is 10 s
  const auto& stopped = test::stage_of(run.result, stage);
  CHECK(stopped.status == StageStatus::failed);
  CHECK(stopped.condition == Condition::interrupted);
  // The stage started after wsprobe's own setup (a trust store, under a sanitizer slowly): up to 0.3 s in.
  CHECK_THAT(stopped.detail, Catch::Matches("interrupted by SIGTERM 0\\.[0-4] s into the stage"));
  CHECK(test::stage_of(run.result, Stage::close).detail == "not run: interrupted by SIGTERM");
  CHECK(run.result.interrupted == "SIGTERM");
  CHECK(run.result.verdict.cause == "run_interrupted");
  CHECK(run.result.verdict.stage == stage);
  CHECK(run.result.findings.size() == 1);  // no finding about the peer
  test::require_valid_report(run.result);
}

TEST_CASE("interrupted while the resolver never answers: the dns stage stops at once", "[interrupt][probe]") {
  MutePort resolver(SOCK_DGRAM);
  auto options = test::probe_options("ws://never-answered.test/", 10s);
  options.budgets.total = 10s;
  options.dns_server = "127.0.0.1:" + std::to_string(resolver.port());
  check_stopped_at(probe_interrupted(options, 300ms), Stage::dns);
}

TEST_CASE("interrupted while a TLS handshake or an upgrade gets no answer", "[interrupt][probe]") {
  MutePort server(SOCK_STREAM);
  const auto port = std::to_string(server.port());
  SECTION("tls") {
    auto options = test::probe_options("wss://127.0.0.1:" + port + "/", 10s);
    check_stopped_at(probe_interrupted(options, 300ms), Stage::tls);
  }
  SECTION("upgrade") {
    auto options = test::probe_options("ws://127.0.0.1:" + port + "/", 10s);
    check_stopped_at(probe_interrupted(options, 300ms), Stage::upgrade);
  }
}

TEST_CASE("interrupted while a ping waits for its pong: the echo stage stops at once", "[interrupt][probe]") {
  test::WsScript script;
  script.answer_pings = false;
  test::WsScriptPeer peer(script);
  auto options = test::probe_options("ws://127.0.0.1:" + std::to_string(peer.port()) + "/", 10s);
  check_stopped_at(probe_interrupted(options, 300ms), Stage::echo);
}

TEST_CASE("interrupted during a hold: the hold reports the time it held, no cut of the path", "[interrupt][probe]") {
  test::WsScriptPeer peer(test::WsScript{});
  auto options = test::probe_options("ws://127.0.0.1:" + std::to_string(peer.port()) + "/", 10s);
  options.count = 1;
  options.hold = 60s;
  options.hold_ping = 100ms;
  const auto run = probe_interrupted(options, 700ms);
  INFO(test::describe(run.result));
  CHECK(run.elapsed < 3s);
  const auto& hold = test::stage_of(run.result, Stage::hold);
  CHECK(hold.condition == Condition::interrupted);
  REQUIRE(run.result.observed.hold);
  CHECK(run.result.observed.hold->held > 200ms);
  CHECK(run.result.observed.hold->held < 1s);
  CHECK_FALSE(run.result.observed.hold->end);
  CHECK(run.result.observed.hold->closed_by.empty());
  CHECK_FALSE(run.result.observed.connection_end);
  CHECK(run.result.verdict.cause == "run_interrupted");
  // The hold's evidence says how far it got.
  REQUIRE_FALSE(run.result.findings.empty());
  const auto& evidence = run.result.findings.front().evidence;
  CHECK(std::any_of(evidence.begin(), evidence.end(),
                    [](const std::string& line) { return line.find("of the 60.0 s asked for") != std::string::npos; }));
}

TEST_CASE("an interruption before the probe starts: nothing connects, every stage not run", "[interrupt][probe]") {
  test::WsScriptPeer peer(test::WsScript{});
  auto options = test::probe_options("ws://127.0.0.1:" + std::to_string(peer.port()) + "/", 10s);
  const auto run = probe_interrupted(options, 0ms);
  INFO(test::describe(run.result));
  CHECK(peer.stats().connections == 0);
  CHECK(run.result.interrupted == "SIGTERM");
  for (const auto& stage : run.result.stages) CHECK(stage.status == StageStatus::skipped);
  CHECK(run.result.verdict.status == VerdictStatus::fail);  // not a pass: nothing was checked
  CHECK(run.result.verdict.cause == "run_interrupted");
}

}  // namespace
}  // namespace wsprobe

// The request controls through the real executable: -H @FILE, --message @FILE, --expect, as a
// user types them, against servers started in this process.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/probe_helpers.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::contains;
using test::run_wsprobe;
using test::ws_url;

const std::vector<std::string> kRequestBudgets{"--timeout", "20s", "--connect-timeout", "3s",
                                               "--upgrade-timeout", "3s", "--echo-timeout", "2s", "--count", "2"};

std::vector<std::string> args_with_budgets(std::vector<std::string> args) {
  args.insert(args.begin(), kRequestBudgets.begin(), kRequestBudgets.end());
  return args;
}

std::string verdict_cause(const std::string& json) {
  const auto report = testing::parse_valid_report(json);
  REQUIRE(report["results"].size() == 1);
  return report["results"][0]["verdict"]["cause"].get<std::string>();
}

TEST_CASE("request controls: -H @FILE sends the file's headers along with --host and -A", "[cli][request]") {
  lab::TempDir dir;
  const auto headers = dir.write("headers.txt",
                                 "# tenant routing\r\n"
                                 "X-Tenant: blue\r\n"
                                 "\n"
                                 "X-Trace-Id: 42\n");
  test::WsScriptPeer peer(test::WsScript{});
  const auto run = run_wsprobe(args_with_budgets({"--no-color", "-H", "@" + headers.string(), "--host",
                                                  "echo.internal.example", "-A", "probe-ua/2", ws_url(peer.port())}));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  const auto request = peer.stats().last_request;
  INFO(request);
  CHECK(contains(request, "\r\nX-Tenant: blue\r\n"));
  CHECK(contains(request, "\r\nX-Trace-Id: 42\r\n"));
  CHECK_FALSE(contains(request, "tenant routing"));
  CHECK(contains(request, "\r\nHost: echo.internal.example\r\n"));
  CHECK(contains(request, "\r\nUser-Agent: probe-ua/2\r\n"));
}

TEST_CASE("request controls: --message @FILE with --expect: a matching echo passes - no match fails with echo_expect_failed",
          "[cli][request]") {
  lab::TempDir dir;
  const auto message = dir.write("message.json", R"({"op":"hello","id":7})");
  lab::EchoServer server;
  SECTION("matching") {
    const auto run = run_wsprobe(args_with_budgets(
        {"--json", "--message", "@" + message.string(), "--expect", R"("op":"hello")", ws_url(server.port())}));
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 0);
    CHECK(verdict_cause(run.out) == "ok");
  }
  SECTION("not matching") {
    const auto run = run_wsprobe(args_with_budgets(
        {"--json", "--message", "@" + message.string(), "--expect", R"("op":"bye")", ws_url(server.port())}));
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 1);
    CHECK(verdict_cause(run.out) == "echo_expect_failed");
    // The stage detail quotes the file's content as the server sent it back.
    CHECK(contains(run.out, R"(no reply matched --expect '\"op\":\"bye\"' (2 replies; last: '{\"op\":\"hello\",\"id\":7}'))"));
  }
}

TEST_CASE("request controls: --compress against a permessage-deflate lab server exits 0", "[cli][request]") {
  lab::EchoServerOptions options;
  options.deflate = true;
  lab::EchoServer server(options);
  const auto run = run_wsprobe(args_with_budgets({"--json", "--compress", "--size", "1K", ws_url(server.port())}));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  CHECK(verdict_cause(run.out) == "ok");
  CHECK(contains(run.out, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
}

}  // namespace
}  // namespace wsprobe

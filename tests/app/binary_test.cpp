// The real wsprobe executable, run as a user runs it: exit codes, stdout/stderr, the JSON report
// against its schema. Targets are lab servers and canned peers started in this process; every
// child is killed after a timeout (run_binary), so a hang fails the test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/canned_peer.hpp"
#include "support/probe_helpers.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::contains;
using test::occurrences;
using test::read_file;
using test::run_wsprobe;
using test::with_short_budgets;

// ---------------------------------------------------------------------------------------------
// wsprobe demo

TEST_CASE("wsprobe demo --no-color passes both targets, with no escape bytes", "[cli]") {
  const auto run = run_wsprobe({"demo", "--no-color"});
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  CHECK(occurrences(run.out, "verdict: PASS") == 2);
  CHECK(contains(run.out, "ws://127.0.0.1:"));
  CHECK(contains(run.out, "wss://localhost:"));
  CHECK_FALSE(contains(run.out, "\x1b"));
  CHECK_FALSE(contains(run.err, "\x1b"));
}

TEST_CASE("wsprobe demo --json prints a schema-valid report with two passing results", "[cli]") {
  const auto run = run_wsprobe({"demo", "--json"});
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  const auto report = testing::parse_valid_report(run.out);
  REQUIRE(report["results"].size() == 2);
  for (const auto& result : report["results"]) {
    CHECK(result["verdict"]["status"] == "pass");
    CHECK(result["verdict"]["cause"] == "ok");
  }
  CHECK(report["results"][0]["target"]["url"].get<std::string>().starts_with("ws://127.0.0.1:"));
  CHECK(report["results"][1]["target"]["url"].get<std::string>().starts_with("wss://localhost:"));
  CHECK(report["tool"]["name"] == "wsprobe");
  CHECK(report["tool"]["argv"] == nlohmann::json::array({"wsprobe", "demo", "--json"}));
}

TEST_CASE("wsprobe --json FILE demo writes the file and prints the human report", "[cli]") {
  lab::TempDir dir;
  const auto path = dir.path() / "report.json";
  const auto run = run_wsprobe({"--json", path.string(), "demo", "--no-color"});
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  CHECK(occurrences(run.out, "verdict: PASS") == 2);
  CHECK_FALSE(contains(run.out, "\"schema_version\""));
  REQUIRE(std::filesystem::exists(path));
  const auto report = testing::parse_valid_report(read_file(path));
  CHECK(report["results"].size() == 2);
}

TEST_CASE("wsprobe --json FILE in a missing directory exits 2 and says so", "[cli]") {
  lab::TempDir dir;
  const auto path = dir.path() / "no" / "such" / "dir" / "report.json";
  const auto run = run_wsprobe({"--json", path.string(), "demo"});
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 2);
  CHECK(contains(run.err, "cannot write"));
}

// ---------------------------------------------------------------------------------------------
// Exit codes against real targets

TEST_CASE("a refused port exits 1 and names tcp_refused", "[cli]") {
  test::RefusingPort closed;
  const auto url = "ws://127.0.0.1:" + std::to_string(closed.port()) + "/";
  SECTION("human report") {
    const auto run = run_wsprobe(with_short_budgets({"--no-color", url}));
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 1);
    CHECK(contains(run.out, "verdict: FAIL at tcp"));
    CHECK(contains(run.out, "tcp_refused"));
  }
  SECTION("JSON report") {
    const auto run = run_wsprobe(with_short_budgets({"--json", url}));
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 1);
    const auto report = testing::parse_valid_report(run.out);
    REQUIRE(report["results"].size() == 1);
    CHECK(report["results"][0]["verdict"]["status"] == "fail");
    CHECK(report["results"][0]["verdict"]["stage"] == "tcp");
    CHECK(report["results"][0]["verdict"]["cause"] == "tcp_refused");
  }
}

TEST_CASE("option -k against a lab TLS server exits 3 (degraded)", "[cli]") {
  test::TestPki pki;
  lab::EchoServerOptions options;
  options.tls = pki.leaf();
  lab::EchoServer server(std::move(options));
  const auto run = run_wsprobe(
      with_short_budgets({"-k", "--no-color", "wss://127.0.0.1:" + std::to_string(server.port()) + "/echo"}));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 3);
  CHECK(contains(run.out, "verdict: DEGRADED"));
  CHECK(contains(run.out, "tls_verification_disabled"));
}

TEST_CASE("the JSON report of a rejected upgrade redacts secrets from argv and the request", "[cli]") {
  test::CannedPeer peer(test::CannedScript::answer_http(
      "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nForbidden"));
  const auto url = "ws://127.0.0.1:" + std::to_string(peer.port()) + "/feed?access_token=t0k3n";
  const auto run = run_wsprobe(with_short_budgets({"--json", url, "-H", "Authorization: Bearer s3cret"}));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);
  const auto report = testing::parse_valid_report(run.out);
  CHECK(report["results"][0]["verdict"]["cause"] == "upgrade_rejected_auth");
  CHECK_FALSE(contains(run.out, "s3cret"));
  CHECK(contains(run.out, "Bearer REDACTED"));
  CHECK(report["results"][0]["target"]["url"] == "ws://127.0.0.1:" + std::to_string(peer.port()) +
                                                     "/feed?access_token=REDACTED");
  const auto request = report["results"][0]["stages"][4]["observed"]["request"].get<std::string>();
  CHECK(request.starts_with("GET /feed?access_token=REDACTED HTTP/1.1\r\n"));
  CHECK_FALSE(contains(report["tool"].dump(), "t0k3n"));
  // The server got the real credential.
  REQUIRE(peer.wait_for_received(1, 2s));
  CHECK(contains(peer.received().at(0), "Authorization: Bearer s3cret\r\n"));
  CHECK(contains(peer.received().at(0), "GET /feed?access_token=t0k3n HTTP/1.1\r\n"));
}

// Regression: "resource" (the request target as sent) once printed a query token in clear that
// target.url and the recorded request redact.
TEST_CASE("the JSON report holds no secret from the URL's query anywhere", "[cli]") {
  test::RefusingPort closed;
  const auto run = run_wsprobe(
      with_short_budgets({"--json", "ws://127.0.0.1:" + std::to_string(closed.port()) + "/feed?access_token=t0k3n"}));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);
  CHECK_FALSE(contains(run.out, "t0k3n"));
}

// ---------------------------------------------------------------------------------------------
// Usage

TEST_CASE("usage errors exit 2 with a message on stderr; --help and --version exit 0", "[cli]") {
  SECTION("--bogus") {
    const auto run = run_wsprobe({"--bogus", "ws://127.0.0.1:9/"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    CHECK(contains(run.err, "--bogus"));
    CHECK(run.out.empty());
  }
  SECTION("http://x") {
    const auto run = run_wsprobe({"http://x"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    CHECK(contains(run.err, "ws://"));
    CHECK(run.out.empty());
  }
  SECTION("no arguments") {
    const auto run = run_wsprobe({});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    CHECK(contains(run.err, "no URL given"));
    CHECK(run.out.empty());
  }
  SECTION("--help") {
    const auto run = run_wsprobe({"--help"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(contains(run.out, "--json [FILE]"));
    CHECK(contains(run.out, "Exit codes"));
    CHECK(run.err.empty());
  }
  SECTION("--version") {
    const auto run = run_wsprobe({"--version"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(run.out.starts_with("wsprobe "));
  }
}

TEST_CASE("run_binary kills a child that outlives its timeout", "[cli]") {
  test::BinaryOptions options;
  options.timeout = 300ms;
  const auto run = test::run_binary("/bin/sleep", {"30"}, options);
  CHECK(run.timed_out);
  CHECK(run.signal == SIGKILL);
  CHECK(run.elapsed < 10s);
}

}  // namespace
}  // namespace wsprobe

// `wsprobe URL... -j N` as a CI job runs it (issue 6): a fleet of loopback endpoints (healthy,
// refusing, slow, failing upgrade), several outputs at once, exit codes over the fleet, the run's
// --deadline, and report files written whole.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/canned_peer.hpp"
#include "support/held_upgrade.hpp"
#include "support/jsonl_line.hpp"
#include "support/probe_helpers.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::lines_of;
using test::read_file;
using test::ws_url;

std::vector<std::string> args(std::vector<std::string> options, const std::vector<std::string>& urls) {
  options.insert(options.end(), urls.begin(), urls.end());
  return options;
}

const std::string kForbidden = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

}  // namespace

TEST_CASE("wsprobe -j 4: results in input order, --jsonl lines as each target ends, exit 1", "[fleet][binary]") {
  lab::TempDir files;
  const auto jsonl = files.path() / "results.jsonl";
  const auto json = files.path() / "report.json";
  lab::EchoServer echo;
  test::RefusingPort refusing;
  test::CannedPeer forbidden(test::CannedScript::answer_http(kForbidden));
  // The slow endpoint answers its upgrade only once the three others have their line in the JSONL
  // file: it passes only if wsprobe writes each line as its target ends, not at the end of the run.
  test::HeldUpgrade slow(echo.port(), [&jsonl] { return lines_of(read_file(jsonl)).size() >= 3; });
  const std::vector<std::string> urls{ws_url(slow.port()), ws_url(echo.port()), ws_url(refusing.port()),
                                      ws_url(forbidden.port())};

  const auto run = test::run_wsprobe(
      args({"-j", "4", "--timeout", "20s", "--no-color", "--jsonl", jsonl.string(), "--json", json.string()}, urls));
  INFO(run.describe());
  CHECK(run.exit_code == 1);

  const auto report = testing::parse_valid_report(read_file(json));
  REQUIRE(report["results"].size() == 4);
  std::vector<std::string> causes;
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(report["results"][i]["target"]["url"] == urls[i]);
    causes.push_back(report["results"][i]["verdict"]["cause"]);
  }
  CHECK(causes == std::vector<std::string>{"ok", "ok", "tcp_refused", "upgrade_rejected_auth"});

  const auto lines = lines_of(read_file(jsonl));
  REQUIRE(lines.size() == 4);
  std::vector<std::string> completed;
  for (const auto& line : lines) completed.push_back(testing::parse_valid_result_line(line)["target"]["url"]);
  CHECK(completed.back() == urls[0]);
  std::sort(completed.begin(), completed.end());
  auto sorted = urls;
  std::sort(sorted.begin(), sorted.end());
  CHECK(completed == sorted);

  // No output claimed stdout: the human report is there.
  CHECK_THAT(run.out, Catch::Contains("tcp_refused"));
}

TEST_CASE("wsprobe -j: two endpoints that wait for each other's request pass only side by side", "[fleet][binary]") {
  lab::EchoServer echo;
  std::unique_ptr<test::HeldUpgrade> first, second;
  first = std::make_unique<test::HeldUpgrade>(echo.port(), [&] { return second->requests() > 0; });
  second = std::make_unique<test::HeldUpgrade>(echo.port(), [&] { return first->requests() > 0; });
  const std::vector<std::string> urls{ws_url(first->port()), ws_url(second->port())};

  SECTION("-j 2: both pass, exit 0") {
    const auto run = test::run_wsprobe(args({"-j", "2", "--timeout", "5s", "--json"}, urls));
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    const auto report = testing::parse_valid_report(run.out);
    REQUIRE(report["results"].size() == 2);
    CHECK(report["results"][0]["verdict"]["cause"] == "ok");
    CHECK(report["results"][1]["verdict"]["cause"] == "ok");
  }
  SECTION("-j 1: the first waits in vain and times out, exit 1") {
    const auto run = test::run_wsprobe(args({"-j", "1", "--timeout", "2s", "--no-followup", "--json"}, urls));
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    const auto report = testing::parse_valid_report(run.out);
    REQUIRE(report["results"].size() == 2);
    CHECK(report["results"][0]["verdict"]["stage"] == "upgrade");
    CHECK(report["results"][1]["verdict"]["cause"] == "ok");
  }
}

TEST_CASE("wsprobe with several targets: the exit code follows the worst verdict", "[fleet][binary]") {
  lab::EchoServer echo;
  test::TestPki pki;
  lab::EchoServer secure({.tls = pki.leaf()});
  const auto healthy = ws_url(echo.port());
  const auto port = std::to_string(secure.port());
  // --insecure against a certificate it does not trust: tls_verification_disabled, degraded.
  const std::vector<std::string> insecure{"--insecure", "--resolve", "localhost:" + port + ":127.0.0.1"};
  const auto secure_url = "wss://localhost:" + port + "/";

  SECTION("healthy only: 0") {
    const auto run = test::run_wsprobe(args({"-j", "2", "--no-color"}, {healthy, healthy}));
    INFO(run.describe());
    CHECK(run.exit_code == 0);
  }
  SECTION("one refusing among them: 1") {
    test::RefusingPort refusing;
    const auto run = test::run_wsprobe(args({"-j", "2", "--no-color"}, {healthy, ws_url(refusing.port())}));
    INFO(run.describe());
    CHECK(run.exit_code == 1);
  }
  SECTION("degraded only: 3") {
    const auto run = test::run_wsprobe(args(insecure, {secure_url, secure_url}));
    INFO(run.describe());
    CHECK(run.exit_code == 3);
  }
  SECTION("degraded and healthy: 3") {
    const auto run = test::run_wsprobe(args(insecure, {healthy, secure_url}));
    INFO(run.describe());
    CHECK(run.exit_code == 3);
  }
}

TEST_CASE("wsprobe --deadline: a target whose turn comes after it is reported, not connected to", "[fleet][binary]") {
  lab::EchoServer echo;
  test::HeldUpgrade stuck(echo.port(), [] { return false; });
  test::CannedPeer late(test::CannedScript::answer_http(kForbidden));
  const auto run = test::run_wsprobe(
      args({"-j", "1", "--deadline", "1s", "--timeout", "20s", "--json"}, {ws_url(stuck.port()), ws_url(late.port())}));
  INFO(run.describe());
  CHECK(run.exit_code == 1);
  const auto report = testing::parse_valid_report(run.out);
  REQUIRE(report["results"].size() == 2);
  CHECK(report["results"][0]["verdict"]["cause"] == "run_deadline_exceeded");
  const auto& skipped = report["results"][1];
  CHECK(skipped["verdict"]["cause"] == "run_deadline_exceeded");
  CHECK(skipped["verdict"]["status"] == "fail");
  CHECK(skipped["verdict"]["stage"].is_null());
  for (const auto& stage : skipped["stages"]) CHECK(stage["status"] == "skipped");
  CHECK(late.connections() == 0);
}

TEST_CASE("wsprobe writes every report file whole, readable, with no temporary file left", "[fleet][binary]") {
  lab::TempDir files;
  lab::EchoServer echo;
  const auto prom = files.write("wsprobe.prom", "old metrics\n");
  const auto json = files.path() / "report.json";
  const auto run = test::run_wsprobe({"--no-color", "--prometheus", prom.string(), "--json", json.string(), "--junit",
                                      (files.path() / "junit.xml").string(), "--markdown",
                                      (files.path() / "bundle.md").string(), ws_url(echo.port())});
  INFO(run.describe());
  CHECK(run.exit_code == 0);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(files.path())) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"bundle.md", "junit.xml", "report.json", "wsprobe.prom"});
  CHECK(read_file(prom) != "old metrics\n");
  testing::parse_valid_report(read_file(json));
  // A collector running as another user reads it: the mode a plain create gives, not mkstemp's 0600.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat info{};
  REQUIRE(::stat(prom.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == (0666 & ~mask));
  CHECK_THAT(run.out, Catch::Contains("ws://127.0.0.1"));  // the human report still on stdout
}

TEST_CASE("wsprobe: an output that cannot be written is exit 2 before anything is probed", "[fleet][binary]") {
  lab::TempDir files;
  lab::EchoServer echo;
  const auto path = (files.path() / "missing" / "report.xml").string();
  const auto jsonl = files.write("results.jsonl", "yesterday's results\n");
  const auto run = test::run_wsprobe({"--jsonl", jsonl.string(), "--junit", path, ws_url(echo.port())});
  INFO(run.describe());
  CHECK(run.exit_code == 2);
  CHECK(run.err == "wsprobe: cannot write " + path + ": No such file or directory\n");
  CHECK(echo.connections_accepted() == 0);
  CHECK(run.out.empty());
  CHECK(read_file(jsonl) == "yesterday's results\n");  // not truncated for a run that never ran
}

TEST_CASE("wsprobe: a report to a device is written in place, the device left alone", "[fleet][binary]") {
  lab::EchoServer echo;
  const auto run = test::run_wsprobe({"--no-color", "--junit", "/dev/null", ws_url(echo.port())});
  INFO(run.describe());
  CHECK(run.exit_code == 0);
  struct stat info{};
  REQUIRE(::stat("/dev/null", &info) == 0);
  CHECK(S_ISCHR(info.st_mode));
}

TEST_CASE("wsprobe --jsonl to stdout: one valid line per target and no human report", "[fleet][binary]") {
  lab::EchoServer echo;
  test::RefusingPort refusing;
  const auto run = test::run_wsprobe({"-j", "2", "--jsonl", ws_url(echo.port()), ws_url(refusing.port())});
  INFO(run.describe());
  CHECK(run.exit_code == 1);
  const auto lines = lines_of(run.out);
  REQUIRE(lines.size() == 2);
  for (const auto& line : lines) testing::parse_valid_result_line(line);
}

TEST_CASE("wsprobe --json: the tool's environment names its libraries, not the host", "[fleet][binary]") {
  lab::EchoServer echo;
  const auto run = test::run_wsprobe({"--json", ws_url(echo.port())});
  INFO(run.describe());
  const auto report = testing::parse_valid_report(run.out);
  const auto& environment = report["tool"]["environment"];
  for (const auto* key : {"os", "openssl", "boost", "c-ares", "zlib"}) CHECK(environment.contains(key));
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof host - 1) == 0);
  for (const auto& [key, value] : environment.items()) CHECK(value.get<std::string>().find(host) == std::string::npos);
}

}  // namespace wsprobe

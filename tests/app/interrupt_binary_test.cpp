// SIGINT and SIGTERM during a run (issue 11), through the real executable: what a CI job's timeout
// or Kubernetes sends while a long --hold runs. The first signal stops probing and still writes
// every report (the unfinished target marked interrupted, in the schema), exit 5, no temporary
// file left; a second signal ends the process at once, its temporaries removed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "probe/lab/certs.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"
#include "support/ws_script_peer.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::read_file;

// Every file in `dir` whose name starts with '.': the ".NAME.XXXXXX" temporaries of Outputs.
std::vector<std::string> hidden_files(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().front() == '.') names.push_back(entry.path().filename().string());
  return names;
}

// A long held probe of `peer`, then a second target that never gets its turn (-j 1).
std::vector<std::string> held_run_args(const test::WsScriptPeer& peer) {
  const auto url = "ws://127.0.0.1:" + std::to_string(peer.port()) + "/";
  return {"--timeout", "10s", "--count", "1", "--hold", "60s", "--hold-ping", "200ms", "--no-color", "-j", "1",
          url, url + "second"};
}

// Sends `signal_number` once, when the peer has answered enough hold pings: the hold is running.
test::BinaryOptions signal_during_hold(const test::WsScriptPeer& peer, int signal_number) {
  test::BinaryOptions options;
  options.timeout = 30s;
  options.while_running = [&peer, signal_number, sent = false](int pid) mutable {
    if (!sent && peer.stats().pings_received >= 5) {
      ::kill(pid, signal_number);
      sent = true;
    }
  };
  return options;
}

void check_interrupted_report(const nlohmann::json& report, const std::string& signal_name) {
  CHECK(report["interrupted"] == signal_name);
  REQUIRE(report["results"].size() == 2);
  const auto& held = report["results"][0];
  CHECK(held["interrupted"] == signal_name);
  CHECK(held["verdict"]["status"] == "fail");
  CHECK(held["verdict"]["cause"] == "run_interrupted");
  CHECK(held["verdict"]["stage"] == "hold");
  for (const auto& stage : held["stages"]) {
    INFO(stage.dump());
    if (stage["name"] == "upgrade" || stage["name"] == "echo") CHECK(stage["status"] == "ok");
    if (stage["name"] == "hold") {
      CHECK(stage["condition"] == "interrupted");
      CHECK(stage["detail"].get<std::string>().find("interrupted by " + signal_name) != std::string::npos);
      CHECK(stage["observed"]["held_us"].get<long long>() > 300'000);  // what was held is reported
    }
    if (stage["name"] == "close") CHECK(stage["detail"] == "not run: interrupted by " + signal_name);
  }
  // Our own cancellation is no end of the connection on the path.
  CHECK(held["connection_end"].is_null());
  const auto& waiting = report["results"][1];
  CHECK(waiting["interrupted"] == signal_name);
  CHECK(waiting["verdict"]["cause"] == "run_interrupted");
  for (const auto& stage : waiting["stages"]) CHECK(stage["status"] == "skipped");
}

TEST_CASE("SIGTERM during a hold: every report written with what was seen, exit 5, no temporaries",
          "[interrupt][cli]") {
  test::WsScriptPeer peer(test::WsScript{});
  lab::TempDir dir;
  auto args = held_run_args(peer);
  const auto json = (dir.path() / "out.json").string();
  const auto junit = (dir.path() / "out.xml").string();
  const auto jsonl = (dir.path() / "out.jsonl").string();
  for (const auto& arg : {std::string("--json"), json, std::string("--junit"), junit, std::string("--jsonl"), jsonl})
    args.push_back(arg);
  const auto run = test::run_wsprobe(args, signal_during_hold(peer, SIGTERM));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 5);
  CHECK(run.elapsed < 20s);  // the 60 s hold did not run out

  check_interrupted_report(testing::parse_valid_report(read_file(json)), "SIGTERM");
  const auto xml = read_file(junit);
  CHECK(xml.find("<error message=") != std::string::npos);
  CHECK(xml.find("run_interrupted") != std::string::npos);
  std::istringstream lines(read_file(jsonl));
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line);) count += line.empty() ? 0 : 1;
  CHECK(count == 2);
  CHECK(hidden_files(dir.path()).empty());
  // The human report says so, on stdout as always.
  CHECK(run.out.find("Interrupted by SIGTERM: 0 of 2 targets finished") != std::string::npos);
}

TEST_CASE("SIGINT (Ctrl-C) during a hold: the JSON report on stdout, marked SIGINT, exit 5", "[interrupt][cli]") {
  test::WsScriptPeer peer(test::WsScript{});
  auto args = held_run_args(peer);
  args.emplace_back("--json");
  const auto run = test::run_wsprobe(args, signal_during_hold(peer, SIGINT));
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 5);
  check_interrupted_report(testing::parse_valid_report(run.out), "SIGINT");
}

// The second signal must not wait for anything: here the reports cannot be written (the JSON goes
// to a FIFO nobody reads, with a one-page buffer), so after the first SIGTERM the run blocks in its
// last step, and only the second one ends it.
TEST_CASE("a second SIGTERM ends the run at once and removes the temporary files", "[interrupt][cli]") {
  test::WsScriptPeer peer(test::WsScript{});
  lab::TempDir dir;
  const auto fifo = (dir.path() / "report.fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(reader >= 0);
  ::fcntl(reader, F_SETPIPE_SZ, 4096);
  const auto junit = (dir.path() / "out.xml").string();

  auto args = held_run_args(peer);
  for (const auto& arg : {std::string("--json"), fifo, std::string("--junit"), junit}) args.push_back(arg);
  auto options = signal_during_hold(peer, SIGTERM);
  int signals_sent = 0;
  options.while_running = [&peer, &signals_sent, reader](int pid) {
    if (signals_sent == 0 && peer.stats().pings_received >= 5) {
      ::kill(pid, SIGTERM);
      signals_sent = 1;
    }
    // The report has started to go out (and fills the pipe): the run is in its last step.
    pollfd ready{reader, POLLIN, 0};
    if (signals_sent == 1 && ::poll(&ready, 1, 0) == 1 && (ready.revents & POLLIN)) {
      ::kill(pid, SIGTERM);
      signals_sent = 2;
    }
  };
  const auto run = test::run_wsprobe(args, options);
  ::close(reader);
  INFO(run.describe());
  REQUIRE_FALSE(run.timed_out);
  CHECK(signals_sent == 2);
  CHECK(run.signal == SIGTERM);  // ended by the signal, as the shell reports with 143
  CHECK(run.elapsed < 20s);
  CHECK(hidden_files(dir.path()).empty());
  CHECK_FALSE(fs::exists(junit));  // never finished, so never renamed into place
}

}  // namespace
}  // namespace wsprobe

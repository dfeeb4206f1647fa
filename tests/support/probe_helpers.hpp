#pragma once
// Helpers for end-to-end tests of a whole probe: options built as the CLI builds them, a bounded
// run of run_probe + diagnose, lookups into the result, a port that refuses connections, and a
// throwaway CA whose certificate sits in a file (--cacert).
//
//   using namespace wsprobe::test;
//   auto options = probe_options("ws://127.0.0.1:" + std::to_string(server.port()) + "/");
//   auto run = probe_and_diagnose(options);
//   INFO(describe(run.result));
//   CHECK(run.result.verdict.cause == "ok");
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/report.hpp"
#include "model/target.hpp"
#include "probe/lab/certs.hpp"

namespace wsprobe::test {

// The URL parsed by parse_target (as the CLI does; REQUIREs it parses), every stage budget set to
// `stage_budget`, a total of 20 s, count 3.
ProbeOptions probe_options(std::string_view url, std::chrono::milliseconds stage_budget = std::chrono::seconds(2));

// `options` pinned to 127.0.0.1 for its host and port (curl's --resolve), as `wsprobe demo` does.
void pin_to_loopback(ProbeOptions& options);

struct ProbeRun {
  TargetResult result;                 // diagnosed: findings and verdict filled
  std::chrono::milliseconds elapsed{};  // wall time of run_probe
};

// Runs run_probe (blocking, its own io_context) on a worker thread and waits at most `bound`;
// then diagnose(). A probe that outlives `bound` fails the test (its thread is left to finish
// on its own) instead of hanging the suite.
ProbeRun probe_and_diagnose(const ProbeOptions& options, std::chrono::milliseconds bound = std::chrono::seconds(30));

// The stage's result (REQUIREs it is present).
// Checks that the JSON report of `result` validates against schema/wsprobe-report.schema.json.
void require_valid_report(const TargetResult& result);

const StageResult& stage_of(const TargetResult& result, Stage stage);
// The first finding with this id, or nullptr.
const Finding* find_finding(const TargetResult& result, std::string_view id);
// Stages, conditions, details, findings and verdict on a few lines, for INFO() on failure.
std::string describe(const TargetResult& result);

// A loopback TCP port with a socket bound to it and no listener: every connection is refused
// (RST to the SYN) and no other test can take the port while this object lives.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A throwaway CA with its certificate written to a file, and leaves it signs.
class TestPki {
 public:
  TestPki();
  const std::string& ca_file() const { return ca_file_; }
  // A leaf for "localhost", 127.0.0.1 and ::1, valid for 90 days (so no tls_cert_expiring warning).
  lab::CertifiedKey leaf() const;
  lab::CertifiedKey leaf(const lab::LeafOptions& options) const { return authority_.issue(options); }

 private:
  lab::CertificateAuthority authority_;
  lab::TempDir files_;
  std::string ca_file_;
};

}  // namespace wsprobe::test

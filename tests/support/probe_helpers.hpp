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
#include <optional>
#include <string>
#include <string_view>

#include "model/report.hpp"
#include "model/target.hpp"
#include "probe/context.hpp"
#include "probe/lab/certs.hpp"

namespace wsprobe::test {

// The URL parsed by parse_target (as the CLI does; REQUIREs it parses), every stage budget set to
// `stage_budget`, a total of 20 s, count 3.
ProbeOptions probe_options(std::string_view url, std::chrono::milliseconds stage_budget = std::chrono::seconds(2));

// `options` pinned to 127.0.0.1 for its host and port (curl's --resolve), as `wsprobe demo` does.
void pin_to_loopback(ProbeOptions& options);

// "<scheme>://<host>:<port><path>": the URL of a test server on loopback.
std::string loopback_url(std::string_view scheme, std::uint16_t port, std::string_view host = "127.0.0.1",
                         std::string_view path = "/");
// ws://127.0.0.1:<port><path>.
std::string ws_url(std::uint16_t port, std::string_view path = "/");
// probe_options(ws://127.0.0.1:<port><path>).
ProbeOptions ws_loopback(std::uint16_t port, std::string_view path = "/echo");
// probe_options(wss://localhost:<port><path>) pinned to 127.0.0.1, trusting `ca_file` when given.
ProbeOptions wss_localhost(std::uint16_t port, std::optional<std::string> ca_file, std::string_view path = "/echo");

// Wall-clock slack below a budget (timer granularity) and the generous ceiling above it: the
// machine may be busy, so upper bounds only catch a probe that ignores its budget entirely.
inline constexpr auto kBudgetSlack = std::chrono::milliseconds(50);
inline constexpr auto kBudgetCeiling = std::chrono::seconds(10);

struct ProbeRun {
  TargetResult result;                 // diagnosed: findings and verdict filled
  std::chrono::milliseconds elapsed{};  // wall time of run_probe
};

// Runs run_probe (blocking, its own io_context) on a worker thread and waits at most `bound`;
// then diagnose(). A probe that outlives `bound` fails the test (its thread is left to finish
// on its own) instead of hanging the suite.
ProbeRun probe_and_diagnose(const ProbeOptions& options, std::chrono::milliseconds bound = std::chrono::seconds(30));

// Runs the dns stage (run_dns) on an io_context of its own for at most `bound`; REQUIREs it ended.
StageResult run_dns_stage(ProbeContext& context, std::chrono::milliseconds bound = std::chrono::seconds(10));

// Checks that the JSON report of `result` validates against schema/wsprobe-report.schema.json.
void require_valid_report(const TargetResult& result);

// The stage's result (REQUIREs it is present).
const StageResult& stage_of(const TargetResult& result, Stage stage);
// CHECKs the verdict's status, failing stage (nullopt: none) and cause.
void check_verdict(const TargetResult& result, VerdictStatus status, std::optional<Stage> stage,
                   const std::string& cause);
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

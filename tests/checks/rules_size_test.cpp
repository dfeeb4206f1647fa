// The size sweep's diagnosis (rules_session.cpp) over synthetic echo observations: which failures
// are message_too_large, and what the finding tells the user.
#include <catch2/catch.hpp>

#include <algorithm>

#include "checks/verdict.hpp"
#include "support/finding_checks.hpp"
#include "support/result_builder.hpp"

namespace wsprobe {
namespace {

using test::mentions;
using testing::failed_at;
using testing::Scheme;

SizeProbe size_probe(std::size_t bytes, std::string outcome) {
  SizeProbe probe;
  probe.size_bytes = bytes;
  probe.outcome = std::move(outcome);
  return probe;
}

// A probe whose echo stage failed with `condition` at the last of `probes` (the ones before echoed).
TargetResult swept(Condition condition, std::vector<SizeProbe> probes) {
  auto result = failed_at(Scheme::ws, Stage::echo, condition, "size sweep failed");
  auto& echo = *result.observed.echo;
  for (const auto& probe : probes)
    if (probe.outcome == "echoed") echo.largest_echoed_bytes = probe.size_bytes;
  echo.size_sweep = std::move(probes);
  return result;
}

const Finding& only_failure(const TargetResult& result) {
  const auto it = std::find_if(result.findings.begin(), result.findings.end(),
                               [](const Finding& f) { return f.severity == Severity::fail; });
  REQUIRE(it != result.findings.end());
  return *it;
}

TEST_CASE("size sweep rules: which sweep failures are message_too_large", "[checks][sweep]") {
  struct Case {
    const char* name;
    Condition condition;
    std::vector<SizeProbe> probes;
    const char* cause;
    const char* evidence;
    Confidence confidence = Confidence::certain;
  };
  auto closed = [](std::size_t bytes, std::uint16_t code) {
    auto probe = size_probe(bytes, "closed");
    probe.peer_close = CloseFrame{code, "too big"};
    return probe;
  };
  auto dropped = [](std::size_t bytes, Condition end) {
    auto probe = size_probe(bytes, "dropped");
    probe.connection_end = end;
    return probe;
  };
  const std::vector<Case> cases{
      {"close 1009 after a passed size", Condition::closed_by_peer,
       {size_probe(1024, "echoed"), closed(65536, 1009)}, "message_too_large",
       "65536 bytes: closed by the server's close frame 1009 (message too big"},
      {"close 1009 at the first size", Condition::closed_by_peer, {closed(1024, 1009)}, "message_too_large",
       "0 of 1 sizes echoed"},
      {"RST after a passed size", Condition::reset, {size_probe(1024, "echoed"), dropped(4096, Condition::reset)},
       "message_too_large", "4096 bytes: dropped (RST, no close frame)"},
      {"FIN after a passed size", Condition::eof, {size_probe(1024, "echoed"), dropped(4096, Condition::eof)},
       "message_too_large", "4096 bytes: dropped (FIN, no close frame)"},
      {"silence after a passed size", Condition::timeout,
       {size_probe(1024, "echoed"), size_probe(4096, "timeout")}, "message_too_large",
       "4096 bytes: timeout (no echo within the echo budget)", Confidence::likely},
      {"close 1008 at the first size: the server closed, no size was shown to pass", Condition::closed_by_peer,
       {closed(1024, 1008)}, "closed_by_peer", "1024 bytes: closed"},
      {"silence at the first size is no unanswered ping", Condition::timeout, {size_probe(1024, "timeout")},
       "echo_not_echoed", "1024 bytes: timeout"},
      {"a corrupted echo stays a mismatch", Condition::message_mismatch,
       {size_probe(1024, "echoed"), size_probe(4096, "mismatch")}, "echo_mismatch", "4096 bytes: mismatch"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto result = swept(c.condition, c.probes);
      diagnose(result);
      CHECK(result.verdict.status == VerdictStatus::fail);
      CHECK(result.verdict.stage == Stage::echo);
      CHECK(result.verdict.cause == c.cause);
      const auto& finding = only_failure(result);
      INFO(finding.evidence.size() << " evidence lines");
      for (const auto& e : finding.evidence) UNSCOPED_INFO(e);
      CHECK(mentions(finding, c.evidence));
      CHECK(finding.confidence == c.confidence);
      const bool knobs = finding.fix.find("read_message_max") != std::string::npos;
      CHECK(knobs == (std::string_view(c.cause) == "message_too_large"));
    }
  }
}

TEST_CASE("size sweep rules: the evidence names the largest size that passed", "[checks][sweep]") {
  auto result = swept(Condition::closed_by_peer, {size_probe(1024, "echoed"), size_probe(2048, "echoed"),
                                                  size_probe(4096, "closed")});
  result.observed.echo->size_sweep.back().peer_close = CloseFrame{1009, {}};
  diagnose(result);
  const auto& finding = only_failure(result);
  CHECK(finding.id == "message_too_large");
  CHECK(mentions(finding, "size sweep: 2 of 3 sizes echoed, largest 2048 bytes"));
  CHECK(finding.fix.find("client_max_body_size does not apply to WebSocket frames") != std::string::npos);
}

TEST_CASE("size sweep rules: a sweep that passed leaves the verdict ok", "[checks][sweep]") {
  auto result = testing::healthy(Scheme::ws);
  auto& echo = *result.observed.echo;
  echo.size_sweep = {size_probe(1024, "echoed"), size_probe(1u << 20, "echoed")};
  echo.largest_echoed_bytes = 1u << 20;
  diagnose(result);
  CHECK(result.verdict.status == VerdictStatus::pass);
  CHECK(result.verdict.cause == "ok");
}

}  // namespace
}  // namespace wsprobe

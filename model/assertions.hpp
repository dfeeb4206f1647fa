#pragma once
// What a CI job or health check demands of a target beyond "it works" (issue 6): latency and
// stage-time ceilings, certificate lifetime, the subprotocol and status the server must answer
// with. Parsed by app/ (global flags, then per-target in a targets file), checked by
// checks/assertions.hpp; a broken one is a finding of its own.
#include <optional>
#include <string>
#include <vector>

#include "model/stage.hpp"

namespace wsprobe {

// --max-latency p95=200ms: the named figure of the round trips must not exceed the limit.
// quantile: "min", "p50", "p90", "p95", "p99", "max" or "mean" (LatencyStats' fields).
struct LatencyLimit {
  std::string quantile;
  Micros limit{0};
  std::string flag;  // as the user wrote it ("p95=200ms"), for the finding's evidence
};

// --max-stage tls=300ms: that stage's duration must not exceed the limit.
struct StageLimit {
  Stage stage = Stage::tls;
  Micros limit{0};
  std::string flag;  // "tls=300ms"
};

// --fail-on: whether a warning (a broken assertion, an expiring certificate, high latency...)
// only degrades the target (exit 3) or fails it (exit 1).
enum class FailOn { fail, warn };
std::string_view to_string(FailOn fail_on);

struct Assertions {
  std::vector<LatencyLimit> max_latency;          // --max-latency (repeatable)
  std::vector<StageLimit> max_stage;              // --max-stage (repeatable)
  std::optional<int> min_cert_days;               // --min-cert-days
  std::optional<std::string> expect_subprotocol;  // --expect-subprotocol (also offered)
  std::optional<int> expect_status;               // --expect-status (e.g. 101, or 401 for "must refuse")
  FailOn fail_on = FailOn::fail;                  // --fail-on

  bool empty() const {
    return max_latency.empty() && max_stage.empty() && !min_cert_days && !expect_subprotocol && !expect_status;
  }
};

}  // namespace wsprobe

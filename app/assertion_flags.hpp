#pragma once
// The CI assertion flags (issue 6): --max-latency, --max-stage, --min-cert-days,
// --expect-subprotocol, --expect-status, --fail-on. Given on the command line they apply to every
// target; in a targets file entry they add to (or, for the same quantile or stage, replace) them.
#include <optional>
#include <string>
#include <vector>

#include "model/target.hpp"

namespace CLI {
class App;
}

namespace wsprobe {

// As typed; empty or unset when not given, so an entry only changes what it names.
struct AssertionFlags {
  std::vector<std::string> max_latency;  // QUANTILE=DURATION
  std::vector<std::string> max_stage;    // STAGE=DURATION
  std::optional<int> min_cert_days;
  std::optional<std::string> expect_subprotocol;
  std::optional<int> expect_status;
  std::optional<std::string> fail_on;  // "warn" or "fail"
};

void add_assertion_flags(CLI::App& app, AssertionFlags& flags);

// Into probe.assertions (and an expected subprotocol into probe.subprotocols, so it is offered);
// the usage error's words when a value makes no sense.
std::optional<std::string> apply_assertion_flags(const AssertionFlags& flags, ProbeOptions& probe);

}  // namespace wsprobe

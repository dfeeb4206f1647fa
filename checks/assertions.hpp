#pragma once
// The user's assertions (model/assertions.hpp: --max-latency, --max-stage, --min-cert-days,
// --expect-subprotocol, --expect-status, --fail-on) checked against a diagnosed result. Pure.
#include <vector>

#include "model/report.hpp"

namespace wsprobe {

// One finding per broken assertion (Finding::assertion set), after the probe's own findings.
std::vector<Finding> check_assertions(const TargetResult& result);

}  // namespace wsprobe

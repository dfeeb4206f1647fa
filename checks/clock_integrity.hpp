#pragma once
// Whether a stage's clock can be trusted (issue 12): the probe measures how late its event loop
// ran while each stage's clock did (StageResult::loop_lag). When that lateness is a real part of
// the stage, the figure may be wsprobe's (other targets' handshakes on the same thread, the
// machine's other work), not the path's: the report says so, and time assertions say it too.
#include <optional>
#include <string>

#include "model/report.hpp"

namespace wsprobe {

// Lateness below this, or below this share of the stage, is noise (the stage's own CPU: a TLS
// handshake's crypto runs on the loop too).
inline constexpr Micros kContaminatingLag{5000};
inline constexpr double kContaminatingShare = 0.10;

// The stage's lag when it is big enough to matter, else nothing.
std::optional<Micros> contaminating_lag(const StageResult& stage);

// "wsprobe's event loop ran 42ms late during the stage's 58ms": for evidence and asides.
std::string lag_words(const StageResult& stage);

// probe_clock_contaminated (info): the stages whose clocks the loop's lateness covers in part.
std::optional<Finding> find_clock_contamination(const TargetResult& result);

}  // namespace wsprobe

#pragma once
// Latency figures over a set of samples: min, p50, p90, p95, p99, max, mean (nearest-rank percentiles).
#include <optional>
#include <vector>

#include "model/observations.hpp"

namespace wsprobe {

std::optional<LatencyStats> summarize_latency(std::vector<Micros> samples);

}  // namespace wsprobe

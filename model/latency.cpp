#include "model/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace wsprobe {
namespace {
// Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.
Micros percentile(const std::vector<Micros>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}
}  // namespace

std::optional<LatencyStats> summarize_latency(std::vector<Micros> samples) {
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  LatencyStats stats;
  stats.samples = samples.size();
  stats.min = samples.front();
  stats.max = samples.back();
  stats.p50 = percentile(samples, 50);
  stats.p90 = percentile(samples, 90);
  stats.p95 = percentile(samples, 95);
  stats.p99 = percentile(samples, 99);
  const auto total = std::accumulate(samples.begin(), samples.end(), Micros{0});
  stats.mean = total / static_cast<long>(samples.size());
  return stats;
}

}  // namespace wsprobe

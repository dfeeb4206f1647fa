#pragma once
// Prometheus text exposition (--prometheus FILE) for node_exporter's textfile collector: per
// target (labels url, name, and the tags), success, verdict, per-stage durations, latency
// quantiles, certificate expiry, each family with # HELP and # TYPE lines. Parsed in the tests by
// a real Prometheus parser.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

std::string render_prometheus(const RunReport& report);

}  // namespace wsprobe

#pragma once
// Prometheus text exposition (format 0.0.4, --prometheus FILE) for node_exporter's textfile
// collector. Every family is a gauge with # HELP and # TYPE, written once, families without a
// sample left out; no sample has a timestamp (the collector rejects them). Each target's samples
// carry url (redacted as in the report), name and tags ("a,b") when given, and under
// --all-addresses a node's samples add address (the target's own have none).
//
//   wsprobe_probe_success                   1 pass or degraded, 0 fail
//   wsprobe_verdict{status,cause,stage}     1 (stage only when one failed)
//   wsprobe_probe_duration_seconds
//   wsprobe_stage_duration_seconds{stage}   each stage that ran
//   wsprobe_upgrade_status_code             101, or the status that refused the upgrade
//   wsprobe_latency_seconds{kind="ping|echo",quantile="0.5|0.9|0.95|0.99"}
//   wsprobe_latency_samples{kind}
//   wsprobe_cert_expiry_timestamp_seconds   the leaf's notAfter
//   wsprobe_cert_days_left                  whole days from the probe's start
//   wsprobe_findings{severity="info|warn|fail"}   zeros included
//   wsprobe_assertions_broken
//   wsprobe_hold_survived, wsprobe_hold_cut_after_seconds   when --hold ran
//   wsprobe_run_timestamp_seconds           no target labels: the run's first start
//   wsprobe_build_info{version}             1
//
// Label values are valid UTF-8 with backslash, double quote and newline escaped. Parsed in the
// tests by the Prometheus project's parser (tests/support/parse_prometheus.py).
#include <string>

#include "model/report.hpp"

namespace wsprobe {

std::string render_prometheus(const RunReport& report);

}  // namespace wsprobe

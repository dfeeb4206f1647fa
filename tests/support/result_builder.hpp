#pragma once
// Synthetic TargetResults for rule tests: a healthy probe in which every stage ran and passed, or
// one that failed at a given stage (later stages skipped, their observations absent). The failing
// stage keeps a bare observation for the test to fill with what the peer sent.
// Addresses and names are documentation ranges (192.0.2.0/24, *.example.test).
#include <cstdint>
#include <string>
#include <vector>

#include "model/report.hpp"
#include "support/sample_handshake.hpp"  // kKey, kAccept: the key and accept of every synthetic upgrade

namespace wsprobe::testing {

enum class Scheme { ws, wss };

// 2025-06-02T09:30:00Z, the instant every synthetic probe starts.
inline constexpr std::int64_t kStartedAtEpoch = 1748856600;
inline constexpr std::int64_t kSecondsPerDay = 86400;

// Every stage ok (proxy and hold skipped; tls skipped for ws), every observation filled as a
// healthy echo endpoint would leave it: a valid 101, five pongs, five echoes, a clean close, and
// for wss a verified chain whose leaf expires 90 days after the start.
TargetResult healthy(Scheme scheme);

// healthy(scheme) up to `stage`; `stage` failed with `condition` and `detail`; every later stage
// skipped with its observation removed. The failing stage's observation is reset to what the probe
// knows before the peer answers (TLS: SNI and ALPN offered; upgrade: the request and the expected
// accept; echo: the mode; close: the code sent).
TargetResult failed_at(Scheme scheme, Stage stage, Condition condition, std::string detail = "");

// A status-only HTTP answer to the upgrade (condition upgrade_rejected), as the probe records it.
TargetResult rejected_upgrade(Scheme scheme, int status, std::string reason, std::string body = "");

// --all-addresses: `probe` as the node at `address` (DnsObservation::pinned_address), not diagnosed.
TargetResult pinned_node(TargetResult probe, const std::string& address);
// pinned_node(probe, address), diagnosed: findings and verdict filled, as a node's result comes
// to diagnose_nodes and the node table.
TargetResult diagnosed_node(TargetResult probe, const std::string& address);

// --all-addresses: the parent of `nodes` (pinned_node results, diagnosed or not): its dns stage and
// the addresses it found, "lb.example.test"; every later stage is the nodes'.
TargetResult parent_of_nodes(std::vector<TargetResult> nodes);

// The stage result for `stage`; throws std::out_of_range if the result has none.
StageResult& stage_of(TargetResult& result, Stage stage);

}  // namespace wsprobe::testing

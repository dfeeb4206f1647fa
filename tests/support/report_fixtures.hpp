#pragma once
// Synthetic run reports with fixed times and addresses (documentation ranges: 192.0.2.0/24,
// 203.0.113.0/24, 2001:db8::/32, *.example.test), for renderer golden files and schema tests.
// They are hand-written model data, not the output of checks/: a renderer test must not move
// when a rule changes.
#include <string>
#include <vector>

#include "model/report.hpp"

namespace wsprobe::fixtures {

RunReport pass_wss();            // wss, every stage ok, every observation filled (proxy, hold skipped)
RunReport fail_tcp_refused();    // ws, two addresses, both refuse the connection
RunReport fail_upgrade_403();    // wss, the load balancer answers 403 with headers and a body;
                                 // an AWS ALB fingerprint and a plain_get follow-up
RunReport degraded_insecure();   // wss under -k: self-signed chain, not an echo endpoint
RunReport fail_dns_skipped();    // NXDOMAIN: every later stage skipped, no other observation
RunReport fail_tls_plaintext();  // wss to a plaintext port: TLS evidence (first bytes, OpenSSL error),
                                 // an http_on_tls_port follow-up
RunReport multi_target();        // the six above in one run
RunReport fail_proxy_auth();     // wss through an HTTP proxy that answers CONNECT with 407 (Squid)
RunReport fail_nodes_partial();  // --all-addresses: three nodes, one black-holes the SYN
RunReport fail_hold_idle();      // --hold 90s --sizes 1K,64K,1M: every size echoed, then FIN after 60 s idle
RunReport fleet_named();         // --targets: names and tags; --max-stage tls=20ms broken (degraded), --min-cert-days
                                 // 400 broken under --fail-on warn (fail), a target the --deadline left unprobed;
                                 // the tool's environment pairs filled

struct NamedReport {
  std::string name;  // golden file stem
  RunReport report;
};

// Every fixture, in the order above.
std::vector<NamedReport> all_reports();

}  // namespace wsprobe::fixtures

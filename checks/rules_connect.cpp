// dns and tcp failures: the condition says it all; the evidence is what was asked and tried.
#include <cstdio>

#include "checks/rules.hpp"
#include "model/join.hpp"

namespace wsprobe {
namespace {

std::string format_millis(Micros duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f ms", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

}  // namespace

std::optional<Finding> explain_dns_failure(const StageResult& stage, const Observations& observed) {
  std::string_view id;
  switch (stage.condition) {
    case Condition::dns_nxdomain: id = "dns_nxdomain"; break;
    case Condition::dns_no_address: id = "dns_no_address"; break;
    case Condition::dns_timeout:
    case Condition::timeout: id = "dns_timeout"; break;
    default: id = "dns_failure"; break;
  }
  auto finding = make_finding(id, Severity::fail, Stage::dns, Confidence::certain);
  finding.hop = "client to resolver";
  if (observed.dns) {
    finding.evidence.push_back("query: " + observed.dns->query_name +
                               (observed.dns->server ? " via " + *observed.dns->server : " via the system resolver"));
    if (!observed.dns->cname_chain.empty()) finding.evidence.push_back("CNAME chain: " + join(observed.dns->cname_chain));
  }
  if (!stage.detail.empty()) finding.evidence.push_back("resolver: " + stage.detail);
  return finding;
}

std::optional<Finding> explain_tcp_failure(const StageResult& stage, const Observations& observed) {
  std::string_view id;
  switch (stage.condition) {
    case Condition::connect_refused:
    case Condition::reset: id = "tcp_refused"; break;
    case Condition::unreachable: id = "tcp_unreachable"; break;
    default: id = "tcp_timeout"; break;
  }
  auto finding = make_finding(id, Severity::fail, Stage::tcp, Confidence::certain);
  finding.hop = "client to edge";
  if (observed.tcp) {
    for (const auto& attempt : observed.tcp->attempts) {
      const bool v6 = attempt.address.find(':') != std::string::npos;
      finding.evidence.push_back("connect " + (v6 ? "[" + attempt.address + "]" : attempt.address) + ":" +
                                 std::to_string(attempt.port) + ": " + std::string(to_string(attempt.condition)) +
                                 (attempt.detail.empty() ? "" : " (" + attempt.detail + ")") + " after " +
                                 format_millis(attempt.duration));
    }
  }
  return finding;
}

}  // namespace wsprobe

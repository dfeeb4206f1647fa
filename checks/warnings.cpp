// Findings on stages that passed: what degrades a run, and what a reader should know.
#include "checks/clock_integrity.hpp"
#include "checks/rules.hpp"

namespace wsprobe {

std::vector<Finding> find_warnings(const TargetResult& result) {
  std::vector<Finding> findings;
  const auto& observed = result.observed;
  if (observed.tls && stage_passed(result, Stage::tls)) {
    const auto& tls = *observed.tls;
    if (!tls.verification_enabled) {
      auto finding = make_finding("tls_verification_disabled", Severity::warn, Stage::tls, Confidence::certain);
      if (tls.verify_error && tls.verify_result.value_or(0) != 0)
        finding.evidence.push_back("the chain would have failed verification: " + *tls.verify_error);
      findings.push_back(std::move(finding));
    }
    // --cert-warn-days 0 turns the warning off.
    const std::int64_t warn_days = result.cert_warn_days;
    if (const auto days_left = leaf_cert_days_left(result); days_left && warn_days > 0) {
      const auto& leaf = tls.peer_chain.front();
      // An already expired leaf (possible under -k) is not "expiring": the verification warning covers it.
      if (leaf.not_after_epoch_s > result.started_at_epoch_s && *days_left < warn_days) {
        auto finding = make_finding("tls_cert_expiring", Severity::warn, Stage::tls, Confidence::certain);
        finding.summary = "The certificate expires in " + std::to_string(*days_left) + " days (" + leaf.not_after + ").";
        finding.evidence.push_back("leaf: " + leaf.subject + ", not after " + leaf.not_after);
        finding.evidence.push_back("warning threshold: " + std::to_string(warn_days) + " days (--cert-warn-days)");
        findings.push_back(std::move(finding));
      }
    }
  }
  if (observed.echo && stage_passed(result, Stage::echo) && observed.echo->echo_endpoint == false) {
    auto finding = make_finding("echo_not_echo_endpoint", Severity::info, Stage::echo, Confidence::likely);
    std::size_t pongs = 0;
    for (const auto& rtt : observed.echo->ping_rtts) pongs += rtt.has_value();
    finding.evidence.push_back("no reply to a message of " +
                               std::to_string(observed.echo->messages.empty() ? 0 : observed.echo->messages.front().size_bytes) +
                               " bytes; " + std::to_string(pongs) + " of " +
                               std::to_string(observed.echo->ping_rtts.size()) + " pings answered");
    findings.push_back(std::move(finding));
  }
  if (auto contaminated = find_clock_contamination(result)) findings.push_back(std::move(*contaminated));
  return findings;
}

}  // namespace wsprobe

#include "checks/verdict.hpp"

#include "checks/assertions.hpp"
#include "checks/catalogue.hpp"
#include "checks/fingerprints.hpp"
#include "checks/rules.hpp"
#include "checks/rules_run.hpp"

namespace wsprobe {

Finding make_finding(std::string_view id, Severity severity, Stage stage, Confidence confidence) {
  Finding finding;
  finding.id = std::string(id);
  finding.severity = severity;
  finding.stage = stage;
  finding.confidence = confidence;
  if (const auto* cause = find_cause(id)) {
    finding.summary = std::string(cause->explanation);
    finding.fix = std::string(cause->fix);
  }
  return finding;
}

std::vector<Finding> find_problems(const TargetResult& result) {
  std::vector<Finding> findings;
  bool any_failed = false;
  for (const auto& stage : result.stages) {
    if (stage.status != StageStatus::failed) continue;
    any_failed = true;
    if (stage.condition == Condition::interrupted) {
      findings.push_back(explain_interruption(stage, result.observed));  // wsprobe stopped, not the peer
      break;
    }
    std::optional<Finding> cause;
    switch (stage.stage) {
      case Stage::dns: cause = explain_dns_failure(stage, result.observed); break;
      case Stage::proxy: cause = explain_proxy_failure(stage, result.observed); break;
      case Stage::tcp: cause = explain_tcp_failure(stage, result.observed); break;
      case Stage::tls: cause = explain_tls_failure(stage, result.observed, result.target, result.followups); break;
      case Stage::upgrade: cause = explain_upgrade_failure(stage, result.observed, result.target, result.followups); break;
      case Stage::hold: cause = explain_hold_failure(stage, result.observed); break;
      default: cause = explain_session_failure(stage, result.observed); break;
    }
    if (cause) findings.push_back(std::move(*cause));
    break;  // later stages did not run
  }
  // Interrupted between two stages: nothing failed, and the stages not run are not a pass.
  if (result.interrupted && !any_failed) findings.push_back(explain_unfinished(result));
  for (auto& warning : find_warnings(result)) findings.push_back(std::move(warning));
  for (auto& note : find_hold_notes(result)) findings.push_back(std::move(note));
  for (auto& note : find_request_notes(result)) findings.push_back(std::move(note));
  return findings;
}

Verdict fold_verdict(const std::vector<Finding>& findings) {
  Verdict verdict;
  const Finding* primary = nullptr;
  for (const auto& finding : findings) {
    if (finding.severity == Severity::fail) {
      primary = &finding;
      break;
    }
    if (finding.severity == Severity::warn && !primary) primary = &finding;
  }
  if (!primary) {
    verdict.status = VerdictStatus::pass;
    verdict.cause = "ok";
    verdict.summary = "Every stage passed.";
    return verdict;
  }
  verdict.status = primary->severity == Severity::fail ? VerdictStatus::fail : VerdictStatus::degraded;
  if (verdict.status == VerdictStatus::fail) verdict.stage = primary->stage;
  verdict.cause = primary->id;
  verdict.summary = primary->summary;
  verdict.hop = primary->hop;
  return verdict;
}

void diagnose(TargetResult& result) {
  result.fingerprints = fingerprint(result);
  result.findings = find_problems(result);
  accept_expected_status(result, result.findings);
  for (auto& broken : check_assertions(result)) result.findings.push_back(std::move(broken));
  apply_fail_on(result.findings, result.assertions.fail_on);
  for (auto& finding : result.findings)
    if (const auto* cause = find_cause(finding.id))
      finding.vendor_fixes = matching_vendor_fixes(*cause, result.fingerprints);
  result.verdict = fold_verdict(result.findings);
  explain_assertion_verdict(result, result.verdict);
}

}  // namespace wsprobe

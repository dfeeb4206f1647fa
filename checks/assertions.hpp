#pragma once
// The user's assertions (model/assertions.hpp: --max-latency, --max-stage, --min-cert-days,
// --expect-subprotocol, --expect-status, --fail-on) checked against a probed result. Pure: no I/O,
// no clock (a certificate's days left count from result.started_at_epoch_s).
//
// diagnose() (checks/verdict.hpp) applies them in this order, so every caller gets them:
//   1. accept_expected_status: an expected refusal (--expect-status 401 answered 401) stops failing;
//   2. check_assertions: the broken assertions, after the probe's own findings;
//   3. apply_fail_on: --fail-on warn raises every warning to a failure;
//   then fold_verdict, and explain_assertion_verdict words the verdict in the assertions' terms.
// The assertions are read from result.assertions: the caller copies ProbeOptions::assertions there.
#include <string>
#include <string_view>
#include <vector>

#include "model/report.hpp"

namespace wsprobe {

// The evidence line --fail-on warn adds to each warning it raises to a failure.
inline constexpr std::string_view kFailOnWarnEvidence = "failing because of --fail-on warn";

// One warning per broken assertion, Finding::assertion set to the assertion as the user wrote it
// ("--max-stage tls=300ms"), the summary a CI line ("tls took 412ms, above --max-stage tls=300ms.")
// and the evidence both numbers; ordered by stage. Ids: latency_high, stage_slow, cert_lifetime_short,
// subprotocol_unexpected, status_unexpected.
// What is not applicable says nothing: --min-cert-days on ws://, --max-stage on a stage the target
// skips by design (tls on ws://, proxy without a proxy, hold without --hold).
// What cannot be checked (no round trip measured, no certificate seen, no status received) says
// nothing when a stage failed (that failure, or an expected refusal, explains it), and is a warning
// with the assertion's id ("... could not be checked: ...") when the target otherwise passed: a gate
// that checked nothing must not read as kept.
std::vector<Finding> check_assertions(const TargetResult& result);

// --expect-status N with N other than 101, and the upgrade answered N: the refusal was the point
// ("this endpoint must refuse anonymous clients"), so the failure it caused (every fail finding of
// a target that failed at upgrade, e.g. upgrade_rejected_auth) becomes info, kept as evidence, its
// summary saying it was expected. `findings` are the probe's own.
void accept_expected_status(const TargetResult& result, std::vector<Finding>& findings);

// --fail-on warn: every warning (the assertions' and the probe's own, e.g. tls_cert_expiring)
// becomes a failure, with kFailOnWarnEvidence in its evidence. Info stays info.
void apply_fail_on(std::vector<Finding>& findings, FailOn fail_on);
bool raised_by_fail_on(const Finding& finding);

// "upgrade answered 401 Unauthorized, as --expect-status 401 expects." when accept_expected_status
// applied to `result`; empty otherwise.
std::string expected_status_words(const TargetResult& result);

// After fold_verdict: a pass on an expected refusal says so instead of "Every stage passed."; a
// failure raised by --fail-on warn says so ("tls took 412ms, above --max-stage tls=300ms (failing
// because of --fail-on warn).").
void explain_assertion_verdict(const TargetResult& result, Verdict& verdict);

}  // namespace wsprobe

#include "checks/assertions.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "checks/clock_integrity.hpp"
#include "checks/rules.hpp"
#include "model/join.hpp"
#include "wire/http_response.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

bool stopped(const TargetResult& result) {
  return std::any_of(result.stages.begin(), result.stages.end(),
                     [](const StageResult& each) { return each.status == StageStatus::failed; });
}

std::string decimal_ms(long long units, int decimals) {
  static constexpr long long kScale[] = {1, 10, 100, 1000};
  char out[48];
  if (decimals == 0) {
    std::snprintf(out, sizeof out, "%lldms", units);
  } else {
    std::snprintf(out, sizeof out, "%lld.%0*lldms", units / kScale[decimals], decimals, units % kScale[decimals]);
  }
  return out;
}

// "412ms", "8.4ms": as many decimals (down to the microsecond) as it takes for a value above the
// limit not to read as equal to it ("300.04ms", not "300ms, above 300ms").
std::string ms_text(Micros value, Micros limit) {
  const long long us = std::max<long long>(value.count(), 0);
  static constexpr long long kUnitUs[] = {1000, 100, 10, 1};
  for (int decimals = us >= 10000 ? 0 : us >= 1000 ? 1 : 2; decimals <= 3; ++decimals) {
    const long long unit = kUnitUs[decimals];
    const long long rounded = (us + unit / 2) / unit;
    if (value <= limit || rounded * unit > limit.count() || decimals == 3) return decimal_ms(rounded, decimals);
  }
  return decimal_ms(us, 3);
}

Finding assertion_finding(std::string_view id, Stage stage, const std::string& assertion) {
  auto finding = make_finding(id, Severity::warn, stage, Confidence::certain);
  finding.assertion = assertion;
  return finding;
}

// Nothing to check the assertion against. A failed stage (or an expected refusal) already says why
// nothing was measured; otherwise the gate did not hold, and a CI job must see that.
std::optional<Finding> unchecked(const TargetResult& result, std::string_view id, Stage stage,
                                 const std::string& assertion, const std::string& why) {
  if (stopped(result)) return std::nullopt;
  auto finding = assertion_finding(id, stage, assertion);
  finding.summary = assertion + " could not be checked: " + why + ".";
  finding.evidence.push_back(assertion + ": not checked, " + why);
  return finding;
}

// "tls took 412ms, above --max-stage tls=300ms (failing because of --fail-on warn)."
std::string with_aside(std::string sentence, std::string_view aside) {
  if (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
  return sentence + " (" + std::string(aside) + ").";
}

// A time assertion broken by a figure the loop's lateness covers in part (checks/clock_integrity.hpp)
// says so; when the figure less that lateness would have held, the breach is only possible.
void note_contaminated_figure(Finding& finding, const StageResult& stage, std::optional<Micros> figure, Micros limit) {
  const auto lag = contaminating_lag(stage);
  if (!lag) return;
  const bool lag_explains = figure && *figure - *lag <= limit;
  finding.summary = with_aside(finding.summary, "measured while " + lag_words(stage) +
                                                    (lag_explains ? ", enough to explain the excess" : ""));
  finding.evidence.push_back(lag_words(stage) + ": the figure may be wsprobe's, not the path's (probe_clock_contaminated)");
  if (lag_explains) finding.confidence = Confidence::possible;
}

// --max-latency: one of LatencyStats' figures by the name the flag uses.
std::optional<Micros> figure(const LatencyStats& stats, std::string_view quantile) {
  if (quantile == "min") return stats.min;
  if (quantile == "p50") return stats.p50;
  if (quantile == "p90") return stats.p90;
  if (quantile == "p95") return stats.p95;
  if (quantile == "p99") return stats.p99;
  if (quantile == "max") return stats.max;
  if (quantile == "mean") return stats.mean;
  return std::nullopt;
}

std::string why_no_round_trip(const EchoObservation* echo) {
  if (!echo) return "the echo stage did not run";
  if (echo->ping_rtts.empty() && echo->messages.empty()) return "no ping or message was sent";
  return "no ping was answered and no message echoed";
}

std::optional<Finding> check_latency(const TargetResult& result, const LatencyLimit& limit) {
  const auto assertion = "--max-latency " + limit.flag;
  const auto* echo = result.observed.echo ? &*result.observed.echo : nullptr;
  std::vector<std::pair<std::string, LatencyStats>> series;
  if (echo && echo->ping_latency && echo->ping_latency->samples > 0) series.emplace_back("ping", *echo->ping_latency);
  if (echo && echo->echo_latency && echo->echo_latency->samples > 0) series.emplace_back("echo", *echo->echo_latency);
  if (series.empty()) return unchecked(result, "latency_high", Stage::echo, assertion, why_no_round_trip(echo));

  auto finding = assertion_finding("latency_high", Stage::echo, assertion);
  std::vector<std::string> broken;
  for (const auto& [name, stats] : series) {
    const auto value = figure(stats, limit.quantile);
    if (!value)
      return unchecked(result, "latency_high", Stage::echo, assertion, "no latency figure is named " + limit.quantile);
    const auto measured = name + " rtt " + limit.quantile + " " + ms_text(*value, limit.limit);
    const bool above = *value > limit.limit;
    finding.evidence.push_back(measured + (above ? " > " : " <= ") + assertion + " (" + std::to_string(stats.samples) +
                               (stats.samples == 1 ? " sample)" : " samples)"));
    if (above) broken.push_back(name + " rtt " + limit.quantile + " was " + ms_text(*value, limit.limit));
  }
  if (broken.empty()) return std::nullopt;
  finding.summary = join(broken, " and ") + ", above " + assertion + ".";
  // A round trip is timed inside the echo stage: the stage's lag is what may be in it.
  if (const auto* stage = find_stage(result, Stage::echo)) note_contaminated_figure(finding, *stage, std::nullopt, limit.limit);
  return finding;
}

// A stage that failed is explained by its failure; a skipped one spent no time (ws:// has no tls,
// no proxy was asked for...), so its limit holds: neither is checked.
std::optional<Finding> check_stage(const TargetResult& result, const StageLimit& limit) {
  if (!stage_passed(result, limit.stage)) return std::nullopt;
  const auto& stage = *find_stage(result, limit.stage);
  if (stage.duration <= limit.limit) return std::nullopt;
  const auto assertion = "--max-stage " + limit.flag;
  const auto took = std::string(to_string(limit.stage)) + " took " + ms_text(stage.duration, limit.limit);
  auto finding = assertion_finding("stage_slow", limit.stage, assertion);
  finding.summary = took + ", above " + assertion + ".";
  finding.evidence.push_back(took + " > " + assertion);
  note_contaminated_figure(finding, stage, stage.duration, limit.limit);
  return finding;
}

std::string days_text(std::int64_t days) { return std::to_string(days) + (days == 1 || days == -1 ? " day" : " days"); }

// Days count as tls_cert_expiring counts them (checks/warnings.cpp): whole days from the probe's start.
std::optional<Finding> check_cert_days(const TargetResult& result, int min_days) {
  if (!result.target.secure) return std::nullopt;  // ws:// has no certificate to age
  const auto assertion = "--min-cert-days " + std::to_string(min_days);
  const auto* tls = result.observed.tls ? &*result.observed.tls : nullptr;
  if (!stage_passed(result, Stage::tls) || !tls || tls->peer_chain.empty() || result.started_at_epoch_s <= 0)
    return unchecked(result, "cert_lifetime_short", Stage::tls, assertion, "no server certificate was seen");
  const auto& leaf = tls->peer_chain.front();
  const auto seconds_left = leaf.not_after_epoch_s - result.started_at_epoch_s;
  const auto days_left = *leaf_cert_days_left(result);
  if (seconds_left > 0 && days_left >= min_days) return std::nullopt;

  auto finding = assertion_finding("cert_lifetime_short", Stage::tls, assertion);
  // An expired leaf gets here only under -k/--insecure (verification fails it otherwise).
  finding.summary = seconds_left > 0
                        ? "certificate expires in " + days_text(days_left) + " (" + leaf.not_after + "), sooner than " +
                              assertion + "."
                        : "certificate expired " + days_text(-days_left) + " ago (" + leaf.not_after + "), below " +
                              assertion + ".";
  finding.evidence.push_back("leaf: " + leaf.subject + ", not after " + leaf.not_after);
  finding.evidence.push_back(days_text(days_left) + " left < " + assertion);
  return finding;
}

// "chat.v2, chat.v1" from the Sec-WebSocket-Protocol line of the request as sent; "none" without one.
std::string offered_subprotocols(const UpgradeObservation& upgrade) {
  std::string_view request = upgrade.request;
  constexpr std::string_view kName = "Sec-WebSocket-Protocol:";
  while (!request.empty()) {
    const auto end = request.find("\r\n");
    auto line = request.substr(0, end);
    if (line.size() >= kName.size() && iequals(line.substr(0, kName.size()), kName)) {
      line.remove_prefix(kName.size());
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      return std::string(line);
    }
    if (end == std::string_view::npos) break;
    request.remove_prefix(end + 2);
  }
  return "none";
}

std::optional<Finding> check_subprotocol(const TargetResult& result, const std::string& expected) {
  // A bearer-token subprotocol is shown redacted, in the assertion as in the observation.
  const auto shown = redact_subprotocol(expected);
  const auto assertion = "--expect-subprotocol " + shown;
  const auto* upgrade = result.observed.upgrade ? &*result.observed.upgrade : nullptr;
  if (!stage_passed(result, Stage::upgrade) || !upgrade)
    return unchecked(result, "subprotocol_unexpected", Stage::upgrade, assertion, "the upgrade did not complete");
  if (upgrade->subprotocol == expected || upgrade->subprotocol == shown) return std::nullopt;
  const auto chosen = upgrade->subprotocol ? *upgrade->subprotocol : std::string("none");
  auto finding = assertion_finding("subprotocol_unexpected", Stage::upgrade, assertion);
  finding.summary = upgrade->subprotocol ? "upgrade chose subprotocol " + chosen + ", not " + assertion + "."
                                         : "upgrade chose no subprotocol, not " + assertion + ".";
  finding.evidence.push_back("offered: " + offered_subprotocols(*upgrade));
  finding.evidence.push_back("chosen: " + chosen + " != " + assertion);
  return finding;
}

// "401 Unauthorized" from "HTTP/1.1 401 Unauthorized"; the bare number without a status line.
std::string status_words(const UpgradeObservation& upgrade) {
  const auto code = std::to_string(upgrade.status_code.value_or(0));
  if (!upgrade.status_line) return code;
  const auto at = upgrade.status_line->find(' ');
  return at == std::string::npos ? code : upgrade.status_line->substr(at + 1);
}

std::optional<Finding> check_status(const TargetResult& result, int expected) {
  const auto assertion = "--expect-status " + std::to_string(expected);
  const auto* upgrade = result.observed.upgrade ? &*result.observed.upgrade : nullptr;
  if (!upgrade || !upgrade->status_code)
    return unchecked(result, "status_unexpected", Stage::upgrade, assertion, "no HTTP answer to the upgrade");
  if (*upgrade->status_code == expected) return std::nullopt;
  auto finding = assertion_finding("status_unexpected", Stage::upgrade, assertion);
  finding.summary = "upgrade answered " + status_words(*upgrade) + ", not " + assertion + ".";
  if (upgrade->status_line) finding.evidence.push_back("status line: " + *upgrade->status_line);
  finding.evidence.push_back("upgrade status " + std::to_string(*upgrade->status_code) + " != " + assertion);
  return finding;
}

bool refusal_expected(const TargetResult& result) {
  const auto& expected = result.assertions.expect_status;
  const auto* upgrade = result.observed.upgrade ? &*result.observed.upgrade : nullptr;
  const auto* stage = find_stage(result, Stage::upgrade);
  return expected && *expected != 101 && upgrade && upgrade->status_code == *expected && stage &&
         stage->status == StageStatus::failed;
}


}  // namespace

std::vector<Finding> check_assertions(const TargetResult& result) {
  const auto& assertions = result.assertions;
  std::vector<std::optional<Finding>> checked;
  for (const auto& limit : assertions.max_stage) checked.push_back(check_stage(result, limit));
  if (assertions.min_cert_days) checked.push_back(check_cert_days(result, *assertions.min_cert_days));
  if (assertions.expect_status) checked.push_back(check_status(result, *assertions.expect_status));
  if (assertions.expect_subprotocol) checked.push_back(check_subprotocol(result, *assertions.expect_subprotocol));
  for (const auto& limit : assertions.max_latency) checked.push_back(check_latency(result, limit));

  std::vector<Finding> findings;
  for (auto& each : checked)
    if (each) findings.push_back(std::move(*each));
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.stage < b.stage; });
  return findings;
}

void accept_expected_status(const TargetResult& result, std::vector<Finding>& findings) {
  if (!refusal_expected(result)) return;
  const auto assertion = "--expect-status " + std::to_string(*result.assertions.expect_status);
  // The target failed at upgrade, so every failure among the probe's own findings is that status's.
  for (auto& finding : findings) {
    if (finding.severity != Severity::fail) continue;
    finding.severity = Severity::info;
    finding.summary = "Expected by " + assertion + ": " + finding.summary;
    finding.evidence.push_back("upgrade status " + std::to_string(*result.assertions.expect_status) + " == " +
                               assertion + ": the refusal was expected, so it does not fail the target");
  }
}

void apply_fail_on(std::vector<Finding>& findings, FailOn fail_on) {
  if (fail_on != FailOn::warn) return;
  for (auto& finding : findings) {
    if (finding.severity != Severity::warn) continue;
    finding.severity = Severity::fail;
    finding.evidence.emplace_back(kFailOnWarnEvidence);
  }
}

bool raised_by_fail_on(const Finding& finding) {
  return finding.severity == Severity::fail &&
         std::find(finding.evidence.begin(), finding.evidence.end(), kFailOnWarnEvidence) != finding.evidence.end();
}

std::string expected_status_words(const TargetResult& result) {
  if (!refusal_expected(result)) return "";
  return "upgrade answered " + status_words(*result.observed.upgrade) + ", as --expect-status " +
         std::to_string(*result.assertions.expect_status) + " expects.";
}

void explain_assertion_verdict(const TargetResult& result, Verdict& verdict) {
  if (verdict.status == VerdictStatus::fail) {
    const auto primary = std::find_if(result.findings.begin(), result.findings.end(),
                                      [](const Finding& f) { return f.severity == Severity::fail; });
    if (primary != result.findings.end() && raised_by_fail_on(*primary))
      verdict.summary = with_aside(verdict.summary, kFailOnWarnEvidence);
  }
  const auto expected = expected_status_words(result);
  if (expected.empty()) return;
  verdict.summary = verdict.status == VerdictStatus::pass ? expected : verdict.summary + " The " + expected;
}

}  // namespace wsprobe

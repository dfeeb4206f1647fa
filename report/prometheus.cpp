#include "report/prometheus.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "report/text.hpp"

namespace wsprobe {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct FamilyInfo {
  std::string_view name;
  std::string_view help;
};

// Every family is a gauge: each sample is this run's value, not a count that grows across runs
// (the textfile collector re-reads the whole file). Latency quantiles are gauges with a quantile
// label rather than a summary: a summary promises _sum and _count counters over a process's
// life, which a one-shot probe does not have.
constexpr std::array kFamilies{
    FamilyInfo{"wsprobe_probe_success", "1 when the target's verdict is pass or degraded, 0 when it is fail."},
    FamilyInfo{"wsprobe_verdict", "The target's verdict (status, cause id, first failing stage); always 1."},
    FamilyInfo{"wsprobe_probe_duration_seconds", "Time the whole probe of the target took."},
    FamilyInfo{"wsprobe_stage_duration_seconds", "Time each stage that ran took."},
    FamilyInfo{"wsprobe_upgrade_status_code", "HTTP status of the answer to the upgrade request (101 when upgraded)."},
    FamilyInfo{"wsprobe_latency_seconds", "Round-trip time quantiles of pings (kind=ping) and echoed messages (kind=echo)."},
    FamilyInfo{"wsprobe_latency_samples", "Round trips behind wsprobe_latency_seconds."},
    FamilyInfo{"wsprobe_cert_expiry_timestamp_seconds", "notAfter of the server's leaf certificate, Unix time."},
    FamilyInfo{"wsprobe_cert_days_left", "Whole days from the probe to the leaf certificate's notAfter; negative once expired."},
    FamilyInfo{"wsprobe_findings", "Findings of the probe by severity."},
    FamilyInfo{"wsprobe_assertions_broken", "Assertions of the target (--max-latency, --max-stage, ...) that did not hold."},
    FamilyInfo{"wsprobe_hold_survived", "1 when the connection was still alive at the end of --hold, 0 when it was cut."},
    FamilyInfo{"wsprobe_hold_cut_after_seconds", "Time from the start of --hold to the first sign of the cut."},
    FamilyInfo{"wsprobe_run_timestamp_seconds", "When the run started (its first probe), Unix time."},
    FamilyInfo{"wsprobe_build_info", "The wsprobe that wrote this file; always 1."},
};

// Text format 0.0.4: a label value escapes backslash, double quote and line feed; the file is UTF-8.
std::string label_value(std::string_view raw) {
  std::string out;
  for (const char c : text::valid_utf8(raw)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class Exposition {
 public:
  // No timestamp on any sample: node_exporter's textfile collector rejects them.
  void add(std::string_view family, const Labels& labels, std::string value) {
    std::string line(family);
    if (!labels.empty()) {
      line += '{';
      for (std::size_t i = 0; i < labels.size(); ++i)
        line += (i ? "," : "") + labels[i].first + "=\"" + label_value(labels[i].second) + "\"";
      line += '}';
    }
    samples_[index(family)].push_back(line + " " + value + "\n");
  }

  // Each family once, in kFamilies' order, with its samples in the order added; a family without
  // samples is left out.
  std::string text() const {
    std::string out;
    for (std::size_t i = 0; i < kFamilies.size(); ++i) {
      if (samples_[i].empty()) continue;
      out += "# HELP " + std::string(kFamilies[i].name) + " " + std::string(kFamilies[i].help) + "\n";
      out += "# TYPE " + std::string(kFamilies[i].name) + " gauge\n";
      for (const auto& sample : samples_[i]) out += sample;
    }
    return out;
  }

 private:
  static std::size_t index(std::string_view family) {
    const auto it = std::find_if(kFamilies.begin(), kFamilies.end(),
                                 [&](const FamilyInfo& info) { return info.name == family; });
    return static_cast<std::size_t>(it - kFamilies.begin());  // every caller names a listed family
  }

  std::array<std::vector<std::string>, kFamilies.size()> samples_;
};

Labels with(Labels labels, std::initializer_list<std::pair<std::string, std::string>> more) {
  labels.insert(labels.end(), more.begin(), more.end());
  return labels;
}

// The labels every sample of a target carries: url (redacted as in every report), name and tags
// when the targets file gave them, and under --all-addresses the node's address.
Labels target_labels(const TargetResult& result, const Target& target) {
  Labels labels{{"url", target.url}};
  if (target.name) labels.emplace_back("name", *target.name);
  if (!target.tags.empty()) {
    std::string tags;
    for (const auto& tag : target.tags) tags += (tags.empty() ? "" : ",") + tag;
    labels.emplace_back("tags", tags);
  }
  if (const auto address = text::node_address(result)) labels.emplace_back("address", *address);
  return labels;
}

void add_latency(Exposition& out, const Labels& labels, std::string kind, const std::optional<LatencyStats>& stats) {
  if (!stats || stats->samples == 0) return;
  const std::array<std::pair<std::string, Micros>, 4> quantiles{
      {{"0.5", stats->p50}, {"0.9", stats->p90}, {"0.95", stats->p95}, {"0.99", stats->p99}}};
  for (const auto& [quantile, value] : quantiles)
    out.add("wsprobe_latency_seconds", with(labels, {{"kind", kind}, {"quantile", quantile}}),
            text::format_seconds(value));
  out.add("wsprobe_latency_samples", with(labels, {{"kind", kind}}), std::to_string(stats->samples));
}

void add_target(Exposition& out, const TargetResult& result, const Target& target) {
  const auto labels = target_labels(result, target);
  const auto& verdict = result.verdict;
  out.add("wsprobe_probe_success", labels, verdict.status == VerdictStatus::fail ? "0" : "1");
  auto verdict_labels = with(labels, {{"status", std::string(to_string(verdict.status))}, {"cause", verdict.cause}});
  if (verdict.stage) verdict_labels.emplace_back("stage", std::string(to_string(*verdict.stage)));
  out.add("wsprobe_verdict", verdict_labels, "1");
  out.add("wsprobe_probe_duration_seconds", labels, text::format_seconds(result.total_duration));
  for (const auto& stage : result.stages)
    if (stage.status != StageStatus::skipped)
      out.add("wsprobe_stage_duration_seconds", with(labels, {{"stage", std::string(to_string(stage.stage))}}),
              text::format_seconds(stage.duration));

  const auto& observed = result.observed;
  if (observed.upgrade && observed.upgrade->status_code)
    out.add("wsprobe_upgrade_status_code", labels, std::to_string(*observed.upgrade->status_code));
  if (observed.echo) {
    add_latency(out, labels, "ping", observed.echo->ping_latency);
    add_latency(out, labels, "echo", observed.echo->echo_latency);
  }
  if (observed.tls && !observed.tls->peer_chain.empty())
    out.add("wsprobe_cert_expiry_timestamp_seconds", labels,
            std::to_string(observed.tls->peer_chain.front().not_after_epoch_s));
  if (const auto days = leaf_cert_days_left(result)) out.add("wsprobe_cert_days_left", labels, std::to_string(*days));

  // All three severities, zeros included, so `wsprobe_findings{severity="warn"} > 0` needs no absent().
  for (const auto severity : {Severity::info, Severity::warn, Severity::fail}) {
    const auto count = std::count_if(result.findings.begin(), result.findings.end(),
                                     [&](const Finding& finding) { return finding.severity == severity; });
    out.add("wsprobe_findings", with(labels, {{"severity", std::string(to_string(severity))}}), std::to_string(count));
  }

  const auto broken = std::count_if(result.findings.begin(), result.findings.end(),
                                    [](const Finding& finding) { return finding.assertion.has_value(); });
  out.add("wsprobe_assertions_broken", labels, std::to_string(broken));

  if (observed.hold) {
    out.add("wsprobe_hold_survived", labels, observed.hold->survived ? "1" : "0");
    if (observed.hold->cut_after)
      out.add("wsprobe_hold_cut_after_seconds", labels, text::format_seconds(*observed.hold->cut_after));
  }
}

}  // namespace

std::string render_prometheus(const RunReport& report) {
  Exposition out;
  std::optional<std::int64_t> run_start;
  for (const auto& result : report.results) {
    add_target(out, result, result.target);
    for (const auto& node : result.nodes) add_target(out, node, result.target);
    if (result.started_at_epoch_s > 0)
      run_start = std::min(run_start.value_or(result.started_at_epoch_s), result.started_at_epoch_s);
  }
  if (run_start) out.add("wsprobe_run_timestamp_seconds", {}, std::to_string(*run_start));
  out.add("wsprobe_build_info", {{"version", report.tool.version}}, "1");
  return out.text();
}

}  // namespace wsprobe

#pragma once
// Findings, verdicts and the report of a run: what checks/ produce and report/ renders.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/followup.hpp"
#include "model/observations.hpp"
#include "model/target.hpp"

namespace wsprobe {

enum class Severity { info, warn, fail };
std::string_view to_string(Severity severity);

// How sure a rule is: a rule built on a heuristic ("unconf." in the knowledge base) is at most likely.
enum class Confidence { certain, likely, possible };
std::string_view to_string(Confidence confidence);

struct Finding {
  std::string id;  // a cause id from checks/catalogue (causes.md)
  Severity severity = Severity::info;
  Stage stage = Stage::dns;
  Confidence confidence = Confidence::certain;
  std::string summary;                // one sentence, for a ticket
  std::vector<std::string> evidence;  // what the probe saw that triggered it
  std::string fix;
  std::vector<std::string> vendor_fixes;  // "AWS ALB: ..." for the products the fingerprints name
  std::optional<std::string> hop;  // "client to edge", "edge to backend", when the evidence tells
  // A broken --max-latency, --max-stage, --min-cert-days, --expect-subprotocol or --expect-status:
  // the assertion as the user wrote it ("--max-stage tls=300ms"); empty for the probe's own findings.
  std::optional<std::string> assertion;
};

// Who answered: a load balancer, CDN, proxy or server recognised from what it sent.
struct Fingerprint {
  std::string name;  // "AWS ALB", "nginx", "Cloudflare"
  std::string role;  // "load balancer", "CDN", "proxy", "server"
  Confidence confidence = Confidence::likely;
  std::vector<std::string> evidence;  // the header, cookie, body or certificate fact that matched
};

enum class VerdictStatus { pass, degraded, fail };
std::string_view to_string(VerdictStatus status);

struct Verdict {
  VerdictStatus status = VerdictStatus::pass;
  std::optional<Stage> stage;  // the first failing stage
  std::string cause = "ok";    // cause id
  std::string summary;
  std::optional<std::string> hop;  // "client to edge", "edge to backend", when the evidence tells
};

struct TargetResult {
  Target target;
  std::string started_at;  // ISO 8601 UTC wall clock
  std::int64_t started_at_epoch_s = 0;  // the same instant, for rules that compare dates
  Micros total_duration{0};
  std::vector<StageResult> stages;  // every stage in order, skipped ones included
  Observations observed;
  std::vector<FollowUpObservation> followups;  // extra probes run to separate look-alikes
  std::vector<Fingerprint> fingerprints;
  std::vector<Finding> findings;
  Verdict verdict;
  int cert_warn_days = 14;  // --cert-warn-days, for the tls_cert_expiring rule
  Assertions assertions;    // the target's --max-latency, --max-stage, ... (checks/assertions)
  // --all-addresses: one probe per resolved address, in DNS order; this result's own stages are
  // the DNS resolution that found them, and its verdict folds theirs (lb_node_partial_failure).
  std::vector<TargetResult> nodes;
  // The run's SIGINT/SIGTERM ("SIGTERM") cut this target's probe or diagnosis short, or came before
  // its turn; empty when it finished.
  std::optional<std::string> interrupted;
};

struct ToolInfo {
  std::string name = "wsprobe";
  std::string version;
  std::vector<std::string> argv;  // secrets redacted
  // Where it ran, for a support bundle (--markdown) and the JSON report: "os", "openssl",
  // "boost", "hostname"... in a stable order. Filled by app/; empty in unit tests.
  std::vector<std::pair<std::string, std::string>> environment;
};

struct RunReport {
  ToolInfo tool;
  std::vector<TargetResult> results;
  std::optional<std::string> interrupted;  // the signal that stopped the run; empty when it ran to its end
};

// The result's entry for `stage`; null when the result has none.
const StageResult* find_stage(const TargetResult& result, Stage stage);
// The stage ran and passed (ok, or ok with a warning).
bool stage_passed(const TargetResult& result, Stage stage);
// Whole days from the probe's start to the leaf certificate's notAfter, rounded down (negative once
// expired); empty without a certificate or a start time. What tls_cert_expiring, --min-cert-days
// and the reports count.
std::optional<std::int64_t> leaf_cert_days_left(const TargetResult& result);

// The process exit code for a run: 0 pass, 1 any failed, 3 any degraded (none failed), and
// kExitInterrupted, whatever the verdicts, for a run a signal stopped.
inline constexpr int kExitInterrupted = 5;
int exit_code_for(const RunReport& report);

}  // namespace wsprobe

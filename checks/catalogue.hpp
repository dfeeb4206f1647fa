#pragma once
// The cause catalogue: one entry per cause id (../shared/diagnosis/causes.md). The ids are a public
// contract; CI pipelines match on them. Never rename one.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/report.hpp"
#include "model/stage.hpp"

namespace wsprobe {

// The products a vendor fix is written for. checks/fingerprints maps what it recognises onto these
// (vendors_of), so a report can show the fix for the product that answered.
namespace vendor {
inline constexpr std::string_view kAwsNlb = "AWS NLB";
inline constexpr std::string_view kAwsAlb = "AWS ALB";
inline constexpr std::string_view kAwsClb = "AWS CLB";
inline constexpr std::string_view kNginx = "nginx / ingress-nginx";
inline constexpr std::string_view kHaproxy = "HAProxy";
inline constexpr std::string_view kCloudflare = "Cloudflare";
inline constexpr std::string_view kGcp = "GCP load balancer";
inline constexpr std::string_view kAzureAppGateway = "Azure Application Gateway";
inline constexpr std::string_view kAzureFrontDoor = "Azure Front Door";
inline constexpr std::string_view kAzureLoadBalancer = "Azure Load Balancer";
inline constexpr std::string_view kEnvoy = "Envoy / Istio";
inline constexpr std::string_view kTraefik = "Traefik";
inline constexpr std::string_view kCloudFront = "CloudFront";
inline constexpr std::string_view kApiGateway = "AWS API Gateway";
inline constexpr std::string_view kSquid = "Squid";
}  // namespace vendor

// A fix for one product on the path (knowledge base §1, "remediation").
struct VendorFix {
  std::string_view vendor;  // one of the vendor:: labels above
  std::string_view fix;
};

// A source behind a cause: a knowledge-base citation key (§3) and its short text.
struct SourceRef {
  std::string_view key;   // "X3", "Q1–Q5" (as the knowledge base writes it)
  std::string_view text;  // "nginx.org/en/docs/http/websocket.html"
};

struct CauseInfo {
  std::string_view id;
  std::optional<Stage> stage;   // the stage it belongs to; empty for run-wide causes (ok)
  std::string_view title;       // a few words, for a verdict line
  std::string_view explanation; // what it means, as a user would read it
  std::string_view fix;         // the general fix
  // Members below have defaults so that entries without them stay five positional values.
  std::span<const VendorFix> vendor_fixes{};  // per product, where the knowledge base has one
  std::span<const SourceRef> references{};    // where the signature and the fixes come from
  // The most a rule may claim from the passive signature when the knowledge base marks it
  // "unconf." (a heuristic). A follow-up probe that reproduces the cause may claim more.
  Confidence confidence_ceiling = Confidence::certain;
  std::span<const std::string_view> kb_rows{};  // the knowledge base §1 rows behind the signature
};

std::span<const CauseInfo> cause_catalogue();
const CauseInfo* find_cause(std::string_view id);

// The fixes to show for `cause`: the general fix first, then "<vendor>: <fix>" for each vendor fix
// whose product a fingerprint names; every vendor fix when no fingerprint names one of them.
// The vendor fixes for the products the fingerprints name ("AWS ALB: ..."); none when none is named.
std::vector<std::string> matching_vendor_fixes(const CauseInfo& cause, const std::vector<Fingerprint>& fingerprints);
std::vector<std::string> fixes_for(const CauseInfo& cause, const std::vector<Fingerprint>& fingerprints);

// `confidence` lowered to the cause's ceiling (certain > likely > possible).
Confidence capped_confidence(Confidence confidence, const CauseInfo& cause);

}  // namespace wsprobe

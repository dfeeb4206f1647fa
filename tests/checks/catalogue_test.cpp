// The catalogue against the public contract: ../shared/diagnosis/causes.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "checks/catalogue.hpp"
#include "checks/fingerprints.hpp"
#include "checks/rules.hpp"
#include "checks/verdict.hpp"
#include "support/rule_scenarios.hpp"
#include "support/text_checks.hpp"

using namespace wsprobe;

namespace {

using wsprobe::test::trim;

const std::string kCausesPath = WSPROBE_SOURCE_DIR "/../shared/diagnosis/causes.md";

struct DocumentedCause {
  std::string id;
  std::string stage;  // as the table writes it: "-", "tls", "echo/hold", "tcp..echo"
};

std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
  return s;
}

// Rows of the id table: "| `id` | stage | meaning |".
std::optional<std::vector<DocumentedCause>> read_causes_table() {
  std::ifstream in(kCausesPath);
  if (!in) return std::nullopt;
  std::vector<DocumentedCause> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
    if (cells.size() < 3) continue;
    out.push_back({unquote(cells[0]), trim(cells[1])});
  }
  return out;
}

// The ids in backticks on the "Warnings ..." paragraph.
std::vector<std::string> read_documented_warnings() {
  std::ifstream in(kCausesPath);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  const auto start = text.find("Warnings");
  if (start == std::string::npos) return out;
  for (auto pos = text.find('`', start); pos != std::string::npos; pos = text.find('`', pos)) {
    const auto end = text.find('`', pos + 1);
    if (end == std::string::npos) break;
    out.push_back(text.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return out;
}

// The stages a table cell allows: one name, "a/b", or a range "a..b" (in stage order).
std::vector<Stage> allowed_stages(const std::string& cell) {
  std::vector<Stage> out;
  if (const auto dots = cell.find(".."); dots != std::string::npos) {
    const auto from = stage_from_string(cell.substr(0, dots));
    const auto to = stage_from_string(cell.substr(dots + 2));
    if (from && to)
      for (int s = static_cast<int>(*from); s <= static_cast<int>(*to); ++s) out.push_back(static_cast<Stage>(s));
    return out;
  }
  std::stringstream parts(cell);
  for (std::string part; std::getline(parts, part, '/');)
    if (const auto stage = stage_from_string(trim(part))) out.push_back(*stage);
  return out;
}

bool is_snake_case(std::string_view id) {
  if (id.empty() || id.front() < 'a' || id.front() > 'z' || id.back() == '_') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok || (c == '_' && id[i + 1] == '_')) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("every cause id in causes.md is catalogued - explained - and at its stage", "[checks]") {
  const auto table = read_causes_table();
  if (!table) {
    WARN("skipped: " << kCausesPath << " is absent (CI clones shared/ beside the repo)");
    return;
  }
  REQUIRE(table->size() >= 40);  // the table as of writing has 44 rows; a parse that finds few is broken
  for (const auto& documented : *table) {
    SECTION(documented.id) {
      const auto* cause = find_cause(documented.id);
      REQUIRE(cause != nullptr);
      CHECK_FALSE(cause->title.empty());
      CHECK_FALSE(cause->explanation.empty());
      CHECK_FALSE(cause->fix.empty());
      if (documented.stage == "-") {
        CHECK_FALSE(cause->stage);
      } else {
        const auto allowed = allowed_stages(documented.stage);
        INFO("table stage: " << documented.stage);
        REQUIRE_FALSE(allowed.empty());
        REQUIRE(cause->stage);
        CHECK(std::find(allowed.begin(), allowed.end(), *cause->stage) != allowed.end());
      }
    }
  }
}

TEST_CASE("the warnings causes.md names are catalogued", "[checks]") {
  if (!read_causes_table()) {
    WARN("skipped: " << kCausesPath << " is absent");
    return;
  }
  const auto warnings = read_documented_warnings();
  REQUIRE_FALSE(warnings.empty());
  for (const auto& id : warnings) {
    INFO(id);
    const auto* cause = find_cause(id);
    REQUIRE(cause != nullptr);
    CHECK_FALSE(cause->fix.empty());
  }
}

TEST_CASE("catalogue ids are unique snake_case with text", "[checks]") {
  std::set<std::string_view> seen;
  REQUIRE_FALSE(cause_catalogue().empty());
  for (const auto& cause : cause_catalogue()) {
    INFO(cause.id);
    CHECK(is_snake_case(cause.id));
    CHECK(seen.insert(cause.id).second);
    CHECK_FALSE(cause.title.empty());
    CHECK_FALSE(cause.explanation.empty());
    CHECK_FALSE(cause.fix.empty());
    CHECK(find_cause(cause.id) == &cause);
  }
  CHECK(find_cause("ok") != nullptr);
  CHECK(find_cause("no_such_cause") == nullptr);
  CHECK(find_cause("") == nullptr);
}

TEST_CASE("every id the rules produce is catalogued - at the stage the finding names", "[checks]") {
  std::set<std::string> produced;
  for (const auto& scenario : testing::rule_scenarios()) {
    auto result = scenario.make();
    diagnose(result);
    produced.insert(result.verdict.cause);
    for (const auto& finding : result.findings) {
      INFO(scenario.name << ": " << finding.id);
      produced.insert(finding.id);
      const auto* cause = find_cause(finding.id);
      REQUIRE(cause != nullptr);
      REQUIRE(cause->stage);
      CHECK(*cause->stage == finding.stage);
    }
  }
  // The scenarios reach every rule family: dns, tcp, tls, upgrade, echo, close, warnings.
  CHECK(produced.size() >= 40);
  for (const auto& id : produced) {
    INFO(id);
    CHECK(find_cause(id) != nullptr);
  }
}

// ---- Vendor fixes, sources and confidence ceilings, against ../shared/diagnosis/knowledge-base.md.

namespace {

const std::string kKnowledgeBasePath = WSPROBE_SOURCE_DIR "/../shared/diagnosis/knowledge-base.md";

std::string read_knowledge_base() {
  std::ifstream in(kKnowledgeBasePath);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string without_backticks(std::string_view text) {
  std::string out;
  for (const char c : text)
    if (c != '`') out += c;
  return out;
}

// §1 rows: "| `kb_id` | where | signature | ..." -> id to the whole row.
std::map<std::string, std::string> knowledge_base_rows(const std::string& kb) {
  std::map<std::string, std::string> rows;
  std::stringstream in(kb);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto end = line.find('`', 3);
    if (end != std::string::npos) rows[line.substr(3, end - 3)] = line;
  }
  return rows;
}

// §3 lines: "- **KEY** text" -> key to text (backticks removed).
std::map<std::string, std::string> knowledge_base_sources(const std::string& kb) {
  std::map<std::string, std::string> sources;
  std::stringstream in(kb);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("- **", 0) != 0) continue;
    const auto end = line.find("**", 4);
    if (end != std::string::npos) sources[line.substr(4, end - 4)] = without_backticks(line.substr(end + 2));
  }
  return sources;
}

// The KB rows whose signature as a whole is a heuristic ("unconf." on the signature the cause rests
// on, not on a side detail): a rule built on them must not claim certainty from the signature.
const std::vector<std::string> kUnconfirmedRows = {"pp2_unexpected_by_target", "pp_expected_missing",
                                                   "nlb_tls_tg_plain_target"};

const std::vector<std::string_view> kVendorLabels = {
    vendor::kAwsNlb,  vendor::kAwsAlb,    vendor::kAwsClb,          vendor::kNginx,          vendor::kHaproxy,
    vendor::kCloudflare, vendor::kGcp,    vendor::kAzureAppGateway, vendor::kAzureFrontDoor, vendor::kAzureLoadBalancer,
    vendor::kEnvoy,   vendor::kTraefik,   vendor::kCloudFront,      vendor::kApiGateway,     vendor::kSquid};

Fingerprint fingerprint_named(std::string name) {
  Fingerprint f;
  f.name = std::move(name);
  return f;
}

}  // namespace

TEST_CASE("every vendor fix names a known vendor and says something", "[checks]") {
  std::size_t total = 0;
  for (const auto& cause : cause_catalogue()) {
    std::set<std::string_view> vendors;
    for (const auto& fix : cause.vendor_fixes) {
      INFO(cause.id << " / " << fix.vendor);
      CHECK(std::find(kVendorLabels.begin(), kVendorLabels.end(), fix.vendor) != kVendorLabels.end());
      CHECK(fix.fix.size() > 20);
      CHECK(vendors.insert(fix.vendor).second);  // one fix per vendor per cause
      ++total;
    }
  }
  CHECK(total >= 40);
  // The causes a load balancer most often explains carry vendor fixes.
  for (const auto* id : {"idle_timeout", "backend_unavailable", "upgrade_headers_stripped", "tls_terminated_twice",
                         "proxy_protocol_missing", "proxy_protocol_unexpected", "upgrade_rejected_auth",
                         "alb_target_group_incompatible"}) {
    INFO(id);
    REQUIRE(find_cause(id) != nullptr);
    CHECK_FALSE(find_cause(id)->vendor_fixes.empty());
  }
  // Every vendor label has a fingerprint name that maps onto it, so fixes_for can select it.
  for (const auto label : kVendorLabels) {
    INFO(label);
    bool reachable = false;
    for (const auto* name : {"AWS NLB", "AWS ALB", "AWS CLB", "nginx", "HAProxy", "Cloudflare", "GCP load balancer",
                             "Azure Application Gateway", "Azure Front Door", "Azure Load Balancer", "Envoy",
                             "Traefik", "CloudFront", "AWS API Gateway", "Squid"}) {
      const auto vendors = vendors_of(name);
      reachable = reachable || std::find(vendors.begin(), vendors.end(), label) != vendors.end();
    }
    CHECK(reachable);
  }
}

TEST_CASE("sources and knowledge-base rows resolve to the knowledge base", "[checks]") {
  const auto kb = read_knowledge_base();
  if (kb.empty()) {
    WARN("skipped: " << kKnowledgeBasePath << " is absent");
    return;
  }
  const auto rows = knowledge_base_rows(kb);
  const auto sources = knowledge_base_sources(kb);
  REQUIRE(rows.size() >= 30);
  REQUIRE(sources.size() >= 40);
  // The awsdocs user-guide files the knowledge base names by file, under their repository.
  const std::vector<std::string> prefixes = {"awsdocs/elb-network-load-balancers-user-guide doc_source/",
                                             "awsdocs/elb-application-load-balancers-user-guide doc_source/",
                                             "awsdocs/elb-classic-load-balancers-user-guide doc_source/"};
  for (const auto& cause : cause_catalogue()) {
    for (const auto& ref : cause.references) {
      INFO(cause.id << " / " << ref.key << ": " << ref.text);
      REQUIRE(sources.count(std::string(ref.key)) == 1);
      auto text = without_backticks(ref.text);
      for (const auto& prefix : prefixes)
        if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
      CHECK_FALSE(text.empty());
      CHECK(sources.at(std::string(ref.key)).find(text) != std::string::npos);
    }
    for (const auto row : cause.kb_rows) {
      INFO(cause.id << " / row " << row);
      CHECK(rows.count(std::string(row)) == 1);
    }
    if (!cause.vendor_fixes.empty()) {
      INFO(cause.id);
      CHECK_FALSE(cause.references.empty());
    }
  }
}

TEST_CASE("a cause resting on an unconfirmed signature has a ceiling below certain", "[checks]") {
  // Without the knowledge base, the causes known today to rest on one.
  for (const auto* id : {"proxy_protocol_unexpected", "proxy_protocol_missing", "upgrade_eof"}) {
    INFO(id);
    REQUIRE(find_cause(id) != nullptr);
    CHECK(find_cause(id)->confidence_ceiling != Confidence::certain);
  }
  const auto kb = read_knowledge_base();
  if (kb.empty()) {
    WARN("skipped: " << kKnowledgeBasePath << " is absent");
    return;
  }
  const auto rows = knowledge_base_rows(kb);
  for (const auto& row : kUnconfirmedRows) {
    INFO(row);
    REQUIRE(rows.count(row) == 1);
    CHECK(rows.at(row).find("unconf.") != std::string::npos);
  }
  for (const auto& cause : cause_catalogue()) {
    INFO(cause.id);
    const bool rests_on_unconfirmed = std::any_of(cause.kb_rows.begin(), cause.kb_rows.end(), [&](std::string_view row) {
      return std::find(kUnconfirmedRows.begin(), kUnconfirmedRows.end(), row) != kUnconfirmedRows.end();
    });
    if (rests_on_unconfirmed) CHECK(cause.confidence_ceiling != Confidence::certain);
    // And the other way: a ceiling is the knowledge base's doing, never a guess of the catalogue's.
    if (cause.confidence_ceiling != Confidence::certain) {
      const bool cites_unconf = std::any_of(cause.kb_rows.begin(), cause.kb_rows.end(), [&](std::string_view row) {
        const auto it = rows.find(std::string(row));
        return it != rows.end() && it->second.find("unconf.") != std::string::npos;
      });
      CHECK(cites_unconf);
    }
  }
}

TEST_CASE("a rule's passive verdict stays within the cause's ceiling", "[checks]") {
  // Follow-ups can confirm a cause; the main probe's signatures alone cannot exceed the ceiling.
  for (const auto& scenario : testing::rule_scenarios()) {
    auto result = scenario.make();
    result.followups.clear();
    diagnose(result);
    for (const auto& finding : result.findings) {
      INFO(scenario.name << ": " << finding.id);
      const auto* cause = find_cause(finding.id);
      REQUIRE(cause != nullptr);
      CHECK(static_cast<int>(finding.confidence) >= static_cast<int>(cause->confidence_ceiling));
    }
  }
}

TEST_CASE("fixes_for: the general fix first - then the vendor fixes the fingerprints name", "[checks]") {
  const auto* idle = find_cause("idle_timeout");
  REQUIRE(idle != nullptr);
  REQUIRE(idle->vendor_fixes.size() >= 5);

  SECTION("no fingerprint: the general fix, then every vendor fix in catalogue order") {
    const auto fixes = fixes_for(*idle, {});
    REQUIRE(fixes.size() == 1 + idle->vendor_fixes.size());
    CHECK(fixes.front() == idle->fix);
    for (std::size_t i = 0; i < idle->vendor_fixes.size(); ++i)
      CHECK(fixes[i + 1] == std::string(idle->vendor_fixes[i].vendor) + ": " + std::string(idle->vendor_fixes[i].fix));
  }
  SECTION("an ALB fingerprint: only the ALB's fix after the general one") {
    const auto fixes = fixes_for(*idle, {fingerprint_named("AWS ALB")});
    REQUIRE(fixes.size() == 2);
    CHECK(fixes[0] == idle->fix);
    CHECK_THAT(fixes[1], Catch::StartsWith("AWS ALB: "));
  }
  SECTION("Cloudflare in front of nginx: both, in catalogue order") {
    const auto fixes = fixes_for(*idle, {fingerprint_named("nginx"), fingerprint_named("Cloudflare")});
    REQUIRE(fixes.size() == 3);
    CHECK(fixes[0] == idle->fix);
    CHECK_THAT(fixes[1], Catch::StartsWith("nginx / ingress-nginx: "));
    CHECK_THAT(fixes[2], Catch::StartsWith("Cloudflare: "));
  }
  SECTION("a name that covers two products selects both") {
    const auto fixes = fixes_for(*idle, {fingerprint_named("AWS ELB (ALB or CLB)")});
    REQUIRE(fixes.size() == 3);
    CHECK_THAT(fixes[1], Catch::StartsWith("AWS ALB: "));
    CHECK_THAT(fixes[2], Catch::StartsWith("AWS CLB: "));
  }
  SECTION("fingerprints with no fix for this cause: every vendor fix") {
    const auto fixes = fixes_for(*idle, {fingerprint_named("Go net/http"), fingerprint_named("Akamai")});
    CHECK(fixes.size() == 1 + idle->vendor_fixes.size());
  }
  SECTION("a cause without vendor fixes: the general fix alone") {
    const auto* nxdomain = find_cause("dns_nxdomain");
    REQUIRE(nxdomain != nullptr);
    CHECK(fixes_for(*nxdomain, {fingerprint_named("AWS ALB")}) == std::vector<std::string>{std::string(nxdomain->fix)});
  }
}

TEST_CASE("the catalogue's additions leave make_finding as it was", "[checks]") {
  for (const auto& cause : cause_catalogue()) {
    INFO(cause.id);
    const auto finding = make_finding(cause.id, Severity::fail, cause.stage.value_or(Stage::dns), Confidence::certain);
    CHECK(finding.fix == cause.fix);
    CHECK(finding.summary == cause.explanation);
    CHECK(finding.confidence == Confidence::certain);  // no ceiling applied behind the rule's back
  }
  const auto* eof = find_cause("upgrade_eof");
  REQUIRE(eof != nullptr);
  CHECK(capped_confidence(Confidence::certain, *eof) == Confidence::possible);
  const auto* missing = find_cause("proxy_protocol_missing");
  REQUIRE(missing != nullptr);
  CHECK(capped_confidence(Confidence::certain, *missing) == Confidence::likely);
  CHECK(capped_confidence(Confidence::possible, *missing) == Confidence::possible);
  const auto* refused = find_cause("tcp_refused");
  REQUIRE(refused != nullptr);
  CHECK(capped_confidence(Confidence::certain, *refused) == Confidence::certain);
}

TEST_CASE("alb_target_group_incompatible: a project id for ALB's 464, at the upgrade stage", "[checks]") {
  const auto* cause = find_cause("alb_target_group_incompatible");
  REQUIRE(cause != nullptr);
  CHECK(cause->stage == Stage::upgrade);
  CHECK_THAT(std::string(cause->explanation), Catch::Contains("464"));
  REQUIRE(cause->vendor_fixes.size() == 1);
  CHECK(cause->vendor_fixes.front().vendor == vendor::kAwsAlb);
}

// The wording of the TLS rules under the TLS controls (--cert, --sni, --tls-min/--tls-max,
// --ciphers, --cert-warn-days), table-driven over synthetic observations: what a user who passed
// those flags reads in the verdict and the evidence.
#include <catch2/catch.hpp>

#include "checks/rules.hpp"
#include "checks/verdict.hpp"
#include "support/result_builder.hpp"
#include "support/text_checks.hpp"

namespace wsprobe {


namespace {

using test::any_contains;
using testing::failed_at;
using testing::healthy;
using testing::kSecondsPerDay;
using testing::Scheme;

struct TlsCase {
  std::string name;
  int alert;
  bool certificate_requested = false;
  std::optional<std::string> client_certificate;  // --cert given: the subject offered
  std::optional<std::string> sni;                 // replaces the synthetic probe's SNI
  std::optional<std::string> version_min, version_max;
  std::string detail_suffix;  // appended to "peer sent alert N (...)" as the probe words it
  std::string cause;
  Confidence confidence;
  std::string summary_has;
  std::vector<std::string> evidence_has;
};

TEST_CASE("tls rules under the TLS controls: cause, confidence, summary and evidence", "[checks][tls_controls]") {
  const std::string client = "CN=client,O=example";
  const std::vector<TlsCase> cases{
      {"no --cert, alert 116", 116, true, {}, {}, {}, {}, "", "tls_client_cert_required", Confidence::certain,
       "requires a client certificate", {"the server sent a CertificateRequest"}},
      {"no --cert, handshake_failure after a CertificateRequest", 40, true, {}, {}, {}, {}, "",
       "tls_client_cert_required", Confidence::likely, "requires a client certificate", {"alert received: 40"}},
      {"--cert from an untrusted CA: unknown_ca", 48, true, client, {}, {}, {}, "", "tls_client_cert_required",
       Confidence::certain, "rejected the client certificate given (CN=client,O=example): it does not trust the CA",
       {"client certificate offered: CN=client,O=example", "refused with alert 48 (unknown_ca)"}},
      {"--cert expired", 45, true, client, {}, {}, {}, "", "tls_client_cert_required", Confidence::certain,
       "expired or not yet valid", {"refused with alert 45 (certificate_expired)"}},
      {"--cert valid but not authorised", 49, true, client, {}, {}, {}, "", "tls_client_cert_required",
       Confidence::certain, "verified but is not allowed here", {"refused with alert 49 (access_denied)"}},
      {"--cert without clientAuth", 43, true, client, {}, {}, {}, "", "tls_client_cert_required", Confidence::certain,
       "extendedKeyUsage", {"refused with alert 43"}},
      {"--cert refused with a bare handshake_failure", 40, true, client, {}, {}, {}, "", "tls_client_cert_required",
       Confidence::likely, "rejected the client certificate given", {"refused with alert 40 (handshake_failure)"}},
      {"--cert given, not asked for, handshake_failure to the ClientHello", 40, false, client, {}, {}, {}, "",
       "tls_version_mismatch", Confidence::likely, "share no TLS version or cipher suite", {"alert received: 40"}},
      {"--tls-max 1.2 against TLS 1.3 only", 70, false, {}, {}, {}, "TLSv1.2", "", "tls_version_mismatch",
       Confidence::certain, "none of the TLS versions offered (up to TLSv1.2)",
       {"we offered TLS versions up to TLSv1.2 (--tls-min/--tls-max)"}},
      {"--tls-min 1.3 --tls-max 1.3", 70, false, {}, {}, "TLSv1.3", "TLSv1.3", "", "tls_version_mismatch",
       Confidence::certain, "(only TLSv1.3)", {"we offered TLS versions only TLSv1.3"}},
      {"--tls-min 1.2 alone", 70, false, {}, {}, "TLSv1.2", {}, "", "tls_version_mismatch", Confidence::certain,
       "(TLSv1.2 and above)", {"we offered TLS versions TLSv1.2 and above"}},
      {"--ciphers disjoint", 40, false, {}, {}, {}, {}, "; we offered only the ciphers ECDHE-ECDSA-AES256-GCM-SHA384",
       "tls_version_mismatch", Confidence::likely, "none of the cipher suites offered (--ciphers)",
       {"we offered only the ciphers ECDHE-ECDSA-AES256-GCM-SHA384"}},
      {"--ciphers and a version range", 40, false, {}, {}, "TLSv1.2", "TLSv1.3", "; we offered only the ciphers X",
       "tls_version_mismatch", Confidence::likely, "TLS versions (TLSv1.2 to TLSv1.3) and cipher suites (--ciphers)",
       {}},
      {"no controls: the catalogue's words", 70, false, {}, {}, {}, {}, "", "tls_version_mismatch", Confidence::certain,
       "Client and server share no TLS version or cipher suite.", {}},
      {"--sni '' and handshake_failure", 40, false, {}, "", {}, {}, "", "tls_sni_required", Confidence::likely,
       "needs SNI", {"no SNI was sent"}},
      {"--sni '' and unrecognized_name", 112, false, {}, "", {}, {}, "", "tls_sni_required", Confidence::certain,
       "needs SNI", {"no SNI was sent"}},
  };
  for (const auto& c : cases) {
    auto result = failed_at(Scheme::wss, Stage::tls, Condition::tls_failure, "peer sent alert " +
                                                                                 std::to_string(c.alert) + c.detail_suffix);
    auto& tls = *result.observed.tls;
    tls.alert_received = c.alert;
    tls.certificate_requested = c.certificate_requested;
    tls.client_certificate = c.client_certificate;
    if (c.sni) tls.sni = *c.sni;
    tls.version_min = c.version_min;
    tls.version_max = c.version_max;
    diagnose(result);
    INFO(c.name << ": " << result.verdict.cause << " - " << result.verdict.summary);
    REQUIRE_FALSE(result.findings.empty());
    const auto& finding = result.findings.front();
    for (const auto& line : finding.evidence) UNSCOPED_INFO("evidence: " << line);
    CHECK(finding.id == c.cause);
    CHECK(finding.confidence == c.confidence);
    CHECK_THAT(finding.summary, Catch::Contains(c.summary_has));
    for (const auto& text : c.evidence_has) CHECK(any_contains(finding.evidence, text));
  }
}

TEST_CASE("hostname mismatch under --sni: the evidence names the name checked", "[checks][tls_controls]") {
  auto result = failed_at(Scheme::wss, Stage::tls, Condition::tls_verify_failed, "hostname mismatch");
  auto& tls = *result.observed.tls;
  tls.sni = "other.example.test";
  tls.verify_result = 62;
  tls.verify_error = "hostname mismatch";
  tls.peer_chain = {healthy(Scheme::wss).observed.tls->peer_chain.front()};
  tls.peer_chain.front().subject_alt_names = {"DNS:echo.example.test"};
  diagnose(result);
  REQUIRE_FALSE(result.findings.empty());
  CHECK(result.findings.front().id == "tls_cert_hostname_mismatch");
  CHECK(any_contains(result.findings.front().evidence,
                     "asked for other.example.test; the certificate covers DNS:echo.example.test"));
}

// client_cert_finding is what checks/rules_upgrade.cpp words a refusal with when it shows after the
// handshake (TLS 1.3) or as nginx's 400 page.
TEST_CASE("client_cert_finding: required without --cert, rejected with one, never asked for through an edge",
          "[checks][tls_controls]") {
  struct Case {
    std::string name;
    bool has_tls;
    std::optional<std::string> client_certificate;
    bool certificate_requested;
    std::optional<int> alert;
    Confidence given;
    Confidence expected;
    std::string summary_has;
    std::string fix_has;
  };
  const std::vector<Case> cases{
      {"no observation", false, {}, false, 116, Confidence::certain, Confidence::certain,
       "requires a client certificate", "--cert"},
      {"no --cert, 116 after the handshake", true, {}, true, 116, Confidence::certain, Confidence::certain,
       "requires a client certificate", "--cert"},
      {"--cert, unknown_ca after the handshake", true, "CN=c", true, 48, Confidence::likely, Confidence::certain,
       "rejected the client certificate given (CN=c): it does not trust the CA", "clientAuth"},
      {"--cert, nginx's certificate error page", true, "CN=c", true, std::nullopt, Confidence::certain,
       Confidence::certain, "rejected the client certificate given (CN=c): its TLS layer refused it", "trust store"},
      {"--cert, never asked for, nginx says none was sent", true, "CN=c", false, std::nullopt, Confidence::certain,
       Confidence::certain, "never asked for one (no CertificateRequest)", "where TLS terminates"},
  };
  for (const auto& c : cases) {
    TlsObservation tls;
    tls.client_certificate = c.client_certificate;
    tls.certificate_requested = c.certificate_requested;
    const auto finding = client_cert_finding(c.has_tls ? &tls : nullptr, c.given, c.alert);
    INFO(c.name << ": " << finding.summary);
    CHECK(finding.id == "tls_client_cert_required");
    CHECK(finding.stage == Stage::tls);
    CHECK(finding.severity == Severity::fail);
    CHECK(finding.hop == std::string("client to edge"));
    CHECK(finding.confidence == c.expected);
    CHECK_THAT(finding.summary, Catch::Contains(c.summary_has));
    CHECK_THAT(finding.fix, Catch::Contains(c.fix_has));
    CHECK(any_contains(finding.evidence, "client certificate offered") == c.client_certificate.has_value());
  }
}

TEST_CASE("cert-warn-days (--cert-warn-days) sets the expiry warning's threshold; 0 turns it off", "[checks][tls_controls]") {
  struct Case {
    double days_left;
    int warn_days;
    bool warns;
  };
  const std::vector<Case> cases{{5.5, 14, true}, {5.5, 3, false}, {5.5, 0, false}, {2.5, 3, true},
                                {29.5, 30, true}, {30.5, 30, false}, {0.5, 1, true}};
  for (const auto& c : cases) {
    auto result = healthy(Scheme::wss);
    result.cert_warn_days = c.warn_days;
    result.observed.tls->peer_chain.front().not_after_epoch_s =
        result.started_at_epoch_s + static_cast<std::int64_t>(c.days_left * kSecondsPerDay);
    diagnose(result);
    INFO(c.days_left << " days left, --cert-warn-days " << c.warn_days << ": " << result.verdict.cause);
    CHECK((result.verdict.cause == "tls_cert_expiring") == c.warns);
    CHECK(result.verdict.status == (c.warns ? VerdictStatus::degraded : VerdictStatus::pass));
    if (c.warns)
      CHECK(any_contains(result.findings.front().evidence,
                         "warning threshold: " + std::to_string(c.warn_days) + " days (--cert-warn-days)"));
  }
}

}  // namespace
}  // namespace wsprobe

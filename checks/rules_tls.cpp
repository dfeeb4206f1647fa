// tls failures: OpenSSL's verify result and the alert the peer sent name the cause.
#include <openssl/x509_vfy.h>

#include "checks/evidence.hpp"
#include "checks/rules.hpp"

namespace wsprobe {
namespace {

// What an X509_V_ERR code means for the chain, in the words a ticket needs.
std::string untrusted_reason(long code) {
  switch (code) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return "the server's certificate is self-signed";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return "the chain ends in a self-signed root that is not trusted";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      return "the issuer is unknown here: a private CA (pass it with --cacert) or a missing intermediate";
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "the server sent only its leaf certificate: the intermediate is missing from the chain";
    default: return "the chain does not verify";
  }
}

Finding tls_finding(std::string_view id, Confidence confidence, const StageResult& stage, const TlsObservation* tls) {
  auto finding = make_finding(id, Severity::fail, Stage::tls, confidence);
  finding.hop = "client to edge";
  if (tls) {
    if (tls->verify_error) finding.evidence.push_back("verify: " + *tls->verify_error);
    if (tls->alert_received) finding.evidence.push_back("alert received: " + std::to_string(*tls->alert_received));
    if (tls->certificate_requested) finding.evidence.push_back("the server sent a CertificateRequest");
    if (tls->openssl_error) finding.evidence.push_back("openssl: " + *tls->openssl_error);
    if (!tls->first_bytes_hex.empty()) finding.evidence.push_back("first bytes: " + tls->first_bytes_hex);
    if (!tls->first_bytes_hex.empty())
      finding.evidence.push_back("first bytes are: " +
                                 classify_hex(tls->first_bytes_hex, stage.condition, tls->bytes_received).description);
    if (!tls->peer_chain.empty()) {
      const auto& leaf = tls->peer_chain.front();
      finding.evidence.push_back("leaf: " + leaf.subject + ", issuer " + leaf.issuer + ", valid " + leaf.not_before +
                                 " to " + leaf.not_after);
    }
  }
  if (!stage.detail.empty()) finding.evidence.push_back("handshake: " + stage.detail);
  return finding;
}

bool starts_with_hex(const std::string& hex, std::string_view prefix) { return hex.rfind(prefix, 0) == 0; }

}  // namespace

bool is_certificate_refusal(int alert) {
  switch (alert) {
    case 40: case 42: case 43: case 44: case 45: case 46: case 48: case 49: case 116: return true;
    default: return false;
  }
}

// The cause from the main probe alone; explain_tls_failure below adds what follow-ups saw.
static std::optional<Finding> explain_from_main_probe(const StageResult& stage, const Observations& observed,
                                                      const Target& target) {
  const TlsObservation* tls = observed.tls ? &*observed.tls : nullptr;
  switch (stage.condition) {
    case Condition::not_tls: {
      // "HTTP/" where a TLS record header belongs: the port speaks plaintext HTTP.
      const bool http = tls && starts_with_hex(tls->first_bytes_hex, "48 54 54 50");
      return tls_finding("tls_to_plaintext_port", http ? Confidence::certain : Confidence::likely, stage, tls);
    }
    case Condition::tls_verify_failed: {
      const long code = tls && tls->verify_result ? *tls->verify_result : -1;
      if (code == X509_V_ERR_CERT_HAS_EXPIRED || code == X509_V_ERR_CERT_NOT_YET_VALID)
        return tls_finding("tls_cert_expired", Confidence::certain, stage, tls);
      if (code == X509_V_ERR_HOSTNAME_MISMATCH || code == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        auto finding = tls_finding("tls_cert_hostname_mismatch", Confidence::certain, stage, tls);
        if (tls && !tls->peer_chain.empty()) {
          std::string names;
          for (const auto& san : tls->peer_chain.front().subject_alt_names) names += (names.empty() ? "" : ", ") + san;
          finding.evidence.push_back("asked for " + target.host + "; the certificate covers " +
                                     (names.empty() ? "no SAN" : names));
        }
        return finding;
      }
      auto finding = tls_finding("tls_cert_untrusted", Confidence::certain, stage, tls);
      finding.summary = "The certificate chain does not verify: " + untrusted_reason(code) + ".";
      return finding;
    }
    case Condition::tls_failure: {
      const int alert = tls && tls->alert_received ? *tls->alert_received : -1;
      // RFC 8446 §6.2 alert descriptions.
      if (alert == 120) return tls_finding("tls_alpn_no_overlap", Confidence::certain, stage, tls);
      if (alert == 112) return tls_finding("tls_sni_required", Confidence::certain, stage, tls);
      if (alert == 116) return tls_finding("tls_client_cert_required", Confidence::certain, stage, tls);
      // The server asked for a client certificate, got our empty one and refused: TLS 1.2 servers
      // (OpenSSL, "peer did not return a certificate") answer handshake_failure (40) or a
      // certificate alert instead of 116, which TLS 1.3 introduced.
      if (tls && tls->certificate_requested && is_certificate_refusal(alert))
        return tls_finding("tls_client_cert_required", Confidence::likely, stage, tls);
      if (alert == 40 && target.host_is_ip_literal)
        return tls_finding("tls_sni_required", Confidence::likely, stage, tls);
      if (alert == 70 || alert == 71) return tls_finding("tls_version_mismatch", Confidence::certain, stage, tls);
      // handshake_failure to our ClientHello itself (no ServerHello came, SNI was sent): the server
      // found nothing to agree on, a version or a cipher suite (RFC 8446 §4.1.1).
      if (alert == 40 && tls && !tls->version && !tls->sni.empty())
        return tls_finding("tls_version_mismatch", Confidence::likely, stage, tls);
      return tls_finding("tls_version_mismatch", Confidence::possible, stage, tls);
    }
    case Condition::timeout: return tls_finding("tls_handshake_timeout", Confidence::certain, stage, tls);
    default: return tls_finding("tls_handshake_eof", Confidence::certain, stage, tls);
  }
}

std::optional<Finding> explain_tls_failure(const StageResult& stage, const Observations& observed,
                                           const Target& target,
                                           const std::vector<FollowUpObservation>& followups) {
  auto finding = explain_from_main_probe(stage, observed, target);
  if (!finding || followups.empty()) return finding;
  std::vector<std::string> evidence;
  for (const auto& followup : followups) {
    evidence.push_back("follow-up " + std::string(to_string(followup.kind)) + ": " + followup.outcome);
    // A plain GET on the port got an HTTP answer: the port speaks plaintext HTTP, whatever its
    // first bytes to the ClientHello looked like.
    if (followup.kind == FollowUpKind::http_on_tls_port && followup.status_code &&
        finding->id == "tls_to_plaintext_port")
      finding->confidence = Confidence::certain;
  }
  finding->evidence.insert(finding->evidence.end(), evidence.begin(), evidence.end());
  return finding;
}

}  // namespace wsprobe

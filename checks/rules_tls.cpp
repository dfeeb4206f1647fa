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

std::string alert_text(int alert) { return std::to_string(alert) + " (" + std::string(tls_alert_name(alert)) + ")"; }

// What a server's refusal of a client certificate says about it (RFC 8446 §6.2, RFC 5246 §7.2.2).
std::string refusal_reason(std::optional<int> alert) {
  if (!alert) return "its TLS layer refused it";
  const std::string words = "alert " + alert_text(*alert);
  switch (*alert) {
    case 42: return "it found the certificate bad (" + words + ")";
    case 43: return "it does not accept this kind of certificate (" + words + "): key type, key usage or "
                    "extendedKeyUsage";
    case 44: return "the certificate is revoked (" + words + ")";
    case 45: return "the certificate is expired or not yet valid by the server's clock (" + words + ")";
    case 46: return "it could not verify the certificate (" + words + ")";
    case 48: return "it does not trust the CA that issued the certificate (" + words + ")";
    case 49: return "the certificate verified but is not allowed here (" + words + ")";
    case 116: return "it received no certificate it could use (" + words + "): the key type or signature "
                     "algorithm may be one it does not accept";
    default: return "it ended the handshake (" + words + ")";
  }
}

// A certificate alert that names what is wrong with the certificate itself, unlike
// handshake_failure (40) or certificate_required (116), which a server also sends for none at all.
bool names_certificate_problem(int alert) { return is_certificate_refusal(alert) && alert != 40 && alert != 116; }

// tls_client_cert_required when --cert was given: the server did not want the certificate
// offered, or (no CertificateRequest came) the TLS endpoint never asked for one.
void reword_for_offered_certificate(Finding& finding, const TlsObservation& tls, std::optional<int> alert) {
  const std::string& subject = *tls.client_certificate;
  finding.evidence.insert(finding.evidence.begin(), "client certificate offered: " + subject);
  if (alert) finding.evidence.push_back("refused with alert " + alert_text(*alert));
  if (!tls.certificate_requested) {
    finding.summary = "A client certificate was given (" + subject +
                      "), but the TLS endpoint reached never asked for one (no CertificateRequest) and a "
                      "client certificate is still missing: TLS likely ends at an edge in front that does not "
                      "request or forward client certificates.";
    finding.fix = "Turn on client certificate verification where TLS terminates (the edge), with the CA that "
                  "issued this certificate, or have the edge forward the verified certificate to the server "
                  "that checks it.";
    return;
  }
  finding.summary = "The server rejected the client certificate given (" + subject + "): " + refusal_reason(alert) + ".";
  finding.fix = "Use a client certificate the server accepts: issued by a CA in the server's client trust store "
                "(nginx ssl_client_certificate, the load balancer's trust store), valid now, with extendedKeyUsage "
                "clientAuth, and with its intermediates in the --cert file; or add its issuing CA to the server's "
                "client trust store.";
}

// The offered TLS versions, when --tls-min/--tls-max narrowed them: "TLSv1.2 to TLSv1.2", "up to TLSv1.2".
std::optional<std::string> offered_range(const TlsObservation& tls) {
  if (tls.version_min && tls.version_max)
    return *tls.version_min == *tls.version_max ? "only " + *tls.version_min
                                                : *tls.version_min + " to " + *tls.version_max;
  if (tls.version_max) return "up to " + *tls.version_max;
  if (tls.version_min) return *tls.version_min + " and above";
  return std::nullopt;
}

Finding version_mismatch(Confidence confidence, const StageResult& stage, const TlsObservation* tls) {
  auto finding = tls_finding("tls_version_mismatch", confidence, stage, tls);
  if (!tls) return finding;
  const auto range = offered_range(*tls);
  if (range) finding.evidence.push_back("we offered TLS versions " + *range + " (--tls-min/--tls-max)");
  // The probe's detail names a --ciphers restriction ("we offered only the ciphers ...").
  const bool ciphers = stage.detail.find("we offered only the ciphers") != std::string::npos;
  if (ciphers && range)
    finding.summary = "The server accepts none of the TLS versions (" + *range +
                      ") and cipher suites (--ciphers) offered.";
  else if (ciphers)
    finding.summary = "The server accepts none of the cipher suites offered (--ciphers).";
  else if (range)
    finding.summary = "The server accepts none of the TLS versions offered (" + *range + ").";
  if (ciphers || range)
    finding.fix = "Widen --tls-min/--tls-max/--ciphers to what clients really offer, or align the listener's security "
                  "policy with them (TLS 1.2+ with modern ciphers).";
  return finding;
}

}  // namespace

Finding client_cert_finding(const TlsObservation* tls, Confidence confidence, std::optional<int> alert) {
  if (tls && tls->client_certificate && tls->certificate_requested && alert && names_certificate_problem(*alert))
    confidence = Confidence::certain;
  auto finding = make_finding("tls_client_cert_required", Severity::fail, Stage::tls, confidence);
  finding.hop = "client to edge";
  if (tls && tls->client_certificate) reword_for_offered_certificate(finding, *tls, alert);
  return finding;
}

bool is_certificate_refusal(int alert) {
  switch (alert) {
    case 40: case 42: case 43: case 44: case 45: case 46: case 48: case 49: case 116: return true;
    default: return false;
  }
}

// The cause from the main probe alone; explain_tls_failure below adds what follow-ups saw.
static std::optional<Finding> explain_tls_from_main_probe(const StageResult& stage, const Observations& observed,
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
          // --sni NAME replaces the URL's host as the name checked.
          const std::string& asked = tls->sni.empty() ? target.host : tls->sni;
          finding.evidence.push_back("asked for " + asked + "; the certificate covers " +
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
      if (alert == 112) {
        auto finding = tls_finding("tls_sni_required", Confidence::certain, stage, tls);
        if (tls && tls->sni.empty()) finding.evidence.push_back("no SNI was sent");
        return finding;
      }
      // With --cert given, a certificate alert after a CertificateRequest is the server refusing
      // that certificate (unknown_ca for another CA's, certificate_expired, ...), not its absence.
      if (tls && tls->client_certificate && (alert == 116 || (tls->certificate_requested && is_certificate_refusal(alert)))) {
        auto finding = client_cert_finding(tls, alert == 116 ? Confidence::certain : Confidence::likely, alert);
        auto rest = tls_finding("tls_client_cert_required", finding.confidence, stage, tls).evidence;
        finding.evidence.insert(finding.evidence.end(), rest.begin(), rest.end());
        return finding;
      }
      if (alert == 116) return tls_finding("tls_client_cert_required", Confidence::certain, stage, tls);
      // The server asked for a client certificate, got our empty one and refused: TLS 1.2 servers
      // (OpenSSL, "peer did not return a certificate") answer handshake_failure (40) or a
      // certificate alert instead of 116, which TLS 1.3 introduced.
      if (tls && tls->certificate_requested && is_certificate_refusal(alert))
        return tls_finding("tls_client_cert_required", Confidence::likely, stage, tls);
      // No SNI went out: the URL's host is an address, or --sni '' suppressed it.
      if (alert == 40 && (target.host_is_ip_literal || (tls && tls->sni.empty()))) {
        auto finding = tls_finding("tls_sni_required", Confidence::likely, stage, tls);
        finding.evidence.push_back("no SNI was sent");
        return finding;
      }
      if (alert == 70 || alert == 71) return version_mismatch(Confidence::certain, stage, tls);
      // handshake_failure to our ClientHello itself (no ServerHello came, SNI was sent): the server
      // found nothing to agree on, a version or a cipher suite (RFC 8446 §4.1.1).
      if (alert == 40 && tls && !tls->version && !tls->sni.empty())
        return version_mismatch(Confidence::likely, stage, tls);
      return version_mismatch(Confidence::possible, stage, tls);
    }
    case Condition::timeout: return tls_finding("tls_handshake_timeout", Confidence::certain, stage, tls);
    default: return tls_finding("tls_handshake_eof", Confidence::certain, stage, tls);
  }
}

std::optional<Finding> explain_tls_failure(const StageResult& stage, const Observations& observed,
                                           const Target& target,
                                           const std::vector<FollowUpObservation>& followups) {
  auto finding = explain_tls_from_main_probe(stage, observed, target);
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

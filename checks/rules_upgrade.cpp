// upgrade failures: the status, the headers and the body tell who answered and why.
#include "checks/rules.hpp"
#include "wire/hex.hpp"
#include "wire/http_response.hpp"

namespace wsprobe {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The page a TLS server sends back when it receives plaintext HTTP: nginx's 497 page
// (ngx_http_special_response.c) and Go's net/http answer (server.go).
bool is_plain_http_to_tls_page(const UpgradeObservation& upgrade) {
  return contains(upgrade.body, "The plain HTTP request was sent to HTTPS port") ||
         contains(upgrade.body, "Client sent an HTTP request to an HTTPS server");
}

// A TLS record where an HTTP response belongs: 0x15 alert or 0x16 handshake, version 0x03xx.
bool starts_with_tls_record(const std::string& first_bytes_hex) {
  return first_bytes_hex.rfind("15 03", 0) == 0 || first_bytes_hex.rfind("16 03", 0) == 0;
}

// The backend said the request was not an upgrade: it never saw Upgrade/Connection.
bool says_upgrade_missing(const UpgradeObservation& upgrade) {
  if (upgrade.status_code == 426) return true;
  if (upgrade.status_code != 400) return false;
  return contains(upgrade.body, "'upgrade' token not found") || contains(upgrade.body, "not a websocket handshake") ||
         contains(upgrade.body, "Upgrade Required") || contains(upgrade.body, "Can \"Upgrade\" only to \"WebSocket\"") ||
         contains(upgrade.body, "missing Upgrade header");
}

void add_response_evidence(Finding& finding, const UpgradeObservation& upgrade) {
  if (upgrade.status_line) finding.evidence.push_back("status: " + *upgrade.status_line);
  for (const auto* name : {"Server", "Via", "Location", "WWW-Authenticate", "Content-Type", "Sec-WebSocket-Version"})
    if (auto value = find_header(upgrade.headers, name)) finding.evidence.push_back(std::string(name) + ": " + *value);
  if (!upgrade.body.empty()) {
    auto excerpt = printable(upgrade.body, 160);
    finding.evidence.push_back("body: " + excerpt + (upgrade.body.size() > 160 ? "..." : ""));
  }
  if (!upgrade.first_bytes_hex.empty()) finding.evidence.push_back("first bytes: " + upgrade.first_bytes_hex);
}

Finding from_status(const UpgradeObservation& upgrade, const Target& target) {
  const int status = upgrade.status_code.value_or(0);
  if (is_plain_http_to_tls_page(upgrade)) {
    // Over wss the client's TLS ended at an edge that then spoke plaintext to a TLS backend.
    auto finding = make_finding(target.secure ? "tls_terminated_twice" : "plaintext_to_tls_port", Severity::fail,
                                Stage::upgrade, Confidence::certain);
    finding.hop = target.secure ? "edge to backend" : "client to edge";
    return finding;
  }
  if (says_upgrade_missing(upgrade)) {
    auto finding = make_finding("upgrade_headers_stripped", Severity::fail, Stage::upgrade, Confidence::likely);
    finding.hop = "edge to backend";
    return finding;
  }
  if (status == 401 || status == 403 || status == 407)
    return make_finding("upgrade_rejected_auth", Severity::fail, Stage::upgrade, Confidence::likely);
  if (status == 404 || status == 405)
    return make_finding("upgrade_path_not_found", Severity::fail, Stage::upgrade, Confidence::certain);
  if (status == 502 || status == 503 || status == 504) {
    auto finding = make_finding("backend_unavailable", Severity::fail, Stage::upgrade, Confidence::likely);
    finding.hop = "edge to backend";
    return finding;
  }
  if (status >= 200 && status < 400)
    return make_finding("not_websocket_endpoint", Severity::fail, Stage::upgrade, Confidence::certain);
  return make_finding("upgrade_declined", Severity::fail, Stage::upgrade, Confidence::certain);
}

}  // namespace

std::optional<Finding> explain_upgrade_failure(const StageResult& stage, const Observations& observed,
                                               const Target& target) {
  static const UpgradeObservation kNothing;
  const auto& upgrade = observed.upgrade ? *observed.upgrade : kNothing;
  Finding finding;
  switch (stage.condition) {
    case Condition::upgrade_rejected: finding = from_status(upgrade, target); break;
    case Condition::protocol_violation: {
      const bool bad_accept = !upgrade.accept || *upgrade.accept != upgrade.expected_accept;
      finding = make_finding(bad_accept ? "upgrade_bad_accept" : "upgrade_protocol_violation", Severity::fail,
                             Stage::upgrade, Confidence::certain);
      for (const auto& violation : upgrade.violations) finding.evidence.push_back(violation);
      break;
    }
    case Condition::not_http:
      if (starts_with_tls_record(upgrade.first_bytes_hex)) {
        finding = make_finding(target.secure ? "tls_terminated_twice" : "plaintext_to_tls_port", Severity::fail,
                               Stage::upgrade, Confidence::likely);
        finding.hop = target.secure ? "edge to backend" : "client to edge";
        finding.evidence.push_back("the reply to the HTTP request is a TLS record");
      } else {
        finding = make_finding("upgrade_declined", Severity::fail, Stage::upgrade, Confidence::certain);
        finding.summary = "The server answered the upgrade request with bytes that are not HTTP.";
      }
      break;
    case Condition::timeout:
      finding = make_finding("upgrade_timeout", Severity::fail, Stage::upgrade, Confidence::certain);
      break;
    default:
      finding = make_finding("upgrade_eof", Severity::fail, Stage::upgrade, Confidence::possible);
      if (upgrade.connection_end == Condition::reset) finding.evidence.push_back("the connection was reset");
      break;
  }
  add_response_evidence(finding, upgrade);
  if (!stage.detail.empty() && stage.condition != Condition::upgrade_rejected)
    finding.evidence.push_back("upgrade: " + stage.detail);
  if (!upgrade.bytes_received && stage.condition != Condition::timeout)
    finding.evidence.push_back("0 response bytes");
  return finding;
}

}  // namespace wsprobe

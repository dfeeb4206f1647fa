// upgrade failures: the status, the headers and the body tell who answered and why.
#include "checks/evidence.hpp"
#include "checks/rules.hpp"
#include "wire/hex.hpp"
#include "wire/http_response.hpp"

namespace wsprobe {
namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

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

namespace {

bool contains_nocase(std::string_view haystack, std::string_view needle) {
  const auto lower = [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

// The backend said the request was not an upgrade: it never saw Upgrade/Connection as we sent them
// (we always send "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13").
//   426 Upgrade Required (RFC 9110 §15.5.22): the server wants an upgrade the request did not carry.
//   400 naming the upgrade mechanism as absent or wrong: gorilla ("'upgrade' token not found in
//     'Connection' header"), Beast ("Connection field is missing the upgrade token"), ws ("Can
//     \"Upgrade\" only to \"WebSocket\""), Envoy ("missing Upgrade header").
//   400 with Sec-WebSocket-Version listing 13 (RFC 6455 §4.4): a WebSocket server parsed the request
//     and refused a handshake whose version it supports (gorilla's default answer, body "Bad Request").
bool says_upgrade_missing(const UpgradeObservation& upgrade) {
  if (upgrade.status_code == 426) return true;
  if (upgrade.status_code != 400) return false;
  const std::string_view body = upgrade.body;
  const bool names_handshake = contains_nocase(body, "upgrade") ||
                               (contains_nocase(body, "websocket") && contains_nocase(body, "connection"));
  bool says_absent = false;
  for (const auto* phrase : {"missing", "not found", "required", "not a websocket", "only to", "expected"})
    says_absent = says_absent || contains_nocase(body, phrase);
  if (names_handshake && says_absent) return true;
  if (const auto version = find_header(upgrade.headers, "Sec-WebSocket-Version"))
    return has_token(*version, "13");
  return false;
}


// Under TLS 1.3 the client's handshake ends with its Finished; a server that requires a client
// certificate rejects our empty Certificate after that, with alert 116 certificate_required
// (RFC 8446 §4.4.2.4), which arrives on the first read: during the upgrade.
std::optional<Finding> client_cert_refused_after_handshake(const StageResult& stage, const Observations& observed) {
  if (!observed.tls || !observed.tls->alert_received_after_handshake) return std::nullopt;
  const auto& tls = *observed.tls;
  const int alert = *tls.alert_received_after_handshake;
  const bool certain = alert == 116;
  if (!certain && !(tls.certificate_requested && is_certificate_refusal(alert))) return std::nullopt;
  auto finding = client_cert_finding(&tls, certain ? Confidence::certain : Confidence::likely, alert);
  finding.evidence.push_back("alert received after the handshake: " + std::to_string(alert));
  if (tls.certificate_requested) finding.evidence.push_back("the server sent a CertificateRequest");
  if (tls.version) finding.evidence.push_back("handshake completed: " + *tls.version);
  if (!stage.detail.empty()) finding.evidence.push_back("upgrade: " + stage.detail);
  return finding;
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
  if (!upgrade.first_bytes_hex.empty())
    finding.evidence.push_back("first bytes are: " + classify_hex(upgrade.first_bytes_hex, upgrade.connection_end.value_or(
                                                         Condition::none), upgrade.bytes_received).description);
}

// Common limits on a request head: nginx refuses a line above 8 KiB (large_client_header_buffers
// 4 8k) and Node.js a head above 16 KiB (--max-http-header-size).
constexpr std::size_t kCommonLineLimit = 8 * 1024;
constexpr std::size_t kCommonHeadLimit = 16 * 1024;

std::string request_size_evidence(const UpgradeObservation& upgrade) {
  return "the request head was " + std::to_string(upgrade.request_bytes) + " bytes, its longest line " +
         std::to_string(upgrade.longest_request_line_bytes) + " bytes";
}

// 414, 431, or a 400 to a head above the common limits (nginx's own page names it): the request's size,
// not the upgrade, was refused. Checked before the PROXY protocol heuristics, which a 400 also fits.
std::optional<Finding> request_too_large(const UpgradeObservation& upgrade) {
  const int status = upgrade.status_code.value_or(0);
  const bool says_so = contains(upgrade.body, "Too Large") || contains(upgrade.body, "Too Long");
  const bool above_limits =
      upgrade.longest_request_line_bytes > kCommonLineLimit || upgrade.request_bytes > kCommonHeadLimit;
  Confidence confidence = Confidence::certain;
  if (status == 400 && above_limits) confidence = says_so ? Confidence::certain : Confidence::likely;
  else if (status != 414 && status != 431) return std::nullopt;
  auto finding = make_finding("request_too_large", Severity::fail, Stage::upgrade, confidence);
  finding.evidence.push_back(request_size_evidence(upgrade));
  return finding;
}

Finding from_status(const UpgradeObservation& upgrade, const Target& target, const TlsObservation* tls) {
  const int status = upgrade.status_code.value_or(0);
  // nginx with ssl_verify_client on answers with a 400 page (ngx_http_special_response.c): 496
  // "No required SSL certificate was sent", 495 "The SSL certificate error" (a rejected one).
  if (status == 400 && (contains(upgrade.body, "No required SSL certificate was sent") ||
                        contains(upgrade.body, "The SSL certificate error")))
    return client_cert_finding(tls, Confidence::certain, std::nullopt);
  if (auto too_large = request_too_large(upgrade)) return *too_large;
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
  // 464 is ALB's own status for an HTTP/1.1 upgrade sent to an HTTP2/gRPC target group (ALB
  // troubleshooting guide); no other product is known to use it.
  if (status == 464) {
    const auto server = find_header(upgrade.headers, "Server");
    auto finding = make_finding("alb_target_group_incompatible", Severity::fail, Stage::upgrade,
                                server && server->starts_with("awselb") ? Confidence::certain : Confidence::likely);
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

// The cause from the main probe alone; explain_upgrade_failure below adds what follow-ups saw.
static std::optional<Finding> explain_upgrade_from_main_probe(const StageResult& stage, const Observations& observed,
                                                      const Target& target) {
  static const UpgradeObservation kNothing;
  const auto& upgrade = observed.upgrade ? *observed.upgrade : kNothing;
  if (!upgrade.status_code)
    if (auto refused = client_cert_refused_after_handshake(stage, observed)) return refused;
  Finding finding;
  switch (stage.condition) {
    case Condition::upgrade_rejected: finding = from_status(upgrade, target, observed.tls ? &*observed.tls : nullptr); break;
    case Condition::protocol_violation: {
      // A head that never ended has no Accept to judge.
      const bool bad_accept = upgrade.status_code && (!upgrade.accept || *upgrade.accept != upgrade.expected_accept);
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
        finding = make_finding("upgrade_not_http", Severity::fail, Stage::upgrade, Confidence::certain);
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

// What the follow-up probes (checks/followup_plan.hpp) add: each one that ran is evidence, and a
// conclusive one names the cause the main probe could only guess at.
namespace {

const FollowUpObservation* find_followup(const std::vector<FollowUpObservation>& followups, FollowUpKind kind) {
  for (const auto& followup : followups)
    if (followup.kind == kind) return &followup;
  return nullptr;
}

std::string followup_evidence(const FollowUpObservation& followup) {
  return "follow-up " + std::string(to_string(followup.kind)) + ": " + followup.outcome;
}

bool got_nothing(const StageResult& stage, const UpgradeObservation& upgrade) {
  if (stage.condition == Condition::not_http) return starts_with_tls_record(upgrade.first_bytes_hex);
  return (stage.condition == Condition::eof || stage.condition == Condition::reset) && upgrade.bytes_received == 0;
}

// The cause the follow-ups establish, or nothing when they leave the main probe's finding standing.
std::optional<Finding> cause_from_followups(const Finding& primary, const StageResult& stage, const Observations& observed,
                                            const Target& target, const std::vector<FollowUpObservation>& followups) {
  static const UpgradeObservation kNothing;
  const auto& upgrade = observed.upgrade ? *observed.upgrade : kNothing;
  if (got_nothing(stage, upgrade)) {
    if (target.secure) {
      // A TLS record in answer to a ClientHello sent inside the session: what sits behind the
      // edge's TLS speaks TLS again (knowledge base: tls_terminated_twice).
      if (const auto* nested = find_followup(followups, FollowUpKind::tls_in_tls);
          nested && nested->inner_tls_answered == true) {
        auto finding = make_finding("tls_terminated_twice", Severity::fail, Stage::upgrade, Confidence::certain);
        finding.hop = "edge to backend";
        return finding;
      }
      // The server picks h2 when offered it and drops the HTTP/1.1 request: it speaks only HTTP/2
      // (RFC 8441 would be needed). Not when the main handshake agreed on http/1.1: then the
      // server claimed HTTP/1.1 and the silence has another cause.
      const bool main_agreed_h1 = observed.tls && observed.tls->alpn == std::string("http/1.1");
      if (const auto* h2 = find_followup(followups, FollowUpKind::tls_offering_h2);
          h2 && h2->alpn == std::string("h2") && !main_agreed_h1)
        return make_finding("http2_only_endpoint", Severity::fail, Stage::upgrade, Confidence::likely);
      return std::nullopt;
    }
    // ws:// got nothing, and the same port completes a TLS handshake.
    if (const auto* tls = find_followup(followups, FollowUpKind::tls_on_plain_port); tls && tls->tls_ok == true) {
      auto finding = make_finding("plaintext_to_tls_port", Severity::fail, Stage::upgrade, Confidence::certain);
      finding.hop = "client to edge";
      return finding;
    }
    // The same request behind a PROXY v1 header gets an HTTP answer (any status): the target
    // wants a header nothing in front of it sends (knowledge base: pp_expected_missing).
    if (const auto* pp = find_followup(followups, FollowUpKind::proxy_protocol_v1); pp && pp->status_code)
      return make_finding("proxy_protocol_missing", Severity::fail, Stage::upgrade, Confidence::certain);
    return std::nullopt;
  }
  if (stage.condition == Condition::upgrade_rejected) {
    const auto* get = find_followup(followups, FollowUpKind::plain_get);
    if (!get || !get->status_code) return std::nullopt;
    const int upgrade_status = upgrade.status_code.value_or(0);
    const int get_status = *get->status_code;
    // The backend refused the upgrade for want of Upgrade/Connection, and a GET without them got
    // the same answer: our upgrade reached it looking like a plain GET.
    if (primary.id == "upgrade_headers_stripped" && get_status == upgrade_status && !get->body.empty() &&
        upgrade.body.compare(0, get->body.size(), get->body) == 0 &&
        (get->body.size() == upgrade.body.size() || get->body.size() >= 1024)) {
      auto finding = make_finding("upgrade_headers_stripped", Severity::fail, Stage::upgrade, Confidence::certain);
      finding.hop = "edge to backend";
      finding.evidence.push_back("the upgrade and a plain GET got the same answer: the upgrade arrived without "
                                 "its Upgrade/Connection headers");
      return finding;
    }
    if (primary.id != "upgrade_declined") return std::nullopt;
    // Every request to the path gets 400, not only the upgrade: the target may be choking on a
    // PROXY header it does not parse (knowledge base: pp2_unexpected_by_target; a heuristic).
    if (upgrade_status == 400 && get_status == 400) {
      // Under --proxy-protocol the header is ours: both requests went out behind it, so the
      // target refusing every request is far likelier to be choking on it.
      const auto sent = observed.tcp ? observed.tcp->proxy_protocol_version : std::nullopt;
      auto finding = make_finding("proxy_protocol_unexpected", Severity::fail, Stage::upgrade,
                                  sent ? Confidence::likely : Confidence::possible);
      finding.hop = sent ? "client to edge" : "edge to backend";
      if (sent) {
        finding.summary = "wsprobe sent a PROXY protocol " + *sent +
                          " header (--proxy-protocol) and the target answered every request with 400: it does not "
                          "parse PROXY headers.";
        finding.fix = "Probe without --proxy-protocol, or enable PROXY protocol on the target (nginx: listen ... "
                      "proxy_protocol) if a load balancer in front of it sends one.";
        finding.evidence.push_back("--proxy-protocol " + *sent + ": a PROXY header preceded the upgrade and the plain "
                                   "GET");
      }
      return finding;
    }
    // The path answers a plain GET, only the upgrade is refused: the Upgrade/Connection headers
    // did not arrive as sent.
    if ((upgrade_status == 400 || upgrade_status == 426) && get_status >= 200 && get_status < 300) {
      auto finding = make_finding("upgrade_headers_stripped", Severity::fail, Stage::upgrade, Confidence::possible);
      finding.hop = "edge to backend";
      return finding;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Finding> explain_upgrade_failure(const StageResult& stage, const Observations& observed,
                                               const Target& target,
                                               const std::vector<FollowUpObservation>& followups) {
  auto finding = explain_upgrade_from_main_probe(stage, observed, target);
  if (!finding || followups.empty()) return finding;
  std::vector<std::string> evidence;
  for (const auto& followup : followups) evidence.push_back(followup_evidence(followup));
  if (auto better = cause_from_followups(*finding, stage, observed, target, followups)) {
    auto own = std::move(better->evidence);  // what the follow-ups established, in words
    better->evidence = std::move(evidence);
    better->evidence.insert(better->evidence.end(), own.begin(), own.end());
    better->evidence.insert(better->evidence.end(), finding->evidence.begin(), finding->evidence.end());
    return better;
  }
  finding->evidence.insert(finding->evidence.end(), evidence.begin(), evidence.end());
  return finding;
}

}  // namespace wsprobe

#pragma once
// The rules, one family per file; each reads observations and returns the findings they support.
#include <optional>
#include <vector>

#include "model/report.hpp"

namespace wsprobe {

// The cause of a failed stage, from its condition and what it observed.
std::optional<Finding> explain_dns_failure(const StageResult& stage, const Observations& observed);
// proxy: proxy_unreachable, proxy_auth_required, proxy_connect_denied, proxy_target_unreachable.
std::optional<Finding> explain_proxy_failure(const StageResult& stage, const Observations& observed);
std::optional<Finding> explain_tcp_failure(const StageResult& stage, const Observations& observed);
// `followups` are what the follow-up probes saw (TargetResult::followups); with none, the rules
// decide from the main probe alone.
std::optional<Finding> explain_tls_failure(const StageResult& stage, const Observations& observed,
                                           const Target& target,
                                           const std::vector<FollowUpObservation>& followups = {});
std::optional<Finding> explain_upgrade_failure(const StageResult& stage, const Observations& observed,
                                               const Target& target,
                                               const std::vector<FollowUpObservation>& followups = {});
std::optional<Finding> explain_session_failure(const StageResult& stage, const Observations& observed);
// hold: idle_timeout (when, how, which LB defaults match), closed_by_peer; with --hold-ping, what
// the silent run alongside saw.
std::optional<Finding> explain_hold_failure(const StageResult& stage, const Observations& observed);
// --hold with --hold-ping on a hold that survived: keepalive_interval_safe (info), the largest
// keepalive interval the pinged and the silent runs show to be safe.
std::vector<Finding> find_hold_notes(const TargetResult& result);

// How the connection ended, for a finding's evidence: "connection ended during the echo stage:
// closed by the server with close frame 1011 (internal error: the server or a proxy failed); close
// handshake completed".
std::string describe_connection_end(const ConnectionEnd& end);

// The page a TLS server sends back when plaintext HTTP reaches it: nginx's 497 page
// (ngx_http_special_response.c) and Go's net/http answer (server.go).
bool is_plain_http_to_tls_page(const UpgradeObservation& upgrade);
// A TLS record where an HTTP response belongs: "15 03" (alert) or "16 03" (handshake) in hex.
bool starts_with_tls_record(const std::string& first_bytes_hex);

// Warnings and notes on stages that passed.
std::vector<Finding> find_warnings(const TargetResult& result);
// Notes on what the request controls asked for and did not get (--compress not negotiated).
std::vector<Finding> find_request_notes(const TargetResult& result);

// TLS alerts a server sends when it refuses the client's certificate, or its absence (RFC 8446
// §6.2: 40 handshake_failure, 42-46 certificate problems, 48 unknown_ca, 49 access_denied,
// 116 certificate_required).
bool is_certificate_refusal(int alert);

// tls_client_cert_required worded for what was offered (rules_tls.cpp): without --cert the server
// requires one; with one it rejected it. A specific certificate alert after a CertificateRequest
// raises `confidence` to certain.
Finding client_cert_finding(const TlsObservation* tls, Confidence confidence, std::optional<int> alert);

// A finding with the catalogue's summary and fix for `id`.
Finding make_finding(std::string_view id, Severity severity, Stage stage, Confidence confidence);

}  // namespace wsprobe

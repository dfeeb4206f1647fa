#include "report/json.hpp"

#include "report/text.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

// Built in insertion order so the document reads in stage order; to_json() converts to the
// sorted nlohmann::json its callers expect.
using Json = nlohmann::ordered_json;

// Every string that may hold bytes from the network goes through here: JSON is UTF-8 only.
Json str(std::string_view value) { return text::valid_utf8(value); }

Json str_or_null(const std::optional<std::string>& value) { return value ? str(*value) : Json(); }

Json nonempty_or_null(const std::string& value) { return value.empty() ? Json() : str(value); }

Json micros_or_null(const std::optional<Micros>& value) {
  return value ? Json(value->count()) : Json();
}

template <typename T>
Json value_or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json();
}

// Condition::none means "nothing went wrong": null, so `condition != null` selects failures.
Json condition_or_null(Condition condition) {
  return condition == Condition::none ? Json() : str(to_string(condition));
}

Json condition_or_null(const std::optional<Condition>& condition) {
  return condition ? condition_or_null(*condition) : Json();
}

Json strings(const std::vector<std::string>& values) {
  Json out = Json::array();
  for (const auto& value : values) out.push_back(str(value));
  return out;
}

Json headers_json(const std::vector<HttpHeader>& headers) {
  Json out = Json::array();
  for (const auto& header : headers) out.push_back({{"name", str(header.name)}, {"value", str(header.value)}});
  return out;
}

Json dns_json(const DnsObservation& dns) {
  return {{"query_name", str(dns.query_name)},
          {"source", str(dns.source)},
          {"server", str_or_null(dns.server)},
          {"cname_chain", strings(dns.cname_chain)},
          {"addresses", strings(dns.addresses)},
          {"resolver_error", str_or_null(dns.resolver_error)},
          {"family", str(dns.family)},
          {"connect_to", str_or_null(dns.connect_to)},
          {"pinned_address", str_or_null(dns.pinned_address)}};
}

Json proxy_json(const ProxyObservation& proxy) {
  return {{"scheme", str(proxy.scheme)},
          {"proxy", str(proxy.proxy)},
          {"source", str(proxy.source)},
          {"proxy_addresses", strings(proxy.proxy_addresses)},
          {"proxy_endpoint", str_or_null(proxy.proxy_endpoint)},
          {"connect_duration_us", micros_or_null(proxy.connect_duration)},
          {"tunnel_target", str(proxy.tunnel_target)},
          {"credentials_sent", proxy.credentials_sent},
          {"tunnel_duration_us", micros_or_null(proxy.tunnel_duration)},
          {"request", nonempty_or_null(proxy.request)},
          {"status_line", str_or_null(proxy.status_line)},
          {"status_code", value_or_null(proxy.status_code)},
          {"headers", headers_json(proxy.headers)},
          {"body", str(proxy.body)},
          {"socks_method", value_or_null(proxy.socks_method)},
          {"socks_auth_status", value_or_null(proxy.socks_auth_status)},
          {"socks_reply", value_or_null(proxy.socks_reply)},
          {"socks_bound_address", str_or_null(proxy.socks_bound_address)},
          {"first_bytes_hex", nonempty_or_null(proxy.first_bytes_hex)},
          {"connection_end", condition_or_null(proxy.connection_end)}};
}

Json attempt_json(const ConnectAttempt& attempt) {
  return {{"address", str(attempt.address)},
          {"port", attempt.port},
          {"duration_us", attempt.duration.count()},
          {"condition", condition_or_null(attempt.condition)},
          {"detail", nonempty_or_null(attempt.detail)}};
}

Json tcp_json(const TcpObservation& tcp) {
  Json attempts = Json::array();
  for (const auto& attempt : tcp.attempts) attempts.push_back(attempt_json(attempt));
  return {{"attempts", std::move(attempts)},
          {"remote_endpoint", str_or_null(tcp.remote_endpoint)},
          {"local_endpoint", str_or_null(tcp.local_endpoint)},
          {"via_proxy", tcp.via_proxy},
          {"proxy_protocol_version", str_or_null(tcp.proxy_protocol_version)},
          {"proxy_protocol_header_hex", str_or_null(tcp.proxy_protocol_header_hex)}};
}

Json certificate_json(const Certificate& cert) {
  return {{"subject", str(cert.subject)},
          {"issuer", str(cert.issuer)},
          {"subject_alt_names", strings(cert.subject_alt_names)},
          {"not_before", str(cert.not_before)},
          {"not_after", str(cert.not_after)},
          {"not_after_epoch_s", cert.not_after_epoch_s},
          {"key_type", str(cert.key_type)},
          {"serial_hex", str(cert.serial_hex)},
          {"sha256_fingerprint", str(cert.sha256_fingerprint)},
          {"self_signed", cert.self_signed}};
}

Json tls_json(const TlsObservation& tls) {
  Json chain = Json::array();
  for (const auto& cert : tls.peer_chain) chain.push_back(certificate_json(cert));
  return {{"sni", str(tls.sni)},
          {"offered_alpn", strings(tls.offered_alpn)},
          {"verification_enabled", tls.verification_enabled},
          {"version", str_or_null(tls.version)},
          {"cipher", str_or_null(tls.cipher)},
          {"alpn", str_or_null(tls.alpn)},
          {"peer_chain", std::move(chain)},
          {"verify_result", value_or_null(tls.verify_result)},
          {"verify_error", str_or_null(tls.verify_error)},
          {"openssl_error", str_or_null(tls.openssl_error)},
          {"alert_received", value_or_null(tls.alert_received)},
          {"alert_sent", value_or_null(tls.alert_sent)},
          {"certificate_requested", tls.certificate_requested},
          {"alert_received_after_handshake", value_or_null(tls.alert_received_after_handshake)},
          {"first_bytes_hex", nonempty_or_null(tls.first_bytes_hex)},
          {"bytes_received", tls.bytes_received},
          {"client_certificate", str_or_null(tls.client_certificate)},
          {"version_min", str_or_null(tls.version_min)},
          {"version_max", str_or_null(tls.version_max)}};
}

Json upgrade_json(const UpgradeObservation& upgrade) {
  return {{"request", str(upgrade.request)},
          {"request_bytes", upgrade.request_bytes},
          {"longest_request_line_bytes", upgrade.longest_request_line_bytes},
          {"status_line", str_or_null(upgrade.status_line)},
          {"status_code", value_or_null(upgrade.status_code)},
          {"headers", headers_json(upgrade.headers)},
          {"body", str(upgrade.body)},
          {"body_truncated", upgrade.body_truncated},
          {"bytes_received", upgrade.bytes_received},
          {"first_bytes_hex", nonempty_or_null(upgrade.first_bytes_hex)},
          {"time_to_first_byte_us", micros_or_null(upgrade.time_to_first_byte)},
          {"time_to_response_us", micros_or_null(upgrade.time_to_response)},
          {"connection_end", condition_or_null(upgrade.connection_end)},
          {"expected_accept", nonempty_or_null(upgrade.expected_accept)},
          {"accept", str_or_null(upgrade.accept)},
          {"subprotocol", str_or_null(upgrade.subprotocol)},
          {"extensions", strings(upgrade.extensions)},
          {"violations", strings(upgrade.violations)},
          {"offered_extensions", strings(upgrade.offered_extensions)},
          {"compression", str_or_null(upgrade.compression)}};
}

Json latency_json(const std::optional<LatencyStats>& stats) {
  if (!stats) return Json();
  return {{"samples", stats->samples},     {"min_us", stats->min.count()},
          {"p50_us", stats->p50.count()},  {"p90_us", stats->p90.count()},
          {"p95_us", stats->p95.count()},
          {"p99_us", stats->p99.count()},  {"max_us", stats->max.count()},
          {"mean_us", stats->mean.count()}};
}

Json close_frame_json(const std::optional<CloseFrame>& frame) {
  if (!frame) return Json();
  return {{"code", value_or_null(frame->code)}, {"reason", str(frame->reason)}};
}

Json expect_json(const std::optional<ExpectCheck>& expect) {
  if (!expect) return Json();
  return {{"pattern", str(expect->pattern)},
          {"matched", expect->matched},
          {"replies_checked", expect->replies_checked},
          {"matching_reply", str_or_null(expect->matching_reply)},
          {"last_reply", str_or_null(expect->last_reply)}};
}

Json size_sweep_json(const std::vector<SizeProbe>& sweep) {
  Json out = Json::array();
  for (const auto& probe : sweep)
    out.push_back({{"size_bytes", probe.size_bytes},
                   {"outcome", str(probe.outcome)},
                   {"rtt_us", micros_or_null(probe.rtt)},
                   {"peer_close", close_frame_json(probe.peer_close)},
                   {"connection_end", condition_or_null(probe.connection_end)}});
  return out;
}

Json echo_json(const EchoObservation& echo) {
  Json pings = Json::array();
  for (const auto& rtt : echo.ping_rtts) pings.push_back(micros_or_null(rtt));
  Json messages = Json::array();
  for (const auto& message : echo.messages)
    messages.push_back({{"size_bytes", message.size_bytes},
                        {"rtt_us", micros_or_null(message.rtt)},
                        {"outcome", str(text::echo_outcome_name(message.outcome))}});
  return {{"mode", str(text::echo_mode_name(echo.mode))},
          {"ping_rtts_us", std::move(pings)},
          {"messages", std::move(messages)},
          {"echo_endpoint", value_or_null(echo.echo_endpoint)},
          {"ping_latency", latency_json(echo.ping_latency)},
          {"echo_latency", latency_json(echo.echo_latency)},
          {"unsolicited_messages", echo.unsolicited_messages},
          {"peer_close", close_frame_json(echo.peer_close)},
          {"connection_end", condition_or_null(echo.connection_end)},
          {"payload_kind", str(echo.payload_kind)},
          {"custom_message", echo.custom_message},
          {"compressed_messages_received", echo.compressed_messages_received},
          {"expect", expect_json(echo.expect)},
          {"size_sweep", size_sweep_json(echo.size_sweep)},
          {"largest_echoed_bytes", value_or_null(echo.largest_echoed_bytes)}};
}

Json silent_hold_json(const std::optional<SilentHold>& silent) {
  if (!silent) return Json();
  return {{"failed_before_hold", silent->failed_before_hold ? str(to_string(*silent->failed_before_hold)) : Json()},
          {"failure_detail", nonempty_or_null(silent->failure_detail)},
          {"remote_endpoint", str_or_null(silent->remote_endpoint)},
          {"hold_start_offset_us", micros_or_null(silent->hold_start_offset)},
          {"survived", silent->survived},
          {"held_us", silent->held.count()},
          {"end", str_or_null(silent->end)},
          {"cut_after_us", micros_or_null(silent->cut_after)},
          {"idle_before_cut_us", micros_or_null(silent->idle_before_cut)},
          {"peer_close", close_frame_json(silent->peer_close)},
          {"closed_by", nonempty_or_null(silent->closed_by)},
          {"found_by_final_check", silent->found_by_final_check}};
}

Json hold_json(const HoldObservation& hold) {
  return {{"requested_us", hold.requested.count()},
          {"ping_interval_us", micros_or_null(hold.ping_interval)},
          {"keepalive_by_message", hold.keepalive_by_message},
          {"pings_sent", hold.pings_sent},
          {"pongs_received", hold.pongs_received},
          {"messages_sent", hold.messages_sent},
          {"held_us", hold.held.count()},
          {"survived", hold.survived},
          {"final_check_rtt_us", micros_or_null(hold.final_check_rtt)},
          {"end", str_or_null(hold.end)},
          {"cut_after_us", micros_or_null(hold.cut_after)},
          {"idle_before_cut_us", micros_or_null(hold.idle_before_cut)},
          {"peer_close", close_frame_json(hold.peer_close)},
          {"closed_by", nonempty_or_null(hold.closed_by)},
          {"silent_run", silent_hold_json(hold.silent_run)},
          {"largest_safe_ping_interval_us", micros_or_null(hold.largest_safe_ping_interval)}};
}

Json connection_end_json(const std::optional<ConnectionEnd>& end) {
  if (!end) return Json();
  return {{"stage", str(to_string(end->stage))},
          {"by", str(end->by)},
          {"how", str(end->how)},
          {"close_frame", close_frame_json(end->close_frame)},
          {"handshake_completed", end->handshake_completed},
          {"at_us", end->at.count()}};
}

Json close_json(const CloseObservation& close) {
  return {{"code_sent", value_or_null(close.code_sent)},
          {"peer_close", close_frame_json(close.peer_close)},
          {"peer_initiated", close.peer_initiated},
          {"close_rtt_us", micros_or_null(close.close_rtt)},
          {"tcp_end", condition_or_null(close.tcp_end)},
          {"tcp_closed_cleanly", close.tcp_closed_cleanly}};
}

template <typename T, typename Render>
Json observed(const std::optional<T>& observation, Render render) {
  return observation ? render(*observation) : Json();
}

// The Observations member that belongs to a stage.
Json observed_for(Stage stage, const Observations& all) {
  switch (stage) {
    case Stage::dns: return observed(all.dns, dns_json);
    case Stage::tcp: return observed(all.tcp, tcp_json);
    case Stage::tls: return observed(all.tls, tls_json);
    case Stage::upgrade: return observed(all.upgrade, upgrade_json);
    case Stage::echo: return observed(all.echo, echo_json);
    case Stage::close: return observed(all.close, close_json);
    case Stage::proxy: return observed(all.proxy, proxy_json);
    case Stage::hold: return observed(all.hold, hold_json);
  }
  return Json();
}

Json stage_json(const StageResult& stage, const Observations& all) {
  // A skipped stage never started: its times were not observed, so they are null, not 0.
  const bool ran = stage.status != StageStatus::skipped;
  return {{"name", str(to_string(stage.stage))},
          {"status", str(to_string(stage.status))},
          {"start_us", ran ? Json(stage.start_offset.count()) : Json()},
          {"duration_us", ran ? Json(stage.duration.count()) : Json()},
          {"loop_lag_us", ran && stage.loop_lag ? Json(stage.loop_lag->count()) : Json()},
          {"condition", condition_or_null(stage.condition)},
          {"detail", nonempty_or_null(stage.detail)},
          {"observed", observed_for(stage.stage, all)}};
}

Json followup_json(const FollowUpObservation& followup) {
  return {{"kind", str(to_string(followup.kind))},
          {"question", str(followup.question)},
          {"start_us", followup.start_offset.count()},
          {"duration_us", followup.duration.count()},
          {"remote_endpoint", str_or_null(followup.remote_endpoint)},
          {"connected", followup.connected},
          {"tls_ok", value_or_null(followup.tls_ok)},
          {"tls_version", str_or_null(followup.tls_version)},
          {"alpn", str_or_null(followup.alpn)},
          {"alert_received", value_or_null(followup.alert_received)},
          {"status_line", str_or_null(followup.status_line)},
          {"status_code", value_or_null(followup.status_code)},
          {"headers", headers_json(followup.headers)},
          {"body", str(followup.body)},
          {"first_bytes_hex", nonempty_or_null(followup.first_bytes_hex)},
          {"bytes_received", followup.bytes_received},
          {"end", condition_or_null(followup.end)},
          {"proxy_header", str_or_null(followup.proxy_header)},
          {"inner_tls_answered", value_or_null(followup.inner_tls_answered)},
          {"inner_tls_version", str_or_null(followup.inner_tls_version)},
          {"inner_alert_received", value_or_null(followup.inner_alert_received)},
          {"inner_certificate_subject", str_or_null(followup.inner_certificate_subject)},
          {"failed_stage", str_or_null(followup.failed_stage)},
          {"failed_condition", condition_or_null(followup.failed_condition)},
          {"failed_detail", nonempty_or_null(followup.failed_detail)},
          {"detail", nonempty_or_null(followup.detail)},
          {"outcome", str(followup.outcome)}};
}

Json fingerprint_json(const Fingerprint& fingerprint) {
  return {{"name", str(fingerprint.name)},
          {"role", str(fingerprint.role)},
          {"confidence", str(to_string(fingerprint.confidence))},
          {"evidence", strings(fingerprint.evidence)}};
}

Json verdict_json(const Verdict& verdict) {
  return {{"status", str(to_string(verdict.status))},
          {"stage", verdict.stage ? str(to_string(*verdict.stage)) : Json()},
          {"cause", str(verdict.cause)},
          {"summary", str(verdict.summary)},
          {"hop", str_or_null(verdict.hop)}};
}

Json finding_json(const Finding& finding) {
  return {{"id", str(finding.id)},
          {"severity", str(to_string(finding.severity))},
          {"stage", str(to_string(finding.stage))},
          {"confidence", str(to_string(finding.confidence))},
          {"summary", str(finding.summary)},
          {"evidence", strings(finding.evidence)},
          {"fix", str(finding.fix)},
          {"vendor_fixes", strings(finding.vendor_fixes)},
          {"hop", str_or_null(finding.hop)},
          {"assertion", str_or_null(finding.assertion)}};
}

Json assertions_json(const Assertions& assertions) {
  Json latency = Json::array();
  for (const auto& limit : assertions.max_latency)
    latency.push_back({{"quantile", str(limit.quantile)}, {"limit_us", limit.limit.count()}});
  Json stages = Json::array();
  for (const auto& limit : assertions.max_stage)
    stages.push_back({{"stage", str(to_string(limit.stage))}, {"limit_us", limit.limit.count()}});
  return {{"max_latency", std::move(latency)},
          {"max_stage", std::move(stages)},
          {"min_cert_days", value_or_null(assertions.min_cert_days)},
          {"expect_subprotocol", assertions.expect_subprotocol
                                     ? str(redact_subprotocol(*assertions.expect_subprotocol))
                                     : Json()},
          {"expect_status", value_or_null(assertions.expect_status)},
          {"fail_on", str(to_string(assertions.fail_on))}};
}

Json result_json(const TargetResult& result);

Json target_json(const Target& target) {
  return {{"url", str(target.url)},
          {"host", str(target.host)},
          {"port", target.port},
          {"secure", target.secure},
          {"resource", str(target.resource)},
          {"name", str_or_null(target.name)},
          {"tags", strings(target.tags)}};
}

Json result_json(const TargetResult& result) {
  Json stages = Json::array();
  for (const auto& stage : result.stages) stages.push_back(stage_json(stage, result.observed));
  Json followups = Json::array();
  for (const auto& followup : result.followups) followups.push_back(followup_json(followup));
  Json fingerprints = Json::array();
  for (const auto& fingerprint : result.fingerprints) fingerprints.push_back(fingerprint_json(fingerprint));
  Json findings = Json::array();
  for (const auto& finding : result.findings) findings.push_back(finding_json(finding));
  Json nodes = Json::array();
  for (const auto& node : result.nodes) nodes.push_back(result_json(node));
  return {{"target", target_json(result.target)},
          {"started_at", str(result.started_at)},
          {"duration_us", result.total_duration.count()},
          {"stages", std::move(stages)},
          {"connection_end", connection_end_json(result.observed.connection_end)},
          {"followups", std::move(followups)},
          {"fingerprints", std::move(fingerprints)},
          {"verdict", verdict_json(result.verdict)},
          {"findings", std::move(findings)},
          {"assertions", assertions_json(result.assertions)},
          {"nodes", std::move(nodes)},
          {"interrupted", str_or_null(result.interrupted)}};
}

Json environment_json(const std::vector<std::pair<std::string, std::string>>& environment) {
  Json out = Json::object();
  for (const auto& [key, value] : environment) out[str(key)] = str(value);
  return out;
}

Json report_json(const RunReport& report) {
  Json results = Json::array();
  for (const auto& result : report.results) results.push_back(result_json(result));
  return {{"schema_version", kJsonSchemaVersion},
          {"tool",
           {{"name", str(report.tool.name)},
            {"version", str(report.tool.version)},
            {"argv", strings(report.tool.argv)},
            {"environment", environment_json(report.tool.environment)}}},
          {"results", std::move(results)},
          {"interrupted", str_or_null(report.interrupted)}};
}

}  // namespace

nlohmann::json to_json(const TargetResult& result) { return nlohmann::json(result_json(result)); }

nlohmann::json to_json(const RunReport& report) { return nlohmann::json(report_json(report)); }

std::string render_json(const RunReport& report) {
  // Strings are already valid UTF-8; `replace` keeps a slip from throwing at the last step.
  return report_json(report).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string render_json_line(const TargetResult& result) {
  return result_json(result).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace wsprobe

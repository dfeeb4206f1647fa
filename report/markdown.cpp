#include "report/markdown.hpp"

#include <algorithm>
#include <cstdio>

#include "checks/catalogue.hpp"
#include "model/join.hpp"
#include "report/text.hpp"

namespace wsprobe {
namespace {

// Text from the model as Markdown prose, a heading or a table cell: control bytes and invalid
// UTF-8 shown as \xNN (a newline as \n, so a cell stays on its row), then every character that
// could start Markdown or HTML backslash-escaped (CommonMark §2.4: any ASCII punctuation may be),
// so a header value cannot open a tag, a link, a code span or a new table column.
std::string md(std::string_view raw) {
  static constexpr std::string_view kSpecial = "\\`*_~[]<>|&#";
  std::string out;
  for (const char c : text::escape_for_terminal(raw)) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Our own identifiers (cause ids, stage names, flags): they hold no backtick.
std::string code(std::string_view id) { return "`" + std::string(id) + "`"; }

// Bytes shown as they came, one line each, in a fenced block: nothing inside is Markdown. The
// fence is longer than any run of backticks in the text (CommonMark §4.5), so the text cannot
// close it.
std::string code_block(std::string_view raw) {
  std::string body;
  std::size_t run = 0, longest = 0;
  // A request head ends in an empty line; it shows nothing in a block.
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  while (!raw.empty()) {
    const auto end = std::min(raw.find('\n'), raw.size());
    auto line = raw.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    body += text::escape_for_terminal(line) + "\n";
    raw.remove_prefix(std::min(end + 1, raw.size()));
  }
  for (const char c : body) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  return fence + "\n" + body + fence + "\n\n";
}

std::string mds(const std::vector<std::string>& values, std::string_view separator = ", ") {
  std::vector<std::string> out;
  for (const auto& value : values) out.push_back(md(value));
  return join(out, separator);
}

std::string table_row(const std::vector<std::string>& cells) { return "| " + join(cells, " | ") + " |\n"; }

// "**FAIL** at upgrade: `upgrade_rejected_auth` (Upgrade rejected) - <summary>"
std::string verdict_line(const TargetResult& result) {
  const auto& verdict = result.verdict;
  std::string out = "**" + std::string(text::verdict_word(verdict.status)) + "**";
  if (verdict.stage) out += " at " + std::string(to_string(*verdict.stage));
  if (verdict.cause != "ok") {
    out += ": " + code(verdict.cause);
    if (const auto* cause = find_cause(verdict.cause); cause && !cause->title.empty())
      out += " (" + md(cause->title) + ")";
  }
  if (!verdict.summary.empty()) out += " - " + md(verdict.summary);
  return out + "\n\n";
}

void render_findings(std::string& out, const std::vector<Finding>& findings) {
  if (findings.empty()) return;
  out += "### Findings\n\n";
  for (const auto& finding : findings) {
    out += "- **" + std::string(to_string(finding.severity)) + "** " + code(finding.id) + " (" +
           std::string(to_string(finding.stage)) + ", " + std::string(to_string(finding.confidence)) + ")";
    if (!finding.summary.empty()) out += ": " + md(finding.summary);
    out += "\n";
    if (finding.assertion) out += "  - Assertion: " + md(*finding.assertion) + "\n";
    if (finding.hop) out += "  - Hop: " + md(*finding.hop) + "\n";
    for (const auto& evidence : finding.evidence) out += "  - Evidence: " + md(evidence) + "\n";
    if (const auto fix = text::finding_fix(finding); !fix.empty()) out += "  - Fix: " + md(fix) + "\n";
    for (const auto& fix : finding.vendor_fixes) out += "  - Fix: " + md(fix) + "\n";
  }
  out += "\n";
}

void render_stages(std::string& out, const std::vector<StageResult>& stages) {
  out += "### Stages\n\n| stage | status | start | duration | detail |\n|---|---|--:|--:|---|\n";
  for (const auto& stage : stages) {
    const bool ran = stage.status != StageStatus::skipped;
    out += table_row({std::string(to_string(stage.stage)), std::string(to_string(stage.status)),
                      ran ? "+" + text::format_ms(stage.start_offset) : "-",
                      ran ? text::format_ms(stage.duration) : "-", md(text::stage_condition(stage))});
  }
  out += "\n";
}

std::string header_block(const std::optional<std::string>& status_line, const std::vector<HttpHeader>& headers) {
  std::string raw = status_line ? *status_line + "\n" : "";
  for (const auto& header : headers) raw += header.name + ": " + header.value + "\n";
  return code_block(raw);
}

std::string close_frame_markdown(const CloseFrame& frame) {
  if (!frame.code) return "a close frame without a code";
  return std::to_string(*frame.code) + (frame.reason.empty() ? "" : " \"" + md(frame.reason) + "\"");
}

std::string latency_markdown(const LatencyStats& stats) {
  return "p50 " + text::format_ms(stats.p50) + ", p95 " + text::format_ms(stats.p95) + ", max " +
         text::format_ms(stats.max);
}

// Facts first as a list, then the blocks (request, response, body) they point to.
struct Facts {
  std::vector<std::string> lines;
  std::string blocks;

  void block(std::string_view title, std::string_view raw) {
    blocks += "**" + std::string(title) + "**\n\n" + code_block(raw);
  }

  // Hex evidence 16 bytes a row, then the same bytes as text: a plaintext "HTTP/1.1 400" where
  // TLS was expected reads at a glance.
  void hex_block(std::string_view title, std::string_view hex) {
    const auto bytes = text::bytes_from_hex(hex);
    if (!bytes) return block(title, hex);
    std::string rows;
    for (std::size_t i = 0; i < bytes->size(); ++i) {
      char octet[4];
      std::snprintf(octet, sizeof octet, "%02x", static_cast<unsigned char>((*bytes)[i]));
      rows += std::string(i % 16 == 0 ? (i ? "\n" : "") : " ") + octet;
    }
    block(std::string(title) + " (hex)", rows);
    block(std::string(title) + " (as text)", *bytes);
  }
};

void dns_facts(Facts& facts, const DnsObservation& dns) {
  std::string line = "DNS: " + md(dns.query_name) + " -> " +
                     (dns.addresses.empty() ? "no address" : mds(dns.addresses)) + " (" + md(dns.source);
  if (dns.server) line += " @" + md(*dns.server);
  facts.lines.push_back(line + ")");
  if (!dns.cname_chain.empty())
    facts.lines.push_back("CNAME chain: " + md(dns.query_name) + " -> " + mds(dns.cname_chain, " -> "));
  if (dns.resolver_error) facts.lines.push_back("Resolver: " + md(*dns.resolver_error));
  if (dns.connect_to) facts.lines.push_back("Connect-to: " + md(*dns.connect_to));
  if (dns.pinned_address) facts.lines.push_back("This node: " + md(*dns.pinned_address));
}

void proxy_facts(Facts& facts, const ProxyObservation& proxy) {
  std::string line = "Proxy: " + md(proxy.proxy) + " (" + md(proxy.source) + "), tunnel to " +
                     md(proxy.tunnel_target) + (proxy.credentials_sent ? ", credentials sent" : ", no credentials sent");
  if (proxy.socks_reply) line += ", SOCKS5 reply " + std::to_string(*proxy.socks_reply);
  facts.lines.push_back(line);
  if (!proxy.request.empty()) facts.block("Request sent to the proxy", proxy.request);
  if (proxy.status_line) facts.blocks += "**Proxy answer**\n\n" + header_block(proxy.status_line, proxy.headers);
  if (!proxy.body.empty()) facts.block("Proxy answer body", proxy.body);
  if (!proxy.first_bytes_hex.empty()) facts.hex_block("First bytes from the proxy", proxy.first_bytes_hex);
}

void tcp_facts(Facts& facts, const TcpObservation& tcp) {
  if (tcp.remote_endpoint)
    facts.lines.push_back("TCP: connected to " + md(*tcp.remote_endpoint) +
                          (tcp.local_endpoint ? " from " + md(*tcp.local_endpoint) : "") +
                          (tcp.via_proxy ? " through the proxy tunnel" : ""));
  for (const auto& attempt : tcp.attempts) {
    if (attempt.condition == Condition::none) continue;
    facts.lines.push_back("TCP attempt: " + md(attempt.address) + " port " + std::to_string(attempt.port) + ", " +
                          std::string(to_string(attempt.condition)) + " after " + text::format_ms(attempt.duration) +
                          (attempt.detail.empty() ? "" : " (" + md(attempt.detail) + ")"));
  }
  if (tcp.proxy_protocol_version) facts.lines.push_back("PROXY protocol header sent: " + md(*tcp.proxy_protocol_version));
}

void tls_facts(Facts& facts, const TlsObservation& tls, const TargetResult& result) {
  std::vector<std::string> parts;
  if (tls.version) parts.push_back(md(*tls.version));
  if (tls.cipher) parts.push_back(md(*tls.cipher));
  if (tls.alpn) parts.push_back("ALPN " + md(*tls.alpn));
  if (!tls.verification_enabled)
    parts.push_back("verification disabled (-k)");
  else if (tls.verify_result)
    parts.push_back(*tls.verify_result == 0 ? "verified"
                                            : "not verified: " + md(tls.verify_error.value_or("X509 error " +
                                                                                            std::to_string(*tls.verify_result))));
  parts.push_back("SNI " + (tls.sni.empty() ? std::string("(none)") : md(tls.sni)));
  facts.lines.push_back("TLS: " + join(parts, ", "));
  if (!tls.peer_chain.empty()) {
    const auto& leaf = tls.peer_chain.front();
    std::string line = "Certificate: " + md(leaf.subject) + ", issued by " + md(leaf.issuer) + ", expires " +
                       md(leaf.not_after);
    if (const auto days = leaf_cert_days_left(result)) line += " (" + std::to_string(*days) + " days after the probe)";
    if (leaf.self_signed) line += ", self-signed";
    facts.lines.push_back(line);
    if (!leaf.subject_alt_names.empty()) facts.lines.push_back("Certificate names: " + mds(leaf.subject_alt_names));
    facts.lines.push_back("Certificate SHA-256: " + md(leaf.sha256_fingerprint));
  }
  if (tls.alert_received) facts.lines.push_back("TLS alert received: " + std::to_string(*tls.alert_received));
  if (tls.alert_sent) facts.lines.push_back("TLS alert sent: " + std::to_string(*tls.alert_sent));
  if (tls.alert_received_after_handshake)
    facts.lines.push_back("TLS alert after the handshake: " + std::to_string(*tls.alert_received_after_handshake));
  if (tls.certificate_requested) facts.lines.push_back("The server asked for a client certificate");
  if (tls.openssl_error) facts.lines.push_back("OpenSSL: " + md(*tls.openssl_error));
  if (!tls.first_bytes_hex.empty()) facts.hex_block("First bytes the server sent instead of TLS", tls.first_bytes_hex);
}

void upgrade_facts(Facts& facts, const UpgradeObservation& upgrade) {
  std::string line = "Upgrade answer: " + (upgrade.status_line ? md(*upgrade.status_line) : std::string("none"));
  if (upgrade.subprotocol) line += ", subprotocol " + md(*upgrade.subprotocol);
  if (upgrade.compression) line += ", " + md(*upgrade.compression);
  if (upgrade.connection_end) line += ", then " + std::string(to_string(*upgrade.connection_end));
  facts.lines.push_back(line);
  for (const auto& violation : upgrade.violations) facts.lines.push_back("Violation: " + md(violation));
  if (!upgrade.request.empty()) facts.block("Upgrade request sent", upgrade.request);
  if (upgrade.status_line) facts.blocks += "**Response headers**\n\n" + header_block(upgrade.status_line, upgrade.headers);
  if (!upgrade.body.empty())
    facts.block("Response body (" + std::to_string(upgrade.body.size()) + " bytes" +
                    (upgrade.body_truncated ? ", truncated" : "") + ")",
                upgrade.body);
  if (!upgrade.first_bytes_hex.empty()) facts.hex_block("First bytes of the answer", upgrade.first_bytes_hex);
}

void echo_facts(Facts& facts, const EchoObservation& echo) {
  if (!echo.ping_rtts.empty()) {
    const auto pongs = std::count_if(echo.ping_rtts.begin(), echo.ping_rtts.end(),
                                     [](const std::optional<Micros>& rtt) { return rtt.has_value(); });
    facts.lines.push_back("Pings: " + std::to_string(pongs) + "/" + std::to_string(echo.ping_rtts.size()) + " answered" +
                          (echo.ping_latency ? ", " + latency_markdown(*echo.ping_latency) : ""));
  }
  if (!echo.messages.empty()) {
    const auto echoed = std::count_if(echo.messages.begin(), echo.messages.end(), [](const EchoMessage& message) {
      return message.outcome == EchoMessage::Outcome::echoed;
    });
    facts.lines.push_back("Messages: " + std::to_string(echoed) + "/" + std::to_string(echo.messages.size()) +
                          " echoed" + (echo.echo_latency ? ", " + latency_markdown(*echo.echo_latency) : "") +
                          (echo.echo_endpoint == false ? " (not an echo endpoint)" : ""));
  }
  if (echo.expect)
    facts.lines.push_back("Expect " + md(echo.expect->pattern) + ": " +
                          (echo.expect->matched ? "matched" : "no match in " + std::to_string(echo.expect->replies_checked) + " replies"));
  if (!echo.size_sweep.empty()) {
    std::vector<std::string> sizes;
    for (const auto& probe : echo.size_sweep) sizes.push_back(std::to_string(probe.size_bytes) + " B " + md(probe.outcome));
    facts.lines.push_back("Sizes: " + join(sizes, ", "));
  }
  if (echo.peer_close) facts.lines.push_back("The server closed during echo: " + close_frame_markdown(*echo.peer_close));
  if (echo.connection_end) facts.lines.push_back("Connection ended during echo: " + std::string(to_string(*echo.connection_end)));
}

void hold_facts(Facts& facts, const HoldObservation& hold) {
  std::string line = "Hold: " + text::format_ms(hold.requested) + " requested, ";
  if (hold.survived) {
    line += "alive after " + text::format_ms(hold.held);
  } else {
    line += "cut after " + text::format_ms(hold.cut_after.value_or(hold.held)) + " by " + md(hold.end.value_or("?"));
    if (!hold.closed_by.empty()) line += " (closed by " + md(hold.closed_by) + ")";
    if (hold.peer_close) line += ", close frame " + close_frame_markdown(*hold.peer_close);
  }
  line += ", " + std::to_string(hold.pings_sent) + " pings, " + std::to_string(hold.messages_sent) + " messages sent";
  facts.lines.push_back(line);
}

void close_facts(Facts& facts, const CloseObservation& close) {
  std::string line = "Close: ";
  line += close.code_sent ? "sent " + std::to_string(*close.code_sent) : "sent none";
  line += close.peer_close ? ", the server " + std::string(close.peer_initiated ? "sent first " : "answered ") +
                                 close_frame_markdown(*close.peer_close)
                           : ", no close frame from the server";
  if (close.close_rtt) line += " in " + text::format_ms(*close.close_rtt);
  line += close.tcp_closed_cleanly ? ", clean" : ", unclean";
  if (close.tcp_end != Condition::none) line += " (" + std::string(to_string(close.tcp_end)) + ")";
  facts.lines.push_back(line);
}

void render_facts(std::string& out, const TargetResult& result) {
  Facts facts;
  const auto& observed = result.observed;
  if (observed.dns) dns_facts(facts, *observed.dns);
  if (observed.proxy) proxy_facts(facts, *observed.proxy);
  if (observed.tcp) tcp_facts(facts, *observed.tcp);
  if (observed.tls) tls_facts(facts, *observed.tls, result);
  if (observed.upgrade) upgrade_facts(facts, *observed.upgrade);
  if (observed.echo) echo_facts(facts, *observed.echo);
  if (observed.hold) hold_facts(facts, *observed.hold);
  if (observed.close) close_facts(facts, *observed.close);
  if (facts.lines.empty() && facts.blocks.empty()) return;
  out += "### What the probe saw\n\n";
  for (const auto& line : facts.lines) out += "- " + line + "\n";
  if (!facts.lines.empty()) out += "\n";
  out += facts.blocks;
}

void render_nodes(std::string& out, const std::vector<TargetResult>& nodes) {
  if (nodes.empty()) return;
  out += "### Nodes\n\n| address | verdict | cause | time | detail |\n|---|---|---|--:|---|\n";
  for (const auto& node : nodes) {
    std::string detail;
    for (const auto& stage : node.stages)
      if (stage.status == StageStatus::failed) detail = std::string(to_string(stage.stage)) + ": " + md(text::stage_condition(stage));
    out += table_row({md(text::node_address(node).value_or("?")), std::string(to_string(node.verdict.status)),
                      code(node.verdict.cause), text::format_ms(node.total_duration), detail});
  }
  out += "\n";
}

void render_followups(std::string& out, const std::vector<FollowUpObservation>& followups) {
  if (followups.empty()) return;
  out += "### Follow-up probes\n\n";
  for (const auto& followup : followups)
    out += "- " + code(to_string(followup.kind)) + ": " + md(followup.question) + " -> " + md(followup.outcome) + " (" +
           text::format_ms(followup.duration) + ")\n";
  out += "\n";
}

void render_fingerprints_markdown(std::string& out, const std::vector<Fingerprint>& fingerprints) {
  if (fingerprints.empty()) return;
  out += "### Answered by\n\n";
  for (const auto& fingerprint : fingerprints)
    out += "- " + md(fingerprint.name) + " (" + md(fingerprint.role) + ", " +
           std::string(to_string(fingerprint.confidence)) + "): " + mds(fingerprint.evidence, "; ") + "\n";
  out += "\n";
}

void render_target(std::string& out, const TargetResult& result) {
  const auto& target = result.target;
  out += "## " + md(text::target_label(target)) + (target.name ? " (" + md(text::shorten_for_display(target.url)) + ")" : "") + "\n\n";
  out += verdict_line(result);
  std::vector<std::string> about;
  if (result.verdict.hop) about.push_back("- Hop: " + md(*result.verdict.hop));
  if (!target.tags.empty()) about.push_back("- Tags: " + mds(target.tags));
  about.push_back("- Started " + md(result.started_at) + ", took " + text::format_ms(result.total_duration));
  out += join(about, "\n") + "\n\n";
  render_findings(out, result.findings);
  render_stages(out, result.stages);
  render_nodes(out, result.nodes);
  render_facts(out, result);
  render_followups(out, result.followups);
  render_fingerprints_markdown(out, result.fingerprints);
}

// Several targets: one row each before the details, so a ticket reader sees the whole run first.
void render_overview(std::string& out, const RunReport& report) {
  out += text::run_summary(report) + "\n\n";
  out += "| target | verdict | cause | stage | time |\n|---|---|---|---|--:|\n";
  for (const auto& result : report.results)
    out += table_row({md(text::target_label(result.target)), std::string(to_string(result.verdict.status)),
                      code(result.verdict.cause),
                      result.verdict.stage ? std::string(to_string(*result.verdict.stage)) : "-",
                      text::format_ms(result.total_duration)});
  out += "\n";
}

void render_environment(std::string& out, const ToolInfo& tool) {
  out += "## Environment\n\n- " + md(tool.name) + " " + md(tool.version) + "\n";
  for (const auto& [name, value] : tool.environment) out += "- " + md(name) + ": " + md(value) + "\n";
  out += "\nCommand:\n\n" + code_block(text::command_line(tool.argv));
}

}  // namespace

std::string render_markdown(const RunReport& report) {
  std::string out = "# wsprobe report\n\n";
  if (report.results.size() > 1) render_overview(out, report);
  for (const auto& result : report.results) render_target(out, result);
  render_environment(out, report.tool);
  // One newline at the end, whatever the last section left.
  while (out.size() > 1 && out.ends_with("\n\n")) out.pop_back();
  return out;
}

}  // namespace wsprobe

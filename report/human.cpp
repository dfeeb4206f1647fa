#include "report/human.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "checks/catalogue.hpp"
#include "model/join.hpp"
#include "report/node_table.hpp"
#include "report/paint.hpp"
#include "report/text.hpp"
#include "wire/close_codes.hpp"

namespace wsprobe {
namespace {

// Layout of a stage line:
//   "  tls     ok     +12.3ms    24.1ms  TLSv1.3, TLS_AES_128_GCM_SHA256, alpn http/1.1, verified"
//   "          leaf: CN=echo.example.test, expires 2026-03-01T00:00:00Z"
constexpr std::size_t kWidth = 98;  // lines stay under 100 columns where the content allows
constexpr std::size_t kNameWidth = 7;  // "upgrade"
constexpr std::size_t kMarkWidth = 4;  // "FAIL", "warn", "skip"
constexpr std::size_t kTimeWidth = 9;
const std::string kMore(2 + kNameWidth + 1, ' ');  // continuation lines start under the mark
constexpr std::size_t kAddressesShown = 4;
constexpr std::size_t kHeadersShown = 8;
constexpr std::size_t kBodyLinesShown = 4;
constexpr std::size_t kHexBytesPerLine = 24;

struct Context {
  Painter paint;
  bool verbose = false;
};

// What a stage line says: the key fact, then indented lines (evidence, chain, headers).
struct StageView {
  std::string fact;
  std::vector<std::string> more;
};

// Anything that came from the peer or the resolver is escaped before it reaches the terminal.
std::string safe(std::string_view bytes) { return text::escape_for_terminal(bytes); }
// A URL or a name as typed, escaped and, when huge, shortened (the JSON report keeps it whole).
std::string shown(std::string_view bytes) { return text::shorten_for_display(safe(bytes)); }

std::string pad_right(std::string text, std::size_t width) {
  const auto used = text::columns(text);
  if (used < width) text.append(width - used, ' ');
  return text;
}

std::string pad_left(std::string text, std::size_t width) {
  const auto used = text::columns(text);
  if (used < width) text.insert(0, width - used, ' ');
  return text;
}

void emit(std::string& out, std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line;
  out += '\n';
}

// Prose (summaries, fixes) folded at word boundaries; the first line starts with `first`, the
// rest with `rest`. A word longer than a line stays whole.
std::vector<std::string> wrap(std::string_view prose, const std::string& first, const std::string& rest) {
  std::vector<std::string> lines{first};
  bool line_has_word = false;
  std::size_t at = 0;
  while (at < prose.size()) {
    const auto start = prose.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const auto end = std::min(prose.find(' ', start), prose.size());
    const auto word = safe(prose.substr(start, end - start));
    if (line_has_word && text::columns(lines.back()) + 1 + text::columns(word) > kWidth) {
      lines.push_back(rest);
      line_has_word = false;
    }
    if (line_has_word) lines.back() += ' ';
    lines.back() += word;
    line_has_word = true;
    at = end;
  }
  return lines;
}

std::string endpoint(const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::string latency_text(const LatencyStats& stats) {
  return "p50 " + text::format_ms(stats.p50) + " p90 " + text::format_ms(stats.p90) + " max " +
         text::format_ms(stats.max);
}

// RFC 8446 §6 and RFC 7301 alert descriptions, the ones a probe meets.
std::string alert_text(int alert) {
  static constexpr std::array<std::pair<int, std::string_view>, 27> kAlerts{{
      {0, "close_notify"}, {10, "unexpected_message"}, {20, "bad_record_mac"},
      {22, "record_overflow"}, {40, "handshake_failure"}, {42, "bad_certificate"},
      {43, "unsupported_certificate"}, {44, "certificate_revoked"}, {45, "certificate_expired"},
      {46, "certificate_unknown"}, {47, "illegal_parameter"}, {48, "unknown_ca"},
      {49, "access_denied"}, {50, "decode_error"}, {51, "decrypt_error"},
      {70, "protocol_version"}, {71, "insufficient_security"}, {80, "internal_error"},
      {86, "inappropriate_fallback"}, {90, "user_canceled"}, {109, "missing_extension"},
      {110, "unsupported_extension"}, {112, "unrecognized_name"},
      {113, "bad_certificate_status_response"}, {115, "unknown_psk_identity"},
      {116, "certificate_required"}, {120, "no_application_protocol"},
  }};
  for (const auto& [code, name] : kAlerts)
    if (code == alert) return std::to_string(alert) + " " + std::string(name);
  return std::to_string(alert);
}

// "1001 \"going away\"" with the peer's reason, else "1001 (going away)" from RFC 6455.
std::string close_frame_text(const CloseFrame& frame) {
  if (!frame.code) return "a close frame without a code";
  if (frame.reason.empty()) return close_code_label(*frame.code);
  return std::to_string(*frame.code) + " \"" + safe(frame.reason) + "\"";
}

// The hex the probe kept ("16 03 01 ..."), 24 bytes a line, then the same bytes as text: a
// plaintext "HTTP/1.1 400" answer is recognisable at a glance.
void add_first_bytes(std::vector<std::string>& more, const std::string& hex) {
  std::vector<std::string> octets;
  std::string bytes;
  for (std::size_t i = 0; i < hex.size();) {
    if (hex[i] == ' ') { ++i; continue; }
    const auto pair = hex.substr(i, 2);
    if (pair.size() != 2 || !std::isxdigit(static_cast<unsigned char>(pair[0])) ||
        !std::isxdigit(static_cast<unsigned char>(pair[1]))) {
      more.push_back("first bytes: " + safe(hex));  // not the expected form: show it as is
      return;
    }
    octets.push_back(pair);
    bytes.push_back(static_cast<char>(std::stoi(pair, nullptr, 16)));
    i += 2;
  }
  for (std::size_t i = 0; i < octets.size(); i += kHexBytesPerLine) {
    const auto last = std::min(octets.size(), i + kHexBytesPerLine);
    const std::vector<std::string> line(octets.begin() + i, octets.begin() + last);
    more.push_back((i == 0 ? "first bytes: " : "             ") + join_nonempty(line, " "));
  }
  more.push_back("as text: " + text::clip(safe(bytes), kWidth - kMore.size() - 9));
}

// ---- stages ----

StageView dns_view(const DnsObservation& dns, const StageResult& stage, const Context& ctx) {
  StageView view;
  const auto shown = ctx.verbose ? dns.addresses.size() : std::min(dns.addresses.size(), kAddressesShown);
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < shown; ++i) addresses.push_back(safe(dns.addresses[i]));
  std::string origin = safe(dns.source);
  if (dns.server) origin += " @" + safe(*dns.server);
  if (!addresses.empty()) {
    view.fact = join_nonempty(addresses, ", ");
    if (shown < dns.addresses.size())
      view.fact += " (+" + std::to_string(dns.addresses.size() - shown) + " more)";
    view.fact += " (" + origin + ")";
  } else {
    view.fact = "no address for " + safe(dns.query_name) + " (" + origin + ")";
  }
  // CNAMEs name the load balancer behind a friendly host: always worth a line.
  if (!dns.cname_chain.empty()) {
    std::vector<std::string> chain{safe(dns.query_name)};
    for (const auto& alias : dns.cname_chain) chain.push_back(safe(alias));
    view.more.push_back("cname: " + join_nonempty(chain, " -> "));
  }
  if (dns.resolver_error && *dns.resolver_error != stage.detail)
    view.more.push_back("resolver: " + safe(*dns.resolver_error));
  if (dns.connect_to) view.more.push_back("connect-to: " + safe(*dns.connect_to));
  if (dns.family != "any") view.more.push_back("family: " + safe(dns.family) + " only");
  if (dns.pinned_address) view.more.push_back("this node: " + safe(*dns.pinned_address));
  return view;
}

StageView tcp_view(const TcpObservation& tcp, const StageResult& stage, const Context& ctx) {
  StageView view;
  const auto failed = static_cast<std::size_t>(std::count_if(
      tcp.attempts.begin(), tcp.attempts.end(),
      [](const ConnectAttempt& attempt) { return attempt.condition != Condition::none; }));
  if (tcp.via_proxy && tcp.remote_endpoint) {
    view.fact = safe(*tcp.remote_endpoint) + " through the proxy tunnel";
  } else if (tcp.remote_endpoint) {
    view.fact = safe(*tcp.remote_endpoint);
    if (ctx.verbose && tcp.local_endpoint) view.fact += " from " + safe(*tcp.local_endpoint);
    if (failed > 0)
      view.fact += " after " + std::to_string(failed) + (failed == 1 ? " failed attempt" : " failed attempts");
  } else if (!tcp.attempts.empty()) {
    view.fact = std::to_string(tcp.attempts.size()) +
                (tcp.attempts.size() == 1 ? " attempt, not connected" : " attempts, none connected");
  }
  // Each address tried, when any failed: one bad LB node among good ones shows up here.
  if (failed > 0 || ctx.verbose) {
    for (const auto& attempt : tcp.attempts) {
      const auto outcome = attempt.condition == Condition::none ? std::string("connected")
                                                                : std::string(to_string(attempt.condition));
      std::string line = pad_right(safe(endpoint(attempt.address, attempt.port)), 22) + " " +
                         pad_right(outcome, 16) + " " + pad_left(text::format_ms(attempt.duration), 8);
      if (!attempt.detail.empty()) line += "  " + safe(attempt.detail);
      view.more.push_back(line);
    }
  }
  if (tcp.proxy_protocol_version)
    view.more.push_back("sent PROXY protocol " + safe(*tcp.proxy_protocol_version) + " header" +
                        (ctx.verbose && tcp.proxy_protocol_header_hex ? ": " + safe(*tcp.proxy_protocol_header_hex) : ""));
  return view;
}

std::string verify_text(const TlsObservation& tls, const Context& ctx) {
  if (!tls.verification_enabled) return ctx.paint("verification disabled (-k)", Tone::caution);
  if (!tls.verify_result) return "";
  if (*tls.verify_result == 0) return "verified";
  return "not verified: " + (tls.verify_error ? safe(*tls.verify_error) : "X509 error " + std::to_string(*tls.verify_result));
}

void add_certificate(std::vector<std::string>& more, const Certificate& cert, std::size_t depth) {
  const std::string indent = "  ";
  more.push_back("cert " + std::to_string(depth) + ": " + safe(cert.subject) + (cert.self_signed ? " (self-signed)" : ""));
  more.push_back(indent + "issuer: " + safe(cert.issuer));
  more.push_back(indent + "valid: " + safe(cert.not_before) + " .. " + safe(cert.not_after));
  if (!cert.subject_alt_names.empty()) {
    std::vector<std::string> names;
    for (const auto& name : cert.subject_alt_names) names.push_back(safe(name));
    more.push_back(indent + "san: " + join_nonempty(names, ", "));
  }
  more.push_back(indent + "key: " + safe(cert.key_type) + ", serial " + safe(cert.serial_hex));
  more.push_back(indent + "sha256: " + safe(cert.sha256_fingerprint));
}

StageView tls_view(const TlsObservation& tls, const StageResult& stage, const Context& ctx) {
  StageView view;
  std::vector<std::string> facts;
  if (tls.version) facts.push_back(safe(*tls.version));
  if (tls.cipher) facts.push_back(safe(*tls.cipher));
  if (tls.alpn)
    facts.push_back("alpn " + safe(*tls.alpn));
  else if (tls.version && !tls.offered_alpn.empty())
    facts.push_back("no alpn");
  facts.push_back(verify_text(tls, ctx));
  view.fact = join_nonempty(facts, ", ");

  const bool troubled = stage.status == StageStatus::failed || stage.status == StageStatus::warn;
  // Under -k the chain may not verify; say so, it is what a user removing -k would meet.
  if (!tls.verification_enabled && tls.verify_result && *tls.verify_result != 0)
    view.more.push_back("chain would not verify: " +
                        (tls.verify_error ? safe(*tls.verify_error) : std::string("X509 error")) +
                        " (X509 error " + std::to_string(*tls.verify_result) + ")");
  if (ctx.verbose || troubled) {
    std::vector<std::string> alpn;
    for (const auto& protocol : tls.offered_alpn) alpn.push_back(safe(protocol));
    view.more.push_back("sni: " + (tls.sni.empty() ? std::string("(none)") : safe(tls.sni)) +
                        (alpn.empty() ? "" : ", offered alpn: " + join_nonempty(alpn, " ")));
  }
  if (tls.alert_received) view.more.push_back("alert received: " + alert_text(*tls.alert_received));
  if (tls.alert_sent) view.more.push_back("alert sent: " + alert_text(*tls.alert_sent));
  if (tls.client_certificate)
    view.more.push_back("client certificate offered: " + safe(*tls.client_certificate));
  if (tls.certificate_requested && !tls.client_certificate)
    view.more.push_back("the server asked for a client certificate (none sent)");
  if ((ctx.verbose || troubled) && (tls.version_min || tls.version_max))
    view.more.push_back("versions offered: " + (tls.version_min ? safe(*tls.version_min) : std::string("default")) +
                        " .. " + (tls.version_max ? safe(*tls.version_max) : std::string("default")));
  if (tls.alert_received_after_handshake)
    view.more.push_back("alert received after the handshake: " + alert_text(*tls.alert_received_after_handshake));
  if (tls.openssl_error && *tls.openssl_error != stage.detail)
    view.more.push_back("openssl: " + safe(*tls.openssl_error));
  if (!tls.first_bytes_hex.empty()) {
    add_first_bytes(view.more, tls.first_bytes_hex);
    view.more.push_back(std::to_string(tls.bytes_received) + " bytes received");
  }

  if (ctx.verbose) {
    for (std::size_t i = 0; i < tls.peer_chain.size(); ++i) add_certificate(view.more, tls.peer_chain[i], i);
  } else if (!tls.peer_chain.empty()) {
    const auto& leaf = tls.peer_chain.front();
    view.more.push_back("leaf: " + safe(leaf.subject) + ", expires " + safe(leaf.not_after) +
                        (leaf.self_signed ? " (self-signed)" : ""));
    view.more.push_back("issuer: " + safe(leaf.issuer));
  }
  return view;
}

bool is_key_header(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kKeyHeaders{
      "server", "via", "location", "www-authenticate", "proxy-authenticate", "content-type",
      "content-length", "upgrade", "connection", "sec-websocket-accept", "sec-websocket-protocol",
      "sec-websocket-extensions", "sec-websocket-version", "retry-after", "x-cache", "cf-ray"};
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(kKeyHeaders.begin(), kKeyHeaders.end(), lower) != kKeyHeaders.end();
}

// "< Name: value" lines as curl -v prints them: all of them when verbose, else the ones that
// tell a proxy or a server apart.
void add_headers(std::vector<std::string>& more, const std::vector<HttpHeader>& headers, const Context& ctx) {
  std::size_t shown = 0, hidden = 0;
  for (const auto& header : headers) {
    if (!ctx.verbose && (!is_key_header(header.name) || shown == kHeadersShown)) {
      ++hidden;
      continue;
    }
    ++shown;
    more.push_back("< " + text::clip(safe(header.name) + ": " + safe(header.value), kWidth - kMore.size() - 2));
  }
  if (hidden > 0)
    more.push_back("  (" + std::to_string(hidden) + (hidden == 1 ? " more header" : " more headers") +
                   ", -v shows all)");
}

void add_body(std::vector<std::string>& more, const UpgradeObservation& upgrade, const Context& ctx) {
  if (upgrade.body.empty()) return;
  more.push_back("body: " + std::to_string(upgrade.body.size()) + " bytes" +
                 (upgrade.body_truncated ? " (truncated)" : ""));
  std::vector<std::string_view> lines;
  std::string_view rest = upgrade.body;
  while (!rest.empty()) {
    const auto end = std::min(rest.find('\n'), rest.size());
    auto line = rest.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF bodies read as lines
    lines.push_back(line);
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  const auto shown = ctx.verbose ? lines.size() : std::min(lines.size(), kBodyLinesShown);
  for (std::size_t i = 0; i < shown; ++i)
    more.push_back("| " + (ctx.verbose ? safe(lines[i]) : text::clip(safe(lines[i]), kWidth - kMore.size() - 2)));
  if (shown < lines.size()) more.push_back("| ... (" + std::to_string(lines.size() - shown) + " more lines)");
}

std::string socks_reply_text(int reply) {
  // RFC 1928 §6.
  static constexpr std::array<std::string_view, 9> kReplies{
      "succeeded",          "general SOCKS server failure", "connection not allowed by ruleset",
      "network unreachable", "host unreachable",            "connection refused",
      "TTL expired",         "command not supported",       "address type not supported"};
  const auto index = static_cast<std::size_t>(reply);
  return std::to_string(reply) + " (" + std::string(index < kReplies.size() ? kReplies[index] : "unassigned") + ")";
}

StageView proxy_view(const ProxyObservation& proxy, const StageResult& stage, const Context& ctx) {
  StageView view;
  // "192.0.2.8:3128 (HTTPS_PROXY), CONNECT chat.example.test:443, 407 Proxy Authentication Required"
  std::vector<std::string> facts{safe(proxy.proxy_endpoint.value_or(proxy.proxy)) + " (" + safe(proxy.source) + ")"};
  if (proxy.status_code) {
    std::string answer = *proxy.status_line;
    if (answer.starts_with("HTTP/")) answer = answer.substr(std::min(answer.find(' ') + 1, answer.size()));
    facts.push_back("CONNECT " + safe(proxy.tunnel_target));
    facts.push_back(safe(answer));
  } else if (proxy.socks_reply) {
    facts.push_back("SOCKS5 CONNECT " + safe(proxy.tunnel_target));
    facts.push_back("reply " + socks_reply_text(*proxy.socks_reply));
  }
  view.fact = join_nonempty(facts, ", ");
  const bool troubled = stage.status == StageStatus::failed || stage.status == StageStatus::warn;
  if (ctx.verbose || troubled) {
    view.more.push_back(safe(proxy.proxy) + (proxy.credentials_sent ? ", credentials sent" : ", no credentials sent"));
    if (proxy.socks_method)
      view.more.push_back("socks method: " + std::to_string(*proxy.socks_method) +
                          (*proxy.socks_method == 255 ? " (no acceptable method)" : ""));
    if (proxy.socks_auth_status)
      view.more.push_back("socks auth status: " + std::to_string(*proxy.socks_auth_status) +
                          (*proxy.socks_auth_status == 0 ? " (success)" : " (failure)"));
    add_headers(view.more, proxy.headers, ctx);
    if (!proxy.body.empty()) view.more.push_back("| " + text::clip(safe(proxy.body.substr(0, proxy.body.find('\n'))), kWidth - kMore.size() - 2));
    if (!proxy.first_bytes_hex.empty()) add_first_bytes(view.more, proxy.first_bytes_hex);
    if (proxy.connection_end) view.more.push_back("proxy ended the connection: " + std::string(to_string(*proxy.connection_end)));
  }
  if (ctx.verbose) {
    std::vector<std::string> timing;
    if (proxy.connect_duration) timing.push_back("connect " + text::format_ms(*proxy.connect_duration));
    if (proxy.tunnel_duration) timing.push_back("tunnel " + text::format_ms(*proxy.tunnel_duration));
    if (!timing.empty()) view.more.push_back(join_nonempty(timing, ", "));
    std::string_view request = proxy.request;
    while (!request.empty()) {
      const auto end = std::min(request.find("\r\n"), request.size());
      if (end > 0) view.more.push_back("> " + safe(request.substr(0, end)));
      request.remove_prefix(std::min(end + 2, request.size()));
    }
  }
  return view;
}

StageView upgrade_view(const UpgradeObservation& upgrade, const StageResult& stage, const Context& ctx) {
  StageView view;
  if (upgrade.status_line) {
    view.fact = safe(*upgrade.status_line);
  } else {
    view.fact = "no response";
    if (upgrade.connection_end) view.fact += " (" + std::string(to_string(*upgrade.connection_end)) + ")";
  }
  if (upgrade.status_code == 101) {
    if (upgrade.accept && upgrade.violations.empty()) view.fact += ", accept ok";
    if (!upgrade.accept) view.fact += ", no Sec-WebSocket-Accept";
    if (upgrade.subprotocol) view.fact += ", subprotocol " + safe(*upgrade.subprotocol);
    if (!upgrade.extensions.empty()) {
      std::vector<std::string> extensions;
      for (const auto& extension : upgrade.extensions) extensions.push_back(safe(extension));
      view.fact += ", extensions " + join_nonempty(extensions, "; ");
    }
  }
  for (const auto& violation : upgrade.violations)
    view.more.push_back(ctx.paint("violation: ", Tone::bad) + safe(violation));
  if (!upgrade.offered_extensions.empty() && upgrade.status_code == 101 && !upgrade.compression)
    view.more.push_back("compression offered, not negotiated");

  const bool troubled = stage.status == StageStatus::failed || stage.status == StageStatus::warn;
  if (ctx.verbose) {
    std::string_view request = upgrade.request;
    while (!request.empty()) {
      const auto end = std::min(request.find("\r\n"), request.size());
      if (end > 0) view.more.push_back("> " + safe(request.substr(0, end)));
      request.remove_prefix(std::min(end + 2, request.size()));
    }
  }
  if (ctx.verbose || troubled) {
    if (upgrade.status_line && ctx.verbose) view.more.push_back("< " + safe(*upgrade.status_line));
    add_headers(view.more, upgrade.headers, ctx);
    add_body(view.more, upgrade, ctx);
    if (!upgrade.first_bytes_hex.empty()) add_first_bytes(view.more, upgrade.first_bytes_hex);
    if (!upgrade.status_line) view.more.push_back(std::to_string(upgrade.bytes_received) + " bytes received");
    if (upgrade.status_line && upgrade.connection_end)
      view.more.push_back("then the peer ended the connection (" +
                          std::string(to_string(*upgrade.connection_end)) + ")");
  }
  if (ctx.verbose && (upgrade.time_to_first_byte || upgrade.time_to_response)) {
    std::vector<std::string> timing;
    if (upgrade.time_to_first_byte) timing.push_back("first byte " + text::format_ms(*upgrade.time_to_first_byte));
    if (upgrade.time_to_response) timing.push_back("response head " + text::format_ms(*upgrade.time_to_response));
    view.more.push_back(join_nonempty(timing, ", ") + " after the request");
  }
  return view;
}

// "512 B", "64 KiB", "1 MiB": sizes as users write them for --sizes.
std::string size_text(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " B";
}

std::string pings_text(const EchoObservation& echo) {
  const auto answered = std::count_if(echo.ping_rtts.begin(), echo.ping_rtts.end(),
                                      [](const std::optional<Micros>& rtt) { return rtt.has_value(); });
  std::string out = std::to_string(answered) + "/" + std::to_string(echo.ping_rtts.size()) + " pongs";
  if (echo.ping_latency) out += ", rtt " + latency_text(*echo.ping_latency);
  return out;
}

std::string messages_text(const EchoObservation& echo, const Context& ctx) {
  const auto count = [&](EchoMessage::Outcome outcome) {
    return std::count_if(echo.messages.begin(), echo.messages.end(),
                         [&](const EchoMessage& message) { return message.outcome == outcome; });
  };
  const auto total = std::to_string(echo.messages.size());
  if (echo.echo_endpoint == false)
    return ctx.paint("not an echo endpoint", Tone::muted) + " (" + std::to_string(count(EchoMessage::Outcome::echoed)) +
           "/" + total + " messages came back)";
  std::string out = std::to_string(count(EchoMessage::Outcome::echoed)) + "/" + total + " echoed";
  if (const auto mismatched = count(EchoMessage::Outcome::mismatch); mismatched > 0)
    out += ", " + std::to_string(mismatched) + " mismatched";
  if (echo.echo_latency) out += ", rtt " + latency_text(*echo.echo_latency);
  return out;
}

std::string rtt_list(const std::vector<std::optional<Micros>>& rtts) {
  std::vector<std::string> parts;
  for (const auto& rtt : rtts) parts.push_back(rtt ? text::format_ms(*rtt) : "-");
  return join_nonempty(parts, " ");
}

StageView echo_view(const EchoObservation& echo, const StageResult& stage, const Context& ctx) {
  StageView view;
  std::vector<std::string> lines;
  if (!echo.ping_rtts.empty()) lines.push_back(pings_text(echo));
  if (!echo.messages.empty()) lines.push_back(messages_text(echo, ctx));
  if (lines.empty()) lines.push_back(echo.mode == EchoMode::off ? "echo off" : "nothing sent");
  view.fact = lines.front();
  view.more.assign(lines.begin() + 1, lines.end());
  if (echo.unsolicited_messages > 0)
    view.more.push_back(std::to_string(echo.unsolicited_messages) +
                        (echo.unsolicited_messages == 1 ? " unsolicited message" : " unsolicited messages") +
                        " from the server");
  if (echo.expect) {
    const auto& expect = *echo.expect;
    std::string line = "expect /" + safe(expect.pattern) + "/: ";
    if (expect.matched)
      line += "matched" + (expect.matching_reply ? " \"" + text::clip(safe(*expect.matching_reply), 60) + "\"" : "");
    else
      line += ctx.paint("no match", Tone::bad) + " in " + std::to_string(expect.replies_checked) + " replies" +
              (expect.last_reply ? ", last \"" + text::clip(safe(*expect.last_reply), 60) + "\"" : "");
    view.more.push_back(line);
  }
  if (!echo.size_sweep.empty()) {
    std::vector<std::string> sizes;
    for (const auto& probe : echo.size_sweep) {
      std::string part = size_text(probe.size_bytes) + " " + safe(probe.outcome);
      if (probe.peer_close) part += " " + close_frame_text(*probe.peer_close);
      sizes.push_back(part);
    }
    view.more.push_back("sizes: " + join_nonempty(sizes, ", ") + "; largest echoed " +
                        (echo.largest_echoed_bytes ? size_text(*echo.largest_echoed_bytes) : std::string("none")));
  }
  if (echo.compressed_messages_received > 0)
    view.more.push_back(std::to_string(echo.compressed_messages_received) + " replies arrived compressed");
  if (echo.peer_close) view.more.push_back("peer closed: " + close_frame_text(*echo.peer_close));
  if (echo.connection_end)
    view.more.push_back("connection ended: " + std::string(to_string(*echo.connection_end)));
  if (ctx.verbose) {
    if (!echo.ping_rtts.empty()) view.more.push_back("ping rtts: " + rtt_list(echo.ping_rtts));
    std::vector<std::optional<Micros>> echo_rtts;
    for (const auto& message : echo.messages) echo_rtts.push_back(message.rtt);
    if (!echo_rtts.empty())
      view.more.push_back("echo rtts: " + rtt_list(echo_rtts) + " (" + std::to_string(echo.messages.front().size_bytes) +
                          "-byte " + safe(echo.payload_kind) + (echo.custom_message ? " --message" : "") +
                          " messages, mode " + std::string(text::echo_mode_name(echo.mode)) + ")");
  }
  return view;
}

StageView hold_view(const HoldObservation& hold, const StageResult& stage, const Context& ctx) {
  StageView view;
  std::string keepalive = "no keepalive";
  if (hold.ping_interval)
    keepalive = std::string(hold.keepalive_by_message ? "a message" : "a ping") + " every " +
                text::format_ms(*hold.ping_interval);
  if (hold.survived) {
    view.fact = "alive after " + text::format_ms(hold.held) + " (" + keepalive + ")";
    if (hold.final_check_rtt) view.fact += ", final check answered in " + text::format_ms(*hold.final_check_rtt);
  } else {
    const std::string how = hold.end == "close_frame" ? "a close frame"
                            : hold.end == "fin"       ? "FIN, no close frame"
                            : hold.end == "reset"     ? "RST, no close frame"
                            : hold.end == "silent"    ? "silence (the final check went unanswered)"
                                                      : safe(hold.end.value_or("an unknown end"));
    view.fact = "cut after " + (hold.cut_after ? text::format_ms(*hold.cut_after) : text::format_ms(hold.held)) +
                " by " + how + " (" + keepalive + ")";
    if (hold.peer_close) view.more.push_back("close frame: " + close_frame_text(*hold.peer_close));
    if (hold.idle_before_cut) view.more.push_back("idle for " + text::format_ms(*hold.idle_before_cut) + " before the cut");
    if (!hold.closed_by.empty()) view.more.push_back("closed by: " + safe(hold.closed_by));
  }
  if (const auto& silent = hold.silent_run) {
    std::string line = "silent run alongside: ";
    if (silent->failed_before_hold)
      line += "failed at " + std::string(to_string(*silent->failed_before_hold)) + " before its hold";
    else if (silent->survived)
      line += "alive after " + text::format_ms(silent->held);
    else if (silent->found_by_final_check)
      line += "dead at its final check (" + safe(silent->end.value_or("silent")) + "), cut at an unknown time";
    else
      line += "cut after " + text::format_ms(silent->cut_after.value_or(silent->held)) + " (" +
              safe(silent->end.value_or("?")) + ")" +
              (silent->idle_before_cut ? ", idle " + text::format_ms(*silent->idle_before_cut) : std::string());
    view.more.push_back(std::move(line));
  }
  if (hold.largest_safe_ping_interval)
    view.more.push_back("largest safe keepalive interval: " + text::format_ms(*hold.largest_safe_ping_interval));
  if (ctx.verbose || hold.pings_sent + hold.messages_sent > 0)
    view.more.push_back("requested " + text::format_ms(hold.requested) + "; " + std::to_string(hold.pings_sent) +
                        " pings (" + std::to_string(hold.pongs_received) + " pongs), " +
                        std::to_string(hold.messages_sent) + " messages sent");
  return view;
}

StageView close_view(const CloseObservation& close, const StageResult& stage, const Context& ctx) {
  StageView view;
  std::vector<std::string> parts;
  if (close.peer_initiated) {
    parts.push_back("peer sent " + (close.peer_close ? close_frame_text(*close.peer_close) : "a close frame") + " first");
    if (close.code_sent) parts.push_back("answered " + std::to_string(*close.code_sent));
  } else {
    parts.push_back(close.code_sent ? "sent " + std::to_string(*close.code_sent) : "sent no close frame");
    parts.push_back(close.peer_close ? "peer answered " + close_frame_text(*close.peer_close)
                                     : "no close frame from the peer");
  }
  if (close.close_rtt) parts.back() += " in " + text::format_ms(*close.close_rtt);
  if (close.tcp_closed_cleanly)
    parts.push_back(ctx.paint("clean", Tone::good));
  else
    parts.push_back(ctx.paint("unclean", Tone::caution) +
                    (close.tcp_end == Condition::none ? "" : " (" + std::string(to_string(close.tcp_end)) + ")"));
  view.fact = join_nonempty(parts, ", ");
  return view;
}

template <typename T, typename View>
StageView view_of(const std::optional<T>& observation, const StageResult& stage, const Context& ctx, View view) {
  return observation ? view(*observation, stage, ctx) : StageView{};
}

StageView stage_view(const StageResult& stage, const Observations& observed, const Context& ctx) {
  switch (stage.stage) {
    case Stage::dns: return view_of(observed.dns, stage, ctx, dns_view);
    case Stage::tcp: return view_of(observed.tcp, stage, ctx, tcp_view);
    case Stage::tls: return view_of(observed.tls, stage, ctx, tls_view);
    case Stage::upgrade: return view_of(observed.upgrade, stage, ctx, upgrade_view);
    case Stage::echo: return view_of(observed.echo, stage, ctx, echo_view);
    case Stage::close: return view_of(observed.close, stage, ctx, close_view);
    case Stage::proxy: return view_of(observed.proxy, stage, ctx, proxy_view);
    case Stage::hold: return view_of(observed.hold, stage, ctx, hold_view);
  }
  return {};
}

std::string status_mark(StageStatus status, const Context& ctx) {
  switch (status) {
    case StageStatus::ok: return ctx.paint("ok", Tone::good) + "  ";
    case StageStatus::warn: return ctx.paint("warn", Tone::caution);
    case StageStatus::failed: return ctx.paint("FAIL", Tone::bad);
    case StageStatus::skipped: return ctx.paint("skip", Tone::muted);
  }
  return "?   ";
}

// The fact after the times; a long one folds at its ", " separators into the fact column.
void emit_fact(std::string& out, const std::string& head, std::string_view fact) {
  const std::string column(text::columns(head), ' ');
  std::string line = head;
  bool first = true;
  while (true) {
    const auto end = std::min(fact.find(", "), fact.size());
    const auto part = fact.substr(0, end);
    if (first) {
      line += part;
    } else if (text::columns(line) + 2 + text::columns(part) > kWidth) {
      emit(out, line + ",");
      line = column + std::string(part);
    } else {
      line += ", " + std::string(part);
    }
    first = false;
    if (end == fact.size()) break;
    fact.remove_prefix(end + 2);
  }
  emit(out, line);
}

// `expected`: the stage failed the way --expect-status asked for (a 401 the target must answer),
// so it is marked "exp", not FAIL, under a passing verdict.
void render_stage(std::string& out, const StageResult& stage, const Observations& observed, const Context& ctx,
                  bool expected = false) {
  std::string head = "  " + pad_right(std::string(to_string(stage.stage)), kNameWidth) + " " +
                     (expected ? ctx.paint("exp", Tone::good) + " " : status_mark(stage.status, ctx));
  if (stage.status == StageStatus::skipped) {
    // No times: a skipped stage never started. Its reason, if any, goes in the fact column.
    if (!stage.detail.empty())
      head += std::string(2 * (kTimeWidth + 1), ' ') + "  " + ctx.paint(safe(stage.detail), Tone::muted);
    emit(out, head);
    return;
  }
  auto view = stage_view(stage, observed, ctx);
  const auto condition = safe(text::stage_condition(stage));
  const bool troubled = stage.status == StageStatus::failed || stage.status == StageStatus::warn;
  // A condition the fact already states (a warning's own words) is not repeated below it.
  if (troubled && !condition.empty() && view.fact.find(condition) == std::string::npos) {
    const auto tone = stage.status == StageStatus::failed ? Tone::bad : Tone::caution;
    if (view.fact.empty()) {
      view.fact = ctx.paint(condition, tone);
    } else {
      // A long detail folds under itself; each piece is painted after wrapping, so escape codes
      // never count as columns.
      auto pieces = wrap(condition, kMore, kMore + "  ");
      for (auto& piece : pieces) piece = ctx.paint(piece.substr(kMore.size()), tone);
      view.more.insert(view.more.begin(), pieces.begin(), pieces.end());
    }
  } else if (view.fact.empty()) {
    view.fact = safe(stage.detail);  // proxy, hold: the stage's own words are all there is
  }
  head += " " + pad_left("+" + text::format_ms(stage.start_offset), kTimeWidth) + " " +
          pad_left(text::format_ms(stage.duration), kTimeWidth) + "  ";
  emit_fact(out, head, view.fact);
  for (const auto& line : view.more) emit(out, kMore + line);
}

// "answered by: AWS ALB (load balancer, likely) - Server: awselb/2.0": who sits on the path.
void render_fingerprints(std::string& out, const std::vector<Fingerprint>& fingerprints) {
  for (const auto& fingerprint : fingerprints) {
    std::string line = "answered by: " + fingerprint.name + " (" + fingerprint.role + ", " +
                       std::string(to_string(fingerprint.confidence)) + ")";
    std::string evidence;
    for (const auto& fact : fingerprint.evidence) evidence += (evidence.empty() ? "" : "; ") + fact;
    if (!evidence.empty()) line += " - " + evidence;
    for (auto& text_line : wrap(line, "", std::string(13, ' '))) emit(out, std::move(text_line));
  }
}

// The extra probes that told look-alike causes apart: the question, then what came back.
void render_followups(std::string& out, const std::vector<FollowUpObservation>& followups, const Context& ctx) {
  if (followups.empty()) return;
  emit(out, "follow-ups:");
  const std::string indent(6, ' ');
  for (const auto& followup : followups) {
    for (auto& line : wrap(std::string(to_string(followup.kind)) + ": " + followup.question, "  ", indent))
      emit(out, std::move(line));
    const auto outcome = followup.outcome + " (" + text::format_ms(followup.duration) + ")";
    for (auto& line : wrap(outcome, indent + "-> ", indent + "   ")) emit(out, std::move(line));
    if (!ctx.verbose) continue;
    std::vector<std::string> more;
    if (followup.remote_endpoint)
      more.push_back("to " + safe(*followup.remote_endpoint) + " at +" + text::format_ms(followup.start_offset));
    if (followup.proxy_header) more.push_back("> " + safe(*followup.proxy_header));
    if (followup.status_line) more.push_back("< " + safe(*followup.status_line));
    add_headers(more, followup.headers, ctx);
    if (!followup.first_bytes_hex.empty()) add_first_bytes(more, followup.first_bytes_hex);
    if (!followup.detail.empty()) more.push_back("detail: " + safe(followup.detail));
    for (const auto& line : more) emit(out, indent + "   " + line);
  }
}

Tone verdict_tone(VerdictStatus status) {
  switch (status) {
    case VerdictStatus::pass: return Tone::good;
    case VerdictStatus::degraded: return Tone::caution;
    case VerdictStatus::fail: return Tone::bad;
  }
  return Tone::plain;
}

// "verdict: FAIL at tls: tls_cert_untrusted (Certificate not trusted) - <summary>"
void render_verdict(std::string& out, const Verdict& verdict, const Context& ctx) {
  const auto word = text::verdict_word(verdict.status);
  std::string line = "verdict: " + std::string(word);
  if (verdict.stage) line += " at " + std::string(to_string(*verdict.stage));
  if (verdict.cause != "ok") {
    line += ": " + safe(verdict.cause);
    // The catalogue may not know an id (yet): the id alone still says it.
    if (const auto* cause = find_cause(verdict.cause); cause && !cause->title.empty())
      line += " (" + std::string(cause->title) + ")";
  }
  if (!verdict.summary.empty()) line += " - " + verdict.summary;
  auto lines = wrap(line, "", std::string(9, ' '));
  // Colour the status word after wrapping, so escape codes never count as columns.
  lines.front().replace(9, word.size(), ctx.paint(word, verdict_tone(verdict.status)));
  for (auto& text_line : lines) emit(out, std::move(text_line));
  if (verdict.hop) emit(out, "         hop: " + safe(*verdict.hop));
}

// The report leads with the verdict in one line, so the answer is on the first screen even when
// the evidence below is long: "=> FAIL at upgrade: plaintext_to_tls_port (Plain ws:// sent to a
// TLS port), hop client to edge". The full verdict block still ends the target.
void render_headline(std::string& out, const Verdict& verdict, const Context& ctx) {
  const auto word = text::verdict_word(verdict.status);
  std::string line = "=> " + std::string(word);
  if (verdict.stage) line += " at " + std::string(to_string(*verdict.stage));
  if (verdict.cause != "ok") {
    line += ": " + safe(verdict.cause);
    if (const auto* cause = find_cause(verdict.cause); cause && !cause->title.empty())
      line += " (" + std::string(cause->title) + ")";
  }
  if (verdict.hop) line += ", hop " + safe(*verdict.hop);
  auto lines = wrap(line, "  ", std::string(5, ' '));
  lines.front().replace(5, word.size(), ctx.paint(word, verdict_tone(verdict.status)));
  for (auto& text_line : lines) emit(out, std::move(text_line));
}

std::string severity_mark(Severity severity, const Context& ctx) {
  switch (severity) {
    case Severity::fail: return ctx.paint("FAIL", Tone::bad);
    case Severity::warn: return ctx.paint("warn", Tone::caution);
    case Severity::info: return "info";
  }
  return "?   ";
}

void render_findings(std::string& out, const std::vector<Finding>& findings, const Context& ctx) {
  if (findings.empty()) return;
  emit(out, "findings:");
  const std::string indent(7, ' ');
  for (const auto& finding : findings) {
    emit(out, "  " + severity_mark(finding.severity, ctx) + " " + safe(finding.id) + " (" +
                  std::string(to_string(finding.stage)) + ", " + std::string(to_string(finding.confidence)) + ")");
    if (!finding.summary.empty())
      for (auto& line : wrap(finding.summary, indent, indent)) emit(out, std::move(line));
    if (finding.assertion) emit(out, indent + "assertion: " + safe(*finding.assertion));
    for (const auto& evidence : finding.evidence)
      for (auto& line : wrap(evidence, indent + "evidence: ", indent + "  ")) emit(out, std::move(line));
    // A finding without its own fix falls back to the catalogue's general one.
    const auto fix = text::finding_fix(finding);
    if (!fix.empty())
      for (auto& line : wrap(fix, indent + "fix: ", indent + "     ")) emit(out, std::move(line));
    for (const auto& vendor_fix : finding.vendor_fixes)
      for (auto& line : wrap(vendor_fix, indent + "fix: ", indent + "     ")) emit(out, std::move(line));
  }
}

// "api-eu  wss://api.example.com/ws  [prod, eu-west-1]": the name a targets file gave, the URL, the tags.
std::string target_title(const Target& target) {
  std::string title = target.name ? shown(*target.name) + "  " + shown(target.url) : shown(target.url);
  if (!target.tags.empty()) {
    std::vector<std::string> tags;
    for (const auto& tag : target.tags) tags.push_back(safe(tag));
    title += "  [" + join_nonempty(tags, ", ") + "]";
  }
  return title;
}

void render_target(std::string& out, const TargetResult& result, const Context& ctx) {
  emit(out, ctx.paint(target_title(result.target), Tone::strong));
  render_headline(out, result.verdict, ctx);
  if (ctx.verbose)
    emit(out, "  started " + safe(result.started_at) + ", total " + text::format_ms(result.total_duration) +
                  ", " + safe(endpoint(result.target.host, result.target.port)));
  for (const auto& stage : result.stages) {
    // The optional stages (a forward proxy, an idle hold) take a line only when the probe used them.
    const bool optional_stage = stage.stage == Stage::proxy || stage.stage == Stage::hold;
    if (optional_stage && stage.status == StageStatus::skipped && !ctx.verbose) continue;
    const auto& upgrade = result.observed.upgrade;
    const bool expected = stage.stage == Stage::upgrade && stage.status == StageStatus::failed && upgrade &&
                          result.assertions.expect_status && upgrade->status_code == result.assertions.expect_status;
    render_stage(out, stage, result.observed, ctx, expected);
  }
  if (!result.nodes.empty()) out += render_node_table(result, ctx.paint.enabled());
  render_fingerprints(out, result.fingerprints);
  render_followups(out, result.followups, ctx);
  render_verdict(out, result.verdict, ctx);
  render_findings(out, result.findings, ctx);
}

}  // namespace

std::string render_human(const RunReport& report, const HumanStyle& style) {
  const Context ctx{Painter(style.color), style.verbose};
  std::string out;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    if (i > 0) out += '\n';
    render_target(out, report.results[i], ctx);
  }
  if (report.results.size() > 1) {
    out += '\n';
    emit(out, text::run_summary(report));
    // One line per target, in input order, so a CI log ends with the whole fleet on one screen.
    for (const auto& result : report.results) {
      const auto& verdict = result.verdict;
      std::string line = "  " + std::string(text::verdict_word(verdict.status));
      line.resize(std::max<std::size_t>(line.size(), 11), ' ');
      line += text::format_ms(result.total_duration);
      line.resize(std::max<std::size_t>(line.size(), 21), ' ');
      line += (result.target.name ? shown(*result.target.name) : shown(result.target.url));
      if (verdict.cause != "ok")
        line += "  " + (verdict.stage ? std::string(to_string(*verdict.stage)) + ": " : std::string()) +
                safe(verdict.cause);
      emit(out, std::move(line));
    }
  }
  if (report.interrupted) {
    std::size_t finished = 0;
    for (const auto& result : report.results) finished += result.interrupted ? 0 : 1;
    out += '\n';
    emit(out, "Interrupted by " + *report.interrupted + ": " + std::to_string(finished) + " of " +
                  std::to_string(report.results.size()) +
                  " targets finished; the others show what was seen before it (exit code 5).");
  }
  return out;
}

}  // namespace wsprobe

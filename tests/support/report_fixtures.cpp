#include "support/report_fixtures.hpp"

#include "model/followup.hpp"
#include "model/latency.hpp"

namespace wsprobe::fixtures {
namespace {

using std::chrono::microseconds;

constexpr std::string_view kStartedAt = "2025-06-02T09:30:00Z";
constexpr std::int64_t kStartedAtEpoch = 1748856600;

ToolInfo tool_for(const std::vector<std::string>& urls) {
  ToolInfo tool;
  tool.name = "wsprobe";
  tool.version = "0.1.0";
  tool.argv = {"wsprobe", "--json"};
  tool.argv.insert(tool.argv.end(), urls.begin(), urls.end());
  return tool;
}

RunReport one_target(TargetResult result) {
  RunReport report;
  report.tool = tool_for({result.target.url});
  report.results.push_back(std::move(result));
  return report;
}

Target target(std::string url, bool secure, std::string host, std::uint16_t port, std::string resource) {
  Target t;
  t.url = std::move(url);
  t.secure = secure;
  t.host = std::move(host);
  t.port = port;
  t.resource = std::move(resource);
  return t;
}

StageResult ran(Stage stage, StageStatus status, long start_us, long duration_us) {
  StageResult result;
  result.stage = stage;
  result.status = status;
  result.start_offset = microseconds(start_us);
  result.duration = microseconds(duration_us);
  return result;
}

StageResult skipped(Stage stage, std::string detail = "") {
  StageResult result;
  result.stage = stage;
  result.status = StageStatus::skipped;
  result.detail = std::move(detail);
  return result;
}

StageResult failed(Stage stage, long start_us, long duration_us, Condition condition, std::string detail) {
  auto result = ran(stage, StageStatus::failed, start_us, duration_us);
  result.condition = condition;
  result.detail = std::move(detail);
  return result;
}

TargetResult started(Target t) {
  TargetResult result;
  result.target = std::move(t);
  result.started_at = std::string(kStartedAt);
  result.started_at_epoch_s = kStartedAtEpoch;
  return result;
}

DnsObservation dns(std::string name, std::vector<std::string> addresses) {
  DnsObservation d;
  d.query_name = std::move(name);
  d.source = "dns";
  d.addresses = std::move(addresses);
  return d;
}

Certificate leaf_certificate() {
  Certificate c;
  c.subject = "CN=echo.example.test";
  c.issuer = "CN=Example Issuing CA R1,O=Example Trust,C=US";
  c.subject_alt_names = {"DNS:echo.example.test", "DNS:*.echo.example.test"};
  c.not_before = "2025-01-01T00:00:00Z";
  c.not_after = "2026-01-01T00:00:00Z";
  c.not_after_epoch_s = 1767225600;
  c.key_type = "EC prime256v1";
  c.serial_hex = "04a1b2c3d4e5f60718293a4b5c6d7e8f";
  c.sha256_fingerprint =
      "9F:91:16:1F:43:43:3E:49:A6:DE:6D:B6:80:D7:9F:60:15:9F:2E:4A:C9:17:26:21:A1:28:46:42:81:58:44:0B";
  return c;
}

Certificate intermediate_certificate() {
  Certificate c;
  c.subject = "CN=Example Issuing CA R1,O=Example Trust,C=US";
  c.issuer = "CN=Example Root CA X1,O=Example Trust,C=US";
  c.not_before = "2024-03-13T00:00:00Z";
  c.not_after = "2027-03-12T23:59:59Z";
  c.not_after_epoch_s = 1804895999;
  c.key_type = "RSA 2048";
  c.serial_hex = "5f1e2d3c4b5a69788796a5b4c3d2e1f0";
  c.sha256_fingerprint =
      "69:59:09:70:01:D1:05:01:AC:7D:54:C0:BD:B8:DB:61:42:0F:65:8F:29:22:CC:26:E4:6D:53:61:19:A3:11:26";
  return c;
}

TlsObservation tls_ok() {
  TlsObservation t;
  t.offered_alpn = {"http/1.1"};
  t.version = "TLSv1.3";
  t.cipher = "TLS_AES_128_GCM_SHA256";
  t.alpn = "http/1.1";
  t.verify_result = 0;
  t.bytes_received = 3187;
  return t;
}

std::string upgrade_request(std::string_view host, std::string_view resource, std::string_view extra = "") {
  return "GET " + std::string(resource) + " HTTP/1.1\r\nHost: " + std::string(host) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\n" + std::string(extra) + "\r\n";
}

UpgradeObservation switched(std::string host, std::string resource) {
  UpgradeObservation u;
  u.request = upgrade_request(host, resource);
  u.status_line = "HTTP/1.1 101 Switching Protocols";
  u.status_code = 101;
  u.headers = {{"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
  u.bytes_received = 129;
  u.expected_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
  u.accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
  return u;
}

std::vector<std::optional<Micros>> rtts(std::initializer_list<long> values) {
  std::vector<std::optional<Micros>> out;
  for (const auto v : values) out.push_back(v < 0 ? std::nullopt : std::optional<Micros>(microseconds(v)));
  return out;
}

std::vector<Micros> present(const std::vector<std::optional<Micros>>& values) {
  std::vector<Micros> out;
  for (const auto& v : values)
    if (v) out.push_back(*v);
  return out;
}

CloseObservation clean_close(long rtt_us) {
  CloseObservation c;
  c.code_sent = 1000;
  c.peer_close = CloseFrame{1000, ""};
  c.close_rtt = microseconds(rtt_us);
  c.tcp_closed_cleanly = true;
  return c;
}

Finding finding(std::string id, Severity severity, Stage stage, Confidence confidence, std::string summary,
                std::vector<std::string> evidence, std::string fix) {
  Finding f;
  f.id = std::move(id);
  f.severity = severity;
  f.stage = stage;
  f.confidence = confidence;
  f.summary = std::move(summary);
  f.evidence = std::move(evidence);
  f.fix = std::move(fix);
  return f;
}

}  // namespace

RunReport pass_wss() {
  auto r = started(target("wss://echo.example.test/socket", true, "echo.example.test", 443, "/socket"));
  r.total_duration = microseconds(97220);
  r.stages = {ran(Stage::dns, StageStatus::ok, 0, 1520),
              skipped(Stage::proxy),
              ran(Stage::tcp, StageStatus::ok, 1520, 10310),
              ran(Stage::tls, StageStatus::ok, 11830, 24080),
              ran(Stage::upgrade, StageStatus::ok, 35910, 8240),
              ran(Stage::echo, StageStatus::ok, 44150, 52030),
              skipped(Stage::hold, "not requested (--hold)"),
              ran(Stage::close, StageStatus::ok, 96180, 1040)};

  auto d = dns("echo.example.test", {"203.0.113.10", "203.0.113.11", "2001:db8::10"});
  d.cname_chain = {"echo-lb-1234.eu-west-1.elb.example.net"};
  r.observed.dns = d;

  TcpObservation tcp;
  tcp.attempts = {{"203.0.113.10", 443, microseconds(10250), Condition::none, ""}};
  tcp.remote_endpoint = "203.0.113.10:443";
  tcp.local_endpoint = "192.0.2.5:51234";
  r.observed.tcp = tcp;

  auto tls = tls_ok();
  tls.sni = "echo.example.test";
  tls.peer_chain = {leaf_certificate(), intermediate_certificate()};
  r.observed.tls = tls;

  auto upgrade = switched("echo.example.test", "/socket");
  upgrade.request = upgrade_request("echo.example.test", "/socket", "Sec-WebSocket-Protocol: chat\r\n");
  upgrade.headers.push_back({"Sec-WebSocket-Protocol", "chat"});
  upgrade.subprotocol = "chat";
  upgrade.bytes_received = 159;
  upgrade.time_to_first_byte = microseconds(7950);
  upgrade.time_to_response = microseconds(8010);
  r.observed.upgrade = upgrade;

  EchoObservation echo;
  echo.ping_rtts = rtts({8100, 7900, 9400, 8300, 8800});
  const auto echo_rtts = rtts({8200, 8000, 9100, 8600, 8400});
  for (const auto& rtt : echo_rtts) echo.messages.push_back({32, rtt, EchoMessage::Outcome::echoed});
  echo.echo_endpoint = true;
  echo.ping_latency = summarize_latency(present(echo.ping_rtts));
  echo.echo_latency = summarize_latency(present(echo_rtts));
  r.observed.echo = echo;

  r.observed.close = clean_close(820);

  r.verdict.status = VerdictStatus::pass;
  r.verdict.cause = "ok";
  r.verdict.summary = "Every stage passed.";
  return one_target(std::move(r));
}

RunReport fail_tcp_refused() {
  auto r = started(target("ws://app.example.test:8080/ws", false, "app.example.test", 8080, "/ws"));
  r.total_duration = microseconds(3105);
  r.stages = {ran(Stage::dns, StageStatus::ok, 0, 2310),
              skipped(Stage::proxy),
              failed(Stage::tcp, 2310, 795, Condition::connect_refused, "Connection refused"),
              skipped(Stage::tls),
              skipped(Stage::upgrade),
              skipped(Stage::echo),
              skipped(Stage::hold),
              skipped(Stage::close)};
  r.observed.dns = dns("app.example.test", {"203.0.113.20", "203.0.113.21"});

  TcpObservation tcp;
  tcp.attempts = {{"203.0.113.20", 8080, microseconds(410), Condition::connect_refused, "Connection refused"},
                  {"203.0.113.21", 8080, microseconds(385), Condition::connect_refused, "Connection refused"}};
  r.observed.tcp = tcp;

  r.findings = {finding("tcp_refused", Severity::fail, Stage::tcp, Confidence::certain,
                        "Both addresses answered the SYN with RST: nothing listens on port 8080, or a reject "
                        "rule sends resets.",
                        {"203.0.113.20:8080 refused after 0.41ms", "203.0.113.21:8080 refused after 0.39ms"},
                        "Check that the service listens on port 8080 on these hosts and that no firewall "
                        "rejects the port; on a load balancer, check the listener port.")};
  r.verdict.status = VerdictStatus::fail;
  r.verdict.stage = Stage::tcp;
  r.verdict.cause = "tcp_refused";
  r.verdict.summary = r.findings.front().summary;
  return one_target(std::move(r));
}

RunReport fail_upgrade_403() {
  auto r = started(target("wss://api.example.test/v1/stream", true, "api.example.test", 443, "/v1/stream"));
  r.total_duration = microseconds(61480);
  r.stages = {ran(Stage::dns, StageStatus::ok, 0, 980),
              skipped(Stage::proxy),
              ran(Stage::tcp, StageStatus::ok, 980, 11020),
              ran(Stage::tls, StageStatus::ok, 12000, 27400),
              failed(Stage::upgrade, 39400, 22080, Condition::upgrade_rejected, "HTTP 403 instead of 101"),
              skipped(Stage::echo),
              skipped(Stage::hold),
              skipped(Stage::close)};
  auto d = dns("api.example.test", {"203.0.113.30", "203.0.113.31", "203.0.113.32", "203.0.113.33",
                                    "203.0.113.34", "2001:db8::30"});
  r.observed.dns = d;

  TcpObservation tcp;
  tcp.attempts = {{"203.0.113.30", 443, microseconds(10960), Condition::none, ""}};
  tcp.remote_endpoint = "203.0.113.30:443";
  tcp.local_endpoint = "192.0.2.5:51240";
  r.observed.tcp = tcp;

  auto tls = tls_ok();
  tls.sni = "api.example.test";
  auto leaf = leaf_certificate();
  leaf.subject = "CN=api.example.test";
  leaf.subject_alt_names = {"DNS:api.example.test"};
  tls.peer_chain = {leaf, intermediate_certificate()};
  r.observed.tls = tls;

  UpgradeObservation u;
  u.request = upgrade_request("api.example.test", "/v1/stream", "Origin: https://app.example.test\r\n");
  u.status_line = "HTTP/1.1 403 Forbidden";
  u.status_code = 403;
  u.headers = {{"Server", "awselb/2.0"},
               {"Date", "Mon, 02 Jun 2025 09:30:00 GMT"},
               {"Content-Type", "text/html"},
               {"Content-Length", "118"},
               {"Connection", "keep-alive"}};
  u.body =
      "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n"
      "<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n";
  u.bytes_received = 285;
  u.time_to_first_byte = microseconds(21900);
  u.time_to_response = microseconds(21950);
  u.expected_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
  r.observed.upgrade = u;

  r.fingerprints = {{"AWS ALB", "load balancer", Confidence::likely, {"Server: awselb/2.0"}}};

  FollowUpObservation get;
  get.kind = FollowUpKind::plain_get;
  get.question = "How does the same path answer a plain GET without Upgrade headers?";
  get.start_offset = microseconds(61500);
  get.duration = microseconds(23100);
  get.remote_endpoint = "203.0.113.30:443";
  get.connected = true;
  get.tls_ok = true;
  get.tls_version = "TLSv1.3";
  get.alpn = "http/1.1";
  get.status_line = "HTTP/1.1 403 Forbidden";
  get.status_code = 403;
  get.headers = {{"Server", "awselb/2.0"}, {"Content-Type", "text/html"}, {"Content-Length", "118"}};
  get.body = u.body;
  get.bytes_received = 283;
  get.outcome = "a plain GET of the same path got 403 Forbidden from awselb/2.0";
  r.followups = {get};

  auto f = finding("upgrade_rejected_auth", Severity::fail, Stage::upgrade, Confidence::likely,
                   "The load balancer (awselb/2.0) answered the upgrade with 403 Forbidden itself: a listener "
                   "rule, WAF or Origin check rejected it before any backend saw it.",
                   {"HTTP/1.1 403 Forbidden", "Server: awselb/2.0", "body: the ALB's own 403 page"},
                   "Check the ALB listener rules and any WAF web ACL for this path; if the backend checks "
                   "Origin, pass the expected --origin.");
  f.hop = "client to edge";
  r.findings = {f};
  r.verdict.status = VerdictStatus::fail;
  r.verdict.stage = Stage::upgrade;
  r.verdict.cause = "upgrade_rejected_auth";
  r.verdict.summary = f.summary;
  r.verdict.hop = f.hop;
  return one_target(std::move(r));
}

RunReport degraded_insecure() {
  auto r = started(target("wss://self-signed.example.test:8443/ws", true, "self-signed.example.test", 8443, "/ws"));
  r.total_duration = microseconds(15640);
  r.stages = {ran(Stage::dns, StageStatus::ok, 0, 12),
              skipped(Stage::proxy),
              ran(Stage::tcp, StageStatus::ok, 12, 338),
              ran(Stage::tls, StageStatus::warn, 350, 4120),
              ran(Stage::upgrade, StageStatus::ok, 4470, 1130),
              ran(Stage::echo, StageStatus::ok, 5600, 9800),
              skipped(Stage::hold),
              ran(Stage::close, StageStatus::ok, 15400, 240)};
  r.stages[3].detail = "verification disabled (-k)";

  // --resolve pins the name: the address comes from the command line, not from DNS.
  DnsObservation d;
  d.query_name = "self-signed.example.test";
  d.source = "override";
  d.addresses = {"192.0.2.44"};
  r.observed.dns = d;

  TcpObservation tcp;
  tcp.attempts = {{"192.0.2.44", 8443, microseconds(330), Condition::none, ""}};
  tcp.remote_endpoint = "192.0.2.44:8443";
  tcp.local_endpoint = "192.0.2.5:40112";
  r.observed.tcp = tcp;

  TlsObservation tls;
  tls.sni = "self-signed.example.test";
  tls.offered_alpn = {"http/1.1"};
  tls.verification_enabled = false;
  tls.version = "TLSv1.2";
  tls.cipher = "ECDHE-RSA-AES128-GCM-SHA256";
  tls.verify_result = 18;
  tls.verify_error = "self-signed certificate";
  tls.bytes_received = 1402;
  Certificate self;
  self.subject = "CN=self-signed.example.test,O=Lab";
  self.issuer = self.subject;
  self.subject_alt_names = {"DNS:self-signed.example.test", "IP:192.0.2.44"};
  self.not_before = "2025-06-01T12:00:00Z";
  self.not_after = "2026-06-01T12:00:00Z";
  self.not_after_epoch_s = 1780315200;
  self.key_type = "RSA 2048";
  self.serial_hex = "01";
  self.sha256_fingerprint =
      "06:C6:04:B3:32:B3:86:B6:CC:E8:35:5C:CF:27:FF:FD:3A:98:B7:A7:A5:B9:B3:A5:50:C0:39:C6:EB:AE:38:E4";
  self.self_signed = true;
  tls.peer_chain = {self};
  r.observed.tls = tls;

  r.observed.upgrade = switched("self-signed.example.test:8443", "/ws");

  EchoObservation echo;
  echo.ping_rtts = rtts({420, 380, 455});
  echo.ping_latency = summarize_latency(present(echo.ping_rtts));
  for (int i = 0; i < 3; ++i) echo.messages.push_back({32, std::nullopt, EchoMessage::Outcome::no_reply});
  echo.echo_endpoint = false;
  echo.unsolicited_messages = 1;
  r.observed.echo = echo;

  CloseObservation close;
  close.code_sent = 1000;
  close.peer_close = CloseFrame{1001, "going away"};
  close.close_rtt = microseconds(210);
  close.tcp_end = Condition::reset;
  close.tcp_closed_cleanly = false;
  r.observed.close = close;

  r.findings = {
      finding("tls_verification_disabled", Severity::warn, Stage::tls, Confidence::certain,
              "-k/--insecure was given: the certificate was not verified, so this run proves nothing about "
              "trust.",
              {"verify result 18: self-signed certificate", "leaf CN=self-signed.example.test,O=Lab is self-signed"},
              "Drop -k, or pass the private CA with --cacert."),
      finding("echo_not_echo_endpoint", Severity::info, Stage::echo, Confidence::likely,
              "Messages were accepted but not echoed: this endpoint does not echo (informational).",
              {"0 of 3 messages came back; 3 of 3 pings answered"}, "")};
  r.verdict.status = VerdictStatus::degraded;
  r.verdict.cause = "tls_verification_disabled";
  r.verdict.summary = r.findings.front().summary;
  return one_target(std::move(r));
}

RunReport fail_dns_skipped() {
  auto r = started(target("wss://no-such-host.example.test/ws", true, "no-such-host.example.test", 443, "/ws"));
  r.total_duration = microseconds(18470);
  r.stages = {failed(Stage::dns, 0, 18470, Condition::dns_nxdomain, "Domain name not found"),
              skipped(Stage::proxy),
              skipped(Stage::tcp),
              skipped(Stage::tls),
              skipped(Stage::upgrade),
              skipped(Stage::echo),
              skipped(Stage::hold),
              skipped(Stage::close)};
  auto d = dns("no-such-host.example.test", {});
  d.server = "192.0.2.53";
  d.resolver_error = "Domain name not found";
  r.observed.dns = d;

  r.findings = {finding("dns_nxdomain", Severity::fail, Stage::dns, Confidence::certain,
                        "The name no-such-host.example.test does not exist (NXDOMAIN from 192.0.2.53).",
                        {"resolver 192.0.2.53: Domain name not found"},
                        "Check the host name for typos, and that the record exists in the zone the resolver "
                        "sees (split-horizon DNS).")};
  r.verdict.status = VerdictStatus::fail;
  r.verdict.stage = Stage::dns;
  r.verdict.cause = "dns_nxdomain";
  r.verdict.summary = r.findings.front().summary;
  return one_target(std::move(r));
}

RunReport fail_tls_plaintext() {
  auto r = started(target("wss://plain.example.test:8080/ws", true, "plain.example.test", 8080, "/ws"));
  r.total_duration = microseconds(2140);
  r.stages = {ran(Stage::dns, StageStatus::ok, 0, 640),
              skipped(Stage::proxy),
              ran(Stage::tcp, StageStatus::ok, 640, 420),
              failed(Stage::tls, 1060, 1080, Condition::not_tls, "wrong version number"),
              skipped(Stage::upgrade),
              skipped(Stage::echo),
              skipped(Stage::hold),
              skipped(Stage::close)};
  r.observed.dns = dns("plain.example.test", {"2001:db8::80"});

  TcpObservation tcp;
  tcp.attempts = {{"2001:db8::80", 8080, microseconds(400), Condition::none, ""}};
  tcp.remote_endpoint = "[2001:db8::80]:8080";
  tcp.local_endpoint = "[2001:db8::5]:50122";
  r.observed.tcp = tcp;

  TlsObservation tls;
  tls.sni = "plain.example.test";
  tls.offered_alpn = {"http/1.1"};
  tls.openssl_error = "error:0A00010B:SSL routines::wrong version number";
  tls.alert_sent = 70;
  // "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.24.0\r\nDate: Mon, 02 Ju": a plaintext listener.
  tls.first_bytes_hex =
      "48 54 54 50 2f 31 2e 31 20 34 30 30 20 42 61 64 20 52 65 71 75 65 73 74 0d 0a 53 65 72 76 65 72 3a "
      "20 6e 67 69 6e 78 2f 31 2e 32 34 2e 30 0d 0a 44 61 74 65 3a 20 4d 6f 6e 2c 20 30 32 20 4a 75";
  tls.bytes_received = 157;
  r.observed.tls = tls;

  r.fingerprints = {{"nginx", "server", Confidence::certain, {"Server: nginx/1.24.0 (in the plaintext answer)"}}};

  FollowUpObservation get;
  get.kind = FollowUpKind::http_on_tls_port;
  get.question = "What does the plaintext server on this port say to an HTTP GET?";
  get.start_offset = microseconds(2140);
  get.duration = microseconds(1900);
  get.remote_endpoint = "[2001:db8::80]:8080";
  get.connected = true;
  get.status_line = "HTTP/1.1 426 Upgrade Required";
  get.status_code = 426;
  get.headers = {{"Server", "nginx/1.24.0"}, {"Upgrade", "websocket"}, {"Content-Length", "0"}};
  get.bytes_received = 112;
  get.outcome = "a plain HTTP GET on this port got 426 Upgrade Required from nginx/1.24.0";
  r.followups = {get};

  r.findings = {finding("tls_to_plaintext_port", Severity::fail, Stage::tls, Confidence::certain,
                        "Port 8080 answered the TLS ClientHello with plaintext HTTP (nginx 400): TLS is "
                        "not terminated on this path.",
                        {"first bytes: HTTP/1.1 400 Bad Request", "Server: nginx/1.24.0"},
                        "Use ws:// for this port, or the port where TLS is terminated (usually 443).")};
  r.verdict.status = VerdictStatus::fail;
  r.verdict.stage = Stage::tls;
  r.verdict.cause = "tls_to_plaintext_port";
  r.verdict.summary = r.findings.front().summary;
  return one_target(std::move(r));
}

RunReport multi_target() {
  RunReport report;
  std::vector<std::string> urls;
  for (auto single : {pass_wss(), fail_tcp_refused(), fail_upgrade_403(), degraded_insecure(), fail_dns_skipped(),
                      fail_tls_plaintext()}) {
    urls.push_back(single.results.front().target.url);
    report.results.push_back(std::move(single.results.front()));
  }
  report.tool = tool_for(urls);
  return report;
}

RunReport fail_proxy_auth() {
  auto r = started(target("wss://chat.example.test/ws", true, "chat.example.test", 443, "/ws"));
  r.total_duration = microseconds(4210);
  r.stages = {skipped(Stage::dns, "the proxy resolves chat.example.test"),
              failed(Stage::proxy, 10, 4200, Condition::proxy_refused,
                     "proxy 192.0.2.8:3128 answered CONNECT with 407 Proxy Authentication Required"),
              skipped(Stage::tcp, "after the failure at proxy"),
              skipped(Stage::tls, "after the failure at proxy"),
              skipped(Stage::upgrade, "after the failure at proxy"),
              skipped(Stage::echo, "after the failure at proxy"),
              skipped(Stage::hold, "after the failure at proxy"),
              skipped(Stage::close, "after the failure at proxy")};
  ProxyObservation proxy;
  proxy.scheme = "http";
  proxy.proxy = "http://192.0.2.8:3128";
  proxy.source = "HTTPS_PROXY";
  proxy.proxy_addresses = {"192.0.2.8"};
  proxy.proxy_endpoint = "192.0.2.8:3128";
  proxy.connect_duration = microseconds(610);
  proxy.tunnel_target = "chat.example.test:443";
  proxy.tunnel_duration = microseconds(3400);
  proxy.request = "CONNECT chat.example.test:443 HTTP/1.1\r\nHost: chat.example.test:443\r\nUser-Agent: wsprobe\r\n\r\n";
  proxy.status_line = "HTTP/1.1 407 Proxy Authentication Required";
  proxy.status_code = 407;
  proxy.headers = {{"Server", "squid/5.7"}, {"Proxy-Authenticate", "Basic realm=\"corp\""},
                   {"X-Squid-Error", "ERR_CACHE_ACCESS_DENIED 0"}};
  proxy.body = "<html><body>Cache Access Denied</body></html>";
  r.observed.proxy = proxy;
  r.findings = {finding("proxy_auth_required", Severity::fail, Stage::proxy, Confidence::certain,
                        "The proxy at 192.0.2.8:3128 (from HTTPS_PROXY) wants credentials: 407 to CONNECT.",
                        {"status: HTTP/1.1 407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"corp\"",
                         "credentials sent: no"},
                        "Give the proxy credentials in the proxy URL (http://user:pass@proxy:port).")};
  r.findings.front().hop = "client to proxy";
  r.verdict.status = VerdictStatus::fail;
  r.verdict.stage = Stage::proxy;
  r.verdict.cause = "proxy_auth_required";
  r.verdict.summary = r.findings.front().summary;
  r.verdict.hop = "client to proxy";
  return one_target(std::move(r));
}

RunReport fail_nodes_partial() {
  auto parent = started(target("wss://ws.example.test/live", true, "ws.example.test", 443, "/live"));
  parent.total_duration = microseconds(48200);
  const std::vector<std::string> addresses{"203.0.113.41", "203.0.113.42", "203.0.113.43"};
  parent.stages = {ran(Stage::dns, StageStatus::ok, 0, 1200)};
  for (const auto stage : {Stage::proxy, Stage::tcp, Stage::tls, Stage::upgrade, Stage::echo, Stage::hold, Stage::close})
    parent.stages.push_back(skipped(stage, "per node, see nodes"));
  parent.observed.dns = dns("ws.example.test", addresses);
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    auto node = started(parent.target);
    const bool broken = i == 2;
    node.total_duration = microseconds(broken ? 5000 : 46000);
    auto d = dns("ws.example.test", addresses);
    d.pinned_address = addresses[i];
    node.observed.dns = d;
    node.stages = {ran(Stage::dns, StageStatus::ok, 0, 1100), skipped(Stage::proxy, "not requested")};
    if (broken) {
      node.stages.push_back(failed(Stage::tcp, 1100, 3900, Condition::connect_timeout, "no answer to SYN within 5000 ms"));
      for (const auto stage : {Stage::tls, Stage::upgrade, Stage::echo, Stage::hold, Stage::close})
        node.stages.push_back(skipped(stage, "after the failure at tcp"));
      node.verdict.status = VerdictStatus::fail;
      node.verdict.stage = Stage::tcp;
      node.verdict.cause = "tcp_timeout";
    } else {
      node.stages.push_back(ran(Stage::tcp, StageStatus::ok, 1100, 9800));
      node.stages.push_back(ran(Stage::tls, StageStatus::ok, 10900, 21000));
      node.stages.push_back(ran(Stage::upgrade, StageStatus::ok, 31900, 10400));
      node.stages.push_back(ran(Stage::echo, StageStatus::ok, 42300, 2900));
      node.stages.push_back(skipped(Stage::hold, "not requested"));
      node.stages.push_back(ran(Stage::close, StageStatus::ok, 45200, 800));
      node.verdict.summary = "Every stage passed.";
    }
    parent.nodes.push_back(std::move(node));
  }
  parent.findings = {finding("lb_node_partial_failure", Severity::fail, Stage::tcp, Confidence::certain,
                             "1 of 3 load balancer nodes fails: 203.0.113.43 (tcp: tcp_timeout); 2 pass.",
                             {"203.0.113.43: tcp failed, tcp_timeout (no answer to SYN within 5000 ms)",
                              "203.0.113.41, 203.0.113.42: every stage passed"},
                             "Check each zone has healthy targets (or enable cross-zone load balancing); remove "
                             "stale addresses.")};
  parent.findings.front().hop = "load balancer nodes";
  parent.verdict.status = VerdictStatus::fail;
  parent.verdict.stage = Stage::tcp;
  parent.verdict.cause = "lb_node_partial_failure";
  parent.verdict.summary = parent.findings.front().summary;
  parent.verdict.hop = "load balancer nodes";
  return one_target(std::move(parent));
}

RunReport fail_hold_idle() {
  auto report = pass_wss();
  auto& r = report.results.front();
  r.target.url = "wss://echo.example.test/socket";
  r.total_duration = microseconds(60197220);
  auto& echo = *r.observed.echo;
  echo.size_sweep = {{1024, "echoed", microseconds(8300), std::nullopt, std::nullopt},
                     {65536, "echoed", microseconds(9100), std::nullopt, std::nullopt},
                     {1048576, "echoed", microseconds(31000), std::nullopt, std::nullopt}};
  echo.largest_echoed_bytes = 1048576;
  HoldObservation hold;
  hold.requested = microseconds(90000000);
  hold.held = microseconds(60004000);
  hold.end = "fin";
  hold.cut_after = microseconds(60004000);
  hold.idle_before_cut = microseconds(60004000);
  hold.closed_by = "intermediary or server";
  r.observed.hold = hold;
  r.observed.close.reset();
  r.stages[6] = failed(Stage::hold, 96180, 60004000, Condition::eof,
                       "the connection was closed (FIN, no close frame) after 60.0 s idle");
  r.stages[7] = skipped(Stage::close, "after the failure at hold");
  r.findings = {finding("idle_timeout", Severity::fail, Stage::hold, Confidence::likely,
                        "Cut after 60.0 s idle by FIN without a close frame: matches the AWS ALB idle timeout "
                        "(60 s default) or nginx proxy_read_timeout (60 s).",
                        {"hold: silent for 60.0 s, then FIN", "no close frame"},
                        "Send pings more often than the shortest idle timeout on the path (every 30 s), or raise "
                        "the timeout.")};
  r.verdict.status = VerdictStatus::fail;
  r.verdict.stage = Stage::hold;
  r.verdict.cause = "idle_timeout";
  r.verdict.summary = r.findings.front().summary;
  return report;
}

RunReport fleet_named() {
  RunReport report;
  report.tool.name = "wsprobe";
  report.tool.version = "0.1.0";
  report.tool.argv = {"wsprobe", "--targets", "targets.yaml", "--junit", "report.xml", "--prometheus", "wsprobe.prom"};
  report.tool.environment = {{"os", "Linux 6.1.0-18-amd64 x86_64"}, {"openssl", "OpenSSL 3.0.15 3 Sep 2024"},
                             {"boost", "1.81.0"}};

  auto eu = pass_wss().results.front();
  eu.target.name = "echo-eu";
  eu.target.tags = {"prod", "eu-west-1"};
  report.results.push_back(std::move(eu));

  // The same healthy endpoint in another region, slower than the targets file allows at TLS.
  auto us = pass_wss().results.front();
  us.target.url = "wss://echo-us.example.test/socket";
  us.target.host = "echo-us.example.test";
  us.target.name = "echo-us";
  us.target.tags = {"prod", "us-east-1"};
  us.assertions.max_stage = {{Stage::tls, microseconds(20000), "tls=20ms"}};
  us.observed.dns->query_name = "echo-us.example.test";
  us.observed.dns->cname_chain.clear();
  us.observed.tls->sni = "echo-us.example.test";
  us.observed.upgrade->request = upgrade_request("echo-us.example.test", "/socket", "Sec-WebSocket-Protocol: chat\r\n");
  auto slow = finding("stage_slow", Severity::warn, Stage::tls, Confidence::certain,
                      "The tls stage took 24.1ms, more than the 20ms --max-stage allows.",
                      {"tls: 24.1ms, limit 20ms"}, "");
  slow.assertion = "--max-stage tls=20ms";
  us.findings = {slow};
  us.verdict.status = VerdictStatus::degraded;
  us.verdict.cause = "stage_slow";
  us.verdict.summary = slow.summary;
  report.results.push_back(std::move(us));

  // A certificate with 212 days left where the targets file wants 400, and --fail-on warn.
  auto api = pass_wss().results.front();
  api.target.url = "wss://api.example.test/v2/stream?token=REDACTED";
  api.target.host = "api.example.test";
  api.target.resource = "/v2/stream?token=REDACTED";
  api.target.name = "api";
  api.target.tags = {"staging"};
  api.observed.dns->query_name = "api.example.test";
  api.observed.dns->cname_chain.clear();
  api.observed.tls->sni = "api.example.test";
  api.observed.tls->peer_chain.front().subject = "CN=api.example.test";
  api.observed.tls->peer_chain.front().subject_alt_names = {"DNS:api.example.test"};
  api.observed.upgrade->request =
      upgrade_request("api.example.test", "/v2/stream?token=REDACTED", "Sec-WebSocket-Protocol: chat\r\n");
  api.assertions.min_cert_days = 400;
  api.assertions.fail_on = FailOn::warn;
  auto short_lived = finding("cert_lifetime_short", Severity::warn, Stage::tls, Confidence::certain,
                             "The certificate expires in 212 days (2026-01-01T00:00:00Z); --min-cert-days asks for 400.",
                             {"leaf: CN=api.example.test, not after 2026-01-01T00:00:00Z"},
                             "Renew the certificate, and check that automatic renewal runs for this name.");
  short_lived.assertion = "--min-cert-days 400";
  api.findings = {short_lived};
  api.verdict.status = VerdictStatus::fail;
  api.verdict.stage = Stage::tls;
  api.verdict.cause = "cert_lifetime_short";
  api.verdict.summary = short_lived.summary;
  report.results.push_back(std::move(api));

  auto late = started(target("wss://slow.example.test/ws", true, "slow.example.test", 443, "/ws"));
  late.target.tags = {"legacy"};
  for (const auto stage : {Stage::dns, Stage::proxy, Stage::tcp, Stage::tls, Stage::upgrade, Stage::echo, Stage::hold,
                           Stage::close})
    late.stages.push_back(skipped(stage, "the run's --deadline passed first"));
  late.findings = {finding("run_deadline_exceeded", Severity::fail, Stage::dns, Confidence::certain,
                           "The run's --deadline of 10s passed before this target was probed.", {"--deadline 10s"},
                           "")};
  late.verdict.status = VerdictStatus::fail;
  late.verdict.cause = "run_deadline_exceeded";
  late.verdict.summary = late.findings.front().summary;
  report.results.push_back(std::move(late));
  return report;
}

std::vector<NamedReport> all_reports() {
  return {{"pass_wss", pass_wss()},
          {"fail_tcp_refused", fail_tcp_refused()},
          {"fail_upgrade_403", fail_upgrade_403()},
          {"degraded_insecure", degraded_insecure()},
          {"fail_dns_skipped", fail_dns_skipped()},
          {"fail_tls_plaintext", fail_tls_plaintext()},
          {"multi_target", multi_target()},
          {"fail_proxy_auth", fail_proxy_auth()},
          {"fail_nodes_partial", fail_nodes_partial()},
          {"fail_hold_idle", fail_hold_idle()},
          {"fleet_named", fleet_named()}};
}

}  // namespace wsprobe::fixtures

#include "support/result_builder.hpp"

#include <stdexcept>

#include "checks/verdict.hpp"

namespace wsprobe::testing {
namespace {

using std::chrono::microseconds;

constexpr std::string_view kHost = "echo.example.test";
constexpr std::string_view kAddress = "192.0.2.10";

Target target_for(Scheme scheme) {
  Target t;
  t.secure = scheme == Scheme::wss;
  t.host = std::string(kHost);
  t.port = t.secure ? 443 : 80;
  t.resource = "/echo";
  t.url = std::string(t.secure ? "wss://" : "ws://") + t.host + t.resource;
  return t;
}

StageResult timed_stage(Stage s, StageStatus status, long start_us, long duration_us) {
  StageResult r;
  r.stage = s;
  r.status = status;
  r.start_offset = microseconds(start_us);
  r.duration = microseconds(duration_us);
  return r;
}

Certificate certificate(std::string subject, std::string issuer, std::int64_t not_after_epoch_s) {
  Certificate c;
  c.subject = std::move(subject);
  c.issuer = std::move(issuer);
  c.not_before = "2025-05-01T00:00:00Z";
  c.not_after = "2025-08-31T09:30:00Z";
  c.not_after_epoch_s = not_after_epoch_s;
  c.key_type = "EC prime256v1";
  c.serial_hex = "01";
  c.sha256_fingerprint = "AA:BB";
  return c;
}

TlsObservation bare_tls() {
  TlsObservation tls;
  tls.sni = std::string(kHost);
  tls.offered_alpn = {"http/1.1"};
  return tls;
}

UpgradeObservation bare_upgrade(const Target& t) {
  UpgradeObservation u;
  u.request = "GET " + t.resource + " HTTP/1.1\r\nHost: " + t.host +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + std::string(kKey) +
              "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  u.expected_accept = std::string(kAccept);
  return u;
}

EchoObservation bare_echo() { return EchoObservation{}; }

CloseObservation bare_close() {
  CloseObservation c;
  c.code_sent = 1000;
  return c;
}

LatencyStats stats(long us) {
  LatencyStats s;
  s.samples = 5;
  s.min = s.p50 = s.p90 = s.p95 = s.p99 = s.max = s.mean = microseconds(us);
  return s;
}

}  // namespace

TargetResult healthy(Scheme scheme) {
  TargetResult r;
  r.target = target_for(scheme);
  r.started_at = "2025-06-02T09:30:00Z";
  r.started_at_epoch_s = kStartedAtEpoch;
  r.total_duration = microseconds(150000);
  const bool secure = scheme == Scheme::wss;

  r.stages = {
      timed_stage(Stage::dns, StageStatus::ok, 0, 2000),
      timed_stage(Stage::proxy, StageStatus::skipped, 0, 0),
      timed_stage(Stage::tcp, StageStatus::ok, 2000, 10000),
      timed_stage(Stage::tls, secure ? StageStatus::ok : StageStatus::skipped, 12000, secure ? 20000 : 0),
      timed_stage(Stage::upgrade, StageStatus::ok, 32000, 15000),
      timed_stage(Stage::echo, StageStatus::ok, 47000, 80000),
      timed_stage(Stage::hold, StageStatus::skipped, 0, 0),
      timed_stage(Stage::close, StageStatus::ok, 127000, 10000),
  };
  r.stages[1].detail = "no proxy";
  if (!secure) r.stages[3].detail = "ws:// has no TLS stage";
  r.stages[6].detail = "--hold not given";

  auto& dns = r.observed.dns.emplace();
  dns.query_name = std::string(kHost);
  dns.source = "dns";
  dns.addresses = {std::string(kAddress)};

  auto& tcp = r.observed.tcp.emplace();
  tcp.attempts.push_back({std::string(kAddress), r.target.port, microseconds(10000), Condition::none, ""});
  tcp.remote_endpoint = std::string(kAddress) + ":" + std::to_string(r.target.port);
  tcp.local_endpoint = "192.0.2.1:50000";

  if (secure) {
    auto& tls = r.observed.tls.emplace(bare_tls());
    tls.version = "TLSv1.3";
    tls.cipher = "TLS_AES_128_GCM_SHA256";
    tls.alpn = "http/1.1";
    const auto in_90_days = kStartedAtEpoch + 90 * kSecondsPerDay;
    auto leaf = certificate("CN=echo.example.test", "CN=Example Intermediate CA", in_90_days);
    leaf.subject_alt_names = {"DNS:echo.example.test"};
    tls.peer_chain = {leaf, certificate("CN=Example Intermediate CA", "CN=Example Root CA", in_90_days * 2)};
    tls.verify_result = 0;
    tls.bytes_received = 3000;
  }

  auto& upgrade = r.observed.upgrade.emplace(bare_upgrade(r.target));
  upgrade.status_line = "HTTP/1.1 101 Switching Protocols";
  upgrade.status_code = 101;
  upgrade.headers = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", std::string(kAccept)}};
  upgrade.bytes_received = 129;
  upgrade.time_to_first_byte = microseconds(14000);
  upgrade.time_to_response = microseconds(14000);
  upgrade.accept = std::string(kAccept);

  auto& echo = r.observed.echo.emplace(bare_echo());
  for (int i = 0; i < 5; ++i) {
    echo.ping_rtts.emplace_back(microseconds(8000));
    echo.messages.push_back({32, microseconds(8000), EchoMessage::Outcome::echoed});
  }
  echo.echo_endpoint = true;
  echo.ping_latency = stats(8000);
  echo.echo_latency = stats(8000);

  auto& close = r.observed.close.emplace(bare_close());
  close.peer_close = CloseFrame{1000, ""};
  close.close_rtt = microseconds(8000);
  close.tcp_closed_cleanly = true;
  return r;
}

TargetResult failed_at(Scheme scheme, Stage failing, Condition condition, std::string detail) {
  if (scheme == Scheme::ws && failing == Stage::tls) throw std::invalid_argument("ws:// has no TLS stage");
  auto r = healthy(scheme);
  for (auto& s : r.stages) {
    if (s.stage == failing) {
      s.status = StageStatus::failed;
      s.condition = condition;
      s.detail = detail;
    } else if (s.stage > failing) {
      s.status = StageStatus::skipped;
      s.start_offset = s.duration = microseconds(0);
      s.detail = "an earlier stage failed";
    }
  }
  auto& o = r.observed;
  switch (failing) {
    case Stage::dns:
      o.dns->addresses.clear();
      o.dns->resolver_error = detail;
      break;
    case Stage::tcp:
      o.tcp->attempts.front().condition = condition;
      o.tcp->attempts.front().detail = detail;
      o.tcp->remote_endpoint.reset();
      o.tcp->local_endpoint.reset();
      break;
    case Stage::tls: o.tls = bare_tls(); break;
    case Stage::upgrade: o.upgrade = bare_upgrade(r.target); break;
    case Stage::echo: o.echo = bare_echo(); break;
    case Stage::close: o.close = bare_close(); break;
    default: break;
  }
  // What did not run left nothing behind.
  if (failing < Stage::tcp) o.tcp.reset();
  if (failing < Stage::tls) o.tls.reset();
  if (failing < Stage::upgrade) o.upgrade.reset();
  if (failing < Stage::echo) o.echo.reset();
  if (failing < Stage::close) o.close.reset();
  return r;
}

TargetResult rejected_upgrade(Scheme scheme, int status, std::string reason, std::string body) {
  const auto status_line = "HTTP/1.1 " + std::to_string(status) + " " + reason;
  auto r = failed_at(scheme, Stage::upgrade, Condition::upgrade_rejected, status_line);
  auto& u = *r.observed.upgrade;
  u.status_line = status_line;
  u.status_code = status;
  u.headers = {{"Server", "nginx"}, {"Content-Type", "text/html"},
               {"Content-Length", std::to_string(body.size())}};
  u.bytes_received = status_line.size() + 2 + 60 + body.size();
  u.body = std::move(body);
  return r;
}

TargetResult pinned_node(TargetResult probe, const std::string& address) {
  probe.observed.dns->pinned_address = address;
  return probe;
}

TargetResult diagnosed_node(TargetResult probe, const std::string& address) {
  auto node = pinned_node(std::move(probe), address);
  diagnose(node);
  return node;
}

TargetResult parent_of_nodes(std::vector<TargetResult> nodes) {
  auto parent = healthy(Scheme::wss);
  parent.observed = {};
  parent.observed.dns.emplace();
  parent.observed.dns->query_name = "lb.example.test";
  for (const auto& each : nodes) parent.observed.dns->addresses.push_back(*each.observed.dns->pinned_address);
  parent.stages.resize(1);  // dns
  parent.nodes = std::move(nodes);
  return parent;
}

StageResult& stage_of(TargetResult& result, Stage s) {
  for (auto& st : result.stages)
    if (st.stage == s) return st;
  throw std::out_of_range("no such stage in the result");
}

}  // namespace wsprobe::testing

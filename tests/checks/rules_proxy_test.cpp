// The proxy stage's causes, from synthetic observations: what the proxy answered decides which
// hop failed (client to proxy, proxy to target) and the evidence names it.
#include <catch2/catch.hpp>

#include <functional>

#include "checks/verdict.hpp"
#include "support/result_builder.hpp"

using namespace wsprobe;
using namespace wsprobe::testing;

namespace {

ProxyObservation http_proxy(bool credentials = false) {
  ProxyObservation proxy;
  proxy.scheme = "http";
  proxy.proxy = credentials ? "http://alice:***@proxy.example.test:3128" : "http://proxy.example.test:3128";
  proxy.source = "HTTPS_PROXY";
  proxy.proxy_addresses = {"192.0.2.10"};
  proxy.proxy_endpoint = "192.0.2.10:3128";
  proxy.tunnel_target = "ws.example.test:443";
  proxy.credentials_sent = credentials;
  return proxy;
}

ProxyObservation connect_answered(int status, std::string reason, std::vector<HttpHeader> headers = {},
                                  bool credentials = false) {
  auto proxy = http_proxy(credentials);
  proxy.status_code = status;
  proxy.status_line = "HTTP/1.1 " + std::to_string(status) + " " + reason;
  proxy.headers = std::move(headers);
  return proxy;
}

ProxyObservation socks(std::optional<int> method, std::optional<int> auth, std::optional<int> reply,
                       bool credentials = false) {
  ProxyObservation proxy;
  proxy.scheme = "socks5h";
  proxy.proxy = "socks5h://proxy.example.test:1080";
  proxy.source = "--proxy";
  proxy.proxy_endpoint = "192.0.2.10:1080";
  proxy.tunnel_target = "ws.example.test:443";
  proxy.socks_method = method;
  proxy.socks_auth_status = auth;
  proxy.socks_reply = reply;
  proxy.credentials_sent = credentials;
  return proxy;
}

struct Case {
  std::string name;
  Condition condition;
  std::optional<ProxyObservation> proxy;
  std::string cause;
  Confidence confidence;
  std::string hop;
  std::vector<std::string> evidence;  // each must appear in some evidence line
};

const std::string kToProxy = "client to proxy";
const std::string kToTarget = "proxy to target";

std::vector<Case> cases() {
  auto unresolved = http_proxy();
  unresolved.proxy_endpoint.reset();
  unresolved.proxy_addresses.clear();
  auto refused = http_proxy();
  refused.proxy_endpoint.reset();
  auto not_http = http_proxy();
  not_http.first_bytes_hex = "05 ff";
  auto closed = http_proxy();
  closed.connection_end = Condition::eof;
  return {
      {"the proxy's name does not resolve", Condition::dns_nxdomain, unresolved, "proxy_unreachable",
       Confidence::certain, kToProxy, {"proxy URL: http://proxy.example.test:3128 (from HTTPS_PROXY)"}},
      {"the proxy refuses the connection", Condition::connect_refused, refused, "proxy_unreachable",
       Confidence::certain, kToProxy, {"proxy addresses: 192.0.2.10"}},
      {"no answer to SYN from the proxy", Condition::connect_timeout, refused, "proxy_unreachable",
       Confidence::certain, kToProxy, {}},
      {"407 without credentials", Condition::proxy_refused,
       connect_answered(407, "Proxy Authentication Required", {{"Proxy-Authenticate", "Basic realm=\"corp\""}}),
       "proxy_auth_required", Confidence::certain, kToProxy,
       {"HTTP/1.1 407 Proxy Authentication Required", "Proxy-Authenticate: Basic realm=\"corp\"",
        "credentials sent: no"}},
      {"407 with credentials", Condition::proxy_refused,
       connect_answered(407, "Proxy Authentication Required", {}, true), "proxy_auth_required", Confidence::certain,
       kToProxy, {"credentials sent: yes (Proxy-Authorization: Basic)"}},
      // tinyproxy answers wrong credentials with 401 and WWW-Authenticate.
      {"401 to wrong credentials", Condition::proxy_refused, connect_answered(401, "Unauthorized", {}, true),
       "proxy_auth_required", Confidence::certain, kToProxy, {"credentials sent: yes"}},
      {"403 from Squid", Condition::proxy_refused,
       connect_answered(403, "Forbidden", {{"Server", "squid/6.6"}, {"X-Squid-Error", "ERR_ACCESS_DENIED 0"}}),
       "proxy_connect_denied", Confidence::certain, kToProxy,
       {"X-Squid-Error: ERR_ACCESS_DENIED 0", "Server: squid/6.6", "tunnel asked for: ws.example.test:443"}},
      {"405 to CONNECT", Condition::proxy_refused, connect_answered(405, "Method Not Allowed"), "proxy_connect_denied",
       Confidence::certain, kToProxy, {"405 Method Not Allowed"}},
      {"502 from the proxy", Condition::proxy_refused, connect_answered(502, "Bad Gateway"), "proxy_target_unreachable",
       Confidence::certain, kToTarget, {"502 Bad Gateway"}},
      {"504 from the proxy", Condition::proxy_refused, connect_answered(504, "Gateway Timeout"),
       "proxy_target_unreachable", Confidence::certain, kToTarget, {}},
      {"tinyproxy's 500 Unable to connect", Condition::proxy_refused, connect_answered(500, "Unable to connect"),
       "proxy_target_unreachable", Confidence::likely, kToTarget, {"500 Unable to connect"}},
      {"SOCKS5: no acceptable method", Condition::proxy_refused, socks(0xFF, {}, {}), "proxy_auth_required",
       Confidence::certain, kToProxy, {"method chosen: 255 (no acceptable methods)", "credentials sent: no"}},
      {"SOCKS5: username/password wanted, none in the URL", Condition::proxy_refused, socks(2, {}, {}),
       "proxy_auth_required", Confidence::certain, kToProxy, {"2 (username/password)", "credentials sent: no"}},
      {"SOCKS5: RFC 1929 failure", Condition::proxy_refused, socks(2, 1, {}, true), "proxy_auth_required",
       Confidence::certain, kToProxy, {"RFC 1929 status: 1 (failure)", "credentials sent: yes (RFC 1929"}},
      {"SOCKS5: REP 2 not allowed by ruleset", Condition::proxy_refused, socks(0, {}, 2), "proxy_connect_denied",
       Confidence::certain, kToProxy, {"REP 2 (connection not allowed by ruleset)"}},
      {"SOCKS5: REP 3 network unreachable", Condition::proxy_refused, socks(0, {}, 3), "proxy_target_unreachable",
       Confidence::certain, kToTarget, {"REP 3 (network unreachable)"}},
      {"SOCKS5: REP 4 host unreachable", Condition::proxy_refused, socks(0, {}, 4), "proxy_target_unreachable",
       Confidence::certain, kToTarget, {}},
      {"SOCKS5: REP 5 connection refused", Condition::proxy_refused, socks(0, {}, 5), "proxy_target_unreachable",
       Confidence::certain, kToTarget, {"REP 5 (connection refused)"}},
      {"SOCKS5: REP 6 TTL expired", Condition::proxy_refused, socks(0, {}, 6), "proxy_target_unreachable",
       Confidence::certain, kToTarget, {}},
      {"SOCKS5: REP 1 general failure", Condition::proxy_refused, socks(0, {}, 1), "proxy_target_unreachable",
       Confidence::likely, kToTarget, {}},
      {"SOCKS5: REP 7 command not supported", Condition::proxy_refused, socks(0, {}, 7), "proxy_connect_denied",
       Confidence::likely, kToProxy, {}},
      {"a silent HTTP proxy after CONNECT", Condition::timeout, http_proxy(), "proxy_target_unreachable",
       Confidence::likely, kToTarget, {}},
      {"a silent port where a SOCKS5 proxy should be", Condition::timeout, socks({}, {}, {}), "proxy_unreachable",
       Confidence::likely, kToProxy, {}},
      {"the proxy port answers with something else", Condition::not_http, not_http, "proxy_unreachable",
       Confidence::likely, kToProxy, {"the proxy port answered:"}},
      {"the proxy closes without a word", Condition::eof, closed, "proxy_connect_denied", Confidence::possible,
       kToProxy, {"the proxy ended the connection (eof) without answering"}},
  };
}

}  // namespace

TEST_CASE("proxy failures: cause, confidence, hop and evidence from what the proxy answered", "[checks][proxy]") {
  for (const auto& c : cases()) {
    SECTION(c.name) {
      auto result = failed_at(Scheme::wss, Stage::proxy, c.condition, "proxy said so");
      result.observed.proxy = c.proxy;
      diagnose(result);
      REQUIRE_FALSE(result.findings.empty());
      const auto& finding = result.findings.front();
      std::string all_evidence;
      for (const auto& line : finding.evidence) all_evidence += line + "\n";
      INFO("evidence:\n" << all_evidence);
      CHECK(result.verdict.status == VerdictStatus::fail);
      CHECK(result.verdict.stage == Stage::proxy);
      CHECK(result.verdict.cause == c.cause);
      CHECK(finding.confidence == c.confidence);
      CHECK(result.verdict.hop == c.hop);
      CHECK_THAT(all_evidence, Catch::StartsWith("proxy said so\n"));
      for (const auto& words : c.evidence) CHECK_THAT(all_evidence, Catch::Contains(words));
      CHECK_FALSE(finding.fix.empty());
    }
  }
}

TEST_CASE("a failed proxy stage without observations is still a proxy cause", "[checks][proxy]") {
  auto result = failed_at(Scheme::ws, Stage::proxy, Condition::internal, "no proxy configured");
  diagnose(result);
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.cause == "proxy_unreachable");
}

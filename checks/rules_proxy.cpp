// proxy failures: which of the two hops failed, from what the proxy answered (its HTTP status,
// its SOCKS5 method, RFC 1929 status and REP code) or from how reaching it failed.
#include "checks/evidence.hpp"
#include "checks/rules.hpp"
#include "model/join.hpp"
#include "wire/http_response.hpp"
#include "wire/socks5.hpp"

namespace wsprobe {
namespace {

constexpr std::string_view kClientToProxy = "client to proxy";
constexpr std::string_view kProxyToTarget = "proxy to target";

struct Cause {
  std::string_view id;
  Confidence confidence = Confidence::certain;
  std::string_view hop = kClientToProxy;
};

bool reaching_failed(Condition condition) {
  switch (condition) {
    case Condition::dns_nxdomain:
    case Condition::dns_no_address:
    case Condition::dns_timeout:
    case Condition::dns_failure:
    case Condition::connect_refused:
    case Condition::connect_timeout:
    case Condition::unreachable: return true;
    default: return false;
  }
}

// RFC 9110 §15: 407 wants credentials (tinyproxy answers wrong ones with 401); 502/503/504 say the
// proxy's own attempt failed (tinyproxy answers 500 "Unable to connect"); any other refusal is the
// proxy's policy.
Cause cause_of_status(int status) {
  if (status == 407 || status == 401) return {"proxy_auth_required"};
  if (status == 502 || status == 503 || status == 504) return {"proxy_target_unreachable", Confidence::certain, kProxyToTarget};
  if (status >= 500) return {"proxy_target_unreachable", Confidence::likely, kProxyToTarget};
  if (status >= 400) return {"proxy_connect_denied"};
  return {"proxy_connect_denied", Confidence::likely};
}

// RFC 1928 §6 REP codes.
Cause cause_of_reply(int reply) {
  switch (reply) {
    case socks5::kReplyNotAllowed: return {"proxy_connect_denied"};
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06: return {"proxy_target_unreachable", Confidence::certain, kProxyToTarget};
    case 0x01: return {"proxy_target_unreachable", Confidence::likely, kProxyToTarget};
    case 0x07:
    case 0x08: return {"proxy_connect_denied", Confidence::likely};
    default: return {"proxy_connect_denied", Confidence::possible};
  }
}

Cause classify(const StageResult& stage, const ProxyObservation* proxy) {
  if (reaching_failed(stage.condition) || !proxy) return {"proxy_unreachable"};
  if (proxy->status_code) return cause_of_status(*proxy->status_code);
  if (proxy->socks_method == socks5::kMethodNoAcceptable) return {"proxy_auth_required"};
  if (proxy->socks_method == socks5::kMethodUsernamePassword && !proxy->credentials_sent) return {"proxy_auth_required"};
  if (proxy->socks_auth_status && *proxy->socks_auth_status != 0) return {"proxy_auth_required"};
  if (proxy->socks_reply && *proxy->socks_reply != socks5::kReplySucceeded) return cause_of_reply(*proxy->socks_reply);
  const bool socks = proxy->scheme != "http";
  switch (stage.condition) {
    // An HTTP proxy that takes the CONNECT and stays silent is usually still trying the target
    // (tinyproxy and Squid answer only once their own connect ends); a SOCKS5 proxy that stays
    // silent before even choosing a method is not answering as a proxy.
    case Condition::timeout:
      if (socks && !proxy->socks_method) return {"proxy_unreachable", Confidence::likely};
      return {"proxy_target_unreachable", Confidence::likely, kProxyToTarget};
    // Closing without a word is how some proxies refuse a client their rules do not know (Dante
    // drops a connection no client-rule passes).
    case Condition::eof:
    case Condition::reset: return {"proxy_connect_denied", Confidence::possible};
    // Something listens there, but it is not the kind of proxy the URL says.
    case Condition::not_http:
    case Condition::protocol_violation: return {"proxy_unreachable", Confidence::likely};
    default: return {"proxy_unreachable", Confidence::possible};
  }
}

std::string credentials_line(const ProxyObservation& proxy) {
  if (proxy.credentials_sent)
    return proxy.scheme == "http" ? "credentials sent: yes (Proxy-Authorization: Basic)"
                                  : "credentials sent: yes (RFC 1929 username/password)";
  return "credentials sent: no (the proxy URL has no user:password@)";
}

void add_http_evidence(const ProxyObservation& proxy, std::vector<std::string>& evidence) {
  if (proxy.status_line) evidence.push_back("proxy answered: " + *proxy.status_line);
  // What tells who refused and why: the challenge, Squid's error tag, the proxy's own name.
  for (const auto* name : {"Proxy-Authenticate", "X-Squid-Error", "Server", "Proxy-Agent", "Via"})
    for (const auto& header : proxy.headers)
      if (iequals(header.name, name)) evidence.push_back(header.name + ": " + header.value);
}

void add_socks_evidence(const ProxyObservation& proxy, std::vector<std::string>& evidence) {
  if (proxy.socks_method)
    evidence.push_back("SOCKS5 method chosen: " + std::to_string(*proxy.socks_method) + " (" +
                       std::string(socks5::method_name(*proxy.socks_method)) + ")");
  if (proxy.socks_auth_status)
    evidence.push_back("RFC 1929 status: " + std::to_string(*proxy.socks_auth_status) +
                       (*proxy.socks_auth_status == 0 ? " (success)" : " (failure)"));
  if (proxy.socks_reply)
    evidence.push_back("SOCKS5 reply: REP " + std::to_string(*proxy.socks_reply) + " (" +
                       std::string(socks5::reply_name(*proxy.socks_reply)) + ")");
}

}  // namespace

std::optional<Finding> explain_proxy_failure(const StageResult& stage, const Observations& observed) {
  const auto* proxy = observed.proxy ? &*observed.proxy : nullptr;
  const auto cause = classify(stage, proxy);
  auto finding = make_finding(cause.id, Severity::fail, Stage::proxy, cause.confidence);
  finding.hop = std::string(cause.hop);
  auto& evidence = finding.evidence;
  if (!stage.detail.empty()) evidence.push_back(stage.detail);
  if (!proxy) return finding;

  evidence.push_back("proxy URL: " + proxy->proxy + " (from " + proxy->source + ")");
  if (proxy->proxy_endpoint) {
    evidence.push_back("connected to the proxy at " + *proxy->proxy_endpoint);
  } else if (!proxy->proxy_addresses.empty()) {
    evidence.push_back("proxy addresses: " + join(proxy->proxy_addresses));
  }
  if (!proxy->tunnel_target.empty()) evidence.push_back("tunnel asked for: " + proxy->tunnel_target);
  if (proxy->scheme == "http") {
    add_http_evidence(*proxy, evidence);
  } else {
    add_socks_evidence(*proxy, evidence);
  }
  if (cause.id == "proxy_auth_required") evidence.push_back(credentials_line(*proxy));
  if (!proxy->first_bytes_hex.empty())
    evidence.push_back("the proxy port answered: " +
                       classify_hex(proxy->first_bytes_hex, proxy->connection_end.value_or(Condition::none)).description);
  else if (proxy->connection_end && !proxy->status_code && !proxy->socks_reply)
    evidence.push_back("the proxy ended the connection (" + std::string(to_string(*proxy->connection_end)) +
                       ") without answering");
  return finding;
}

}  // namespace wsprobe

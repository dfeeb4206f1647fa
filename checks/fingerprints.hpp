#pragma once
// Who answered: load balancers, CDNs, proxies and servers recognised from what the probe saw.
// Pure: reads a TargetResult, no I/O. The markers are the knowledge base's §2 table
// (../shared/diagnosis/knowledge-base.md) and the protocol facts behind them.
#include <string_view>
#include <vector>

#include "model/report.hpp"

namespace wsprobe {

// Roles a fingerprint can have.
namespace role {
inline constexpr std::string_view kCdn = "CDN";
inline constexpr std::string_view kApiGateway = "API gateway";
inline constexpr std::string_view kLoadBalancer = "load balancer";
inline constexpr std::string_view kProxy = "proxy";
inline constexpr std::string_view kServer = "server";
}  // namespace role

// Every product the observations name, one Fingerprint per product (evidence merged, the
// strongest confidence kept), ordered from the outside in: CDN, API gateway, load balancer, proxy,
// server (detection order within a role).
//
// Read, in this order:
//  - the upgrade response: Server (each product token), Via (RFC 9110 §7.6.3), vendor headers
//    (cf-ray, x-amz-cf-id, x-amz-apigw-id, x-azure-ref, x-envoy-*, x-squid-error...), Set-Cookie
//    names (values are never shown), and body markers (error-page tails and texts);
//  - the same from every follow-up that carries headers or a body (evidence says which);
//  - the DNS query name and CNAME chain (*.elb.amazonaws.com, *.cloudfront.net, *.azurefd.net...);
//  - the TLS chain: ACM, ingress-nginx and Traefik default certificates.
// Confidence: a header, cookie or product token that names the product is certain; a body shape,
// a DNS name or a certificate issuer is likely; a marker the knowledge base marks "unconf." or one
// that several products share is possible. Header names and body markers match case-insensitively
// and body markers ignore whitespace.
std::vector<Fingerprint> fingerprint(const TargetResult& result);

// The vendor labels (checks/catalogue.hpp, vendor::) whose fixes apply to a fingerprint name:
// "ingress-nginx" -> "nginx / ingress-nginx"; "AWS ELB (ALB or CLB)" -> both; unknown names -> none.
std::vector<std::string_view> vendors_of(std::string_view fingerprint_name);

}  // namespace wsprobe

#include "checks/catalogue.hpp"

#include <algorithm>
#include <array>

#include "checks/fingerprints.hpp"

namespace wsprobe {
namespace {

using S = Stage;
using C = Confidence;
namespace v = vendor;

// Sources (knowledge base §3), resolved to their short text. The AWS user-guide files are in the
// archived awsdocs repositories the knowledge base names.
constexpr SourceRef kN1{"N1", "docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html"};
constexpr SourceRef kN3{"N3", "awsdocs/elb-network-load-balancers-user-guide doc_source/target-group-health-checks.md"};
constexpr SourceRef kN4{"N4",
                        "awsdocs/elb-network-load-balancers-user-guide doc_source/load-balancer-troubleshooting.md#loopback-timeout"};
constexpr SourceRef kN5{"N5", "awsdocs/elb-network-load-balancers-user-guide doc_source/create-tls-listener.md"};
constexpr SourceRef kN6{"N6", "awsdocs/elb-network-load-balancers-user-guide doc_source/load-balancer-cloudwatch-metrics.md"};
constexpr SourceRef kN7{"N7", "awsdocs/elb-network-load-balancers-user-guide doc_source/create-tls-listener.md#alpn-policies"};
constexpr SourceRef kN8{"N8",
                        "awsdocs/elb-network-load-balancers-user-guide doc_source/load-balancer-target-groups.md#proxy-protocol"};
constexpr SourceRef kA1{"A1", "docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html"};
constexpr SourceRef kA2{"A2", "ALB load-balancer-troubleshooting.md (HTTP 400–561)"};
constexpr SourceRef kA3{"A3", "docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html"};
constexpr SourceRef kA4{"A4", "awsdocs/elb-application-load-balancers-user-guide doc_source/lambda-functions.md"};
constexpr SourceRef kA5{"A5", "repost.aws/knowledge-center/alb-troubleshoot-503-errors"};
constexpr SourceRef kW1{"W1", "public capture: x-amzn-waf-action: challenge with server: awselb/2.0"};
constexpr SourceRef kC1{"C1", "repost.aws/knowledge-center/504-error-classic"};
constexpr SourceRef kC2{"C2", "socketio/socket.io#1846"};
constexpr SourceRef kG1{"G1", "docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html"};
constexpr SourceRef kF1{"F1", "docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html"};
constexpr SourceRef kX1{"X1", "nginx/nginx src/http/ngx_http_special_response.c (497 page, keepalive off)"};
constexpr SourceRef kX2{"X2", "golang/go src/net/http/server.go"};
constexpr SourceRef kX3{"X3", "nginx.org/en/docs/http/websocket.html"};
constexpr SourceRef kX4{"X4", "gorilla/websocket server.go"};
constexpr SourceRef kK1{"K1", "Alibaba ACK \"Configure WebSocket services with NGINX Ingress\" (60 s defaults)"};
constexpr SourceRef kK2{"K2", "kubernetes/ingress-nginx#2461, #2647, #8977"};
constexpr SourceRef kH1{"H1", "haproxy mailing list msg47460 (tunnel timeout/bwlim)"};
constexpr SourceRef kH2{"H2", "alebedev87/haproxy-timeout-tunnel"};
constexpr SourceRef kH4{"H4", "haproxy/haproxy#1364, #1402, #1944"};
constexpr SourceRef kH5{"H5", "aws/aws-app-mesh-roadmap#465"};
constexpr SourceRef kE1{"E1", "envoyproxy/envoy source/common/http/conn_manager_impl.cc (UpgradeFailed, 403)"};
constexpr SourceRef kE4{"E4", "envoyproxy/envoy docs/root/faq/configuration/timeouts.rst"};
constexpr SourceRef kE5{"E5", "envoyproxy/envoy#37020"};
constexpr SourceRef kT1{"T1", "openssl/openssl#6805"};
constexpr SourceRef kT2{"T2", "OpenSSL/BoringSSL record layer (SSL_R_HTTP_REQUEST, SSL_AD_NO_ALERT, SSL_R_WRONG_VERSION_NUMBER)"};
constexpr SourceRef kT5{"T5", "traefik/traefik#8668, #3630"};
constexpr SourceRef kT6{"T6", "traefik/traefik PR#10531, PR#10602"};
constexpr SourceRef kT8{"T8", "openssl/openssl crypto/x509/x509_txt.c"};
constexpr SourceRef kCF1{"CF1", "cloudflare/cloudflare-docs src/content/docs/network/websockets.mdx"};
constexpr SourceRef kCF2{"CF2", "cloudflare-docs fundamentals/reference/connection-limits.mdx"};
constexpr SourceRef kCF3{"CF3", "cloudflare-docs …/cloudflare-5xx-errors/ pages"};
constexpr SourceRef kGC1{"GC1", "cloud.google.com/load-balancing/docs/https/request-distribution"};
constexpr SourceRef kAZ1{"AZ1", "MicrosoftDocs/azure-docs articles/application-gateway/application-gateway-websocket.md"};
constexpr SourceRef kAZ2{"AZ2", "learn.microsoft.com/azure/frontdoor/standard-premium/websocket"};
constexpr SourceRef kAZ3{"AZ3", "MicrosoftDocs/azure-docs articles/load-balancer/load-balancer-tcp-reset.md"};
constexpr SourceRef kQ{"Q1–Q5", "apache/trafficserver#2650"};
constexpr SourceRef kR1{"R1", "golang/go commit 90d6bbb (Go 1.17), golang/go#46310"};
constexpr SourceRef kR2{"R2", "RFC 8446 §6; RFC 7301 §3.2"};
constexpr SourceRef kR3{"R3", "RFC 8441"};
constexpr SourceRef kS{"S1–S3", "openssl/openssl#3652, #17039"};
constexpr SourceRef kI{"I1–I4", "curl/curl#12943"};
constexpr SourceRef kP1{"P1", "PROXY v2 12-byte signature (HAProxy PROXY spec, as in public parsers)"};
constexpr SourceRef kP2{"P2", "kubernetes/ingress-nginx#6633, #6996, #9643"};

// Per cause: the vendor fixes, the sources and the knowledge-base rows behind the signature.

constexpr VendorFix kTcpTimeoutFixes[] = {
    {v::kAwsNlb, "A client inside the fleet that times out on about 1 in N connects is an NLB hairpin: with client IP "
                 "preservation on, disable preserve_client_ip.enabled on the target group or call the target directly."},
};
constexpr SourceRef kTcpTimeoutRefs[] = {kN4};
constexpr std::string_view kTcpTimeoutRows[] = {"nlb_hairpin_timeout"};

constexpr VendorFix kPartialFixes[] = {
    {v::kAwsNlb, "With cross-zone load balancing off, a zone with no healthy target fails at its own address: keep "
                 "healthy targets in every enabled zone, or enable cross-zone load balancing."},
};
constexpr SourceRef kPartialRefs[] = {kN3};
constexpr std::string_view kPartialRows[] = {"nlb_az_dns_drop"};

constexpr VendorFix kTlsToPlainFixes[] = {
    {v::kAwsNlb, "A TCP listener passes the ClientHello through to a plaintext target: use a TLS listener with a "
                 "certificate, or connect with ws://."},
};
constexpr SourceRef kTlsToPlainRefs[] = {kT1, kT2};
constexpr std::string_view kTlsToPlainRows[] = {"tls_client_plain_server"};

constexpr VendorFix kCertFixes[] = {
    {v::kNginx, "A 'Kubernetes Ingress Controller Fake Certificate' is ingress-nginx's default: no Ingress has a TLS "
                "secret for this host; add spec.tls with the host's certificate secret."},
    {v::kTraefik, "A 'TRAEFIK DEFAULT CERT' means no router's certificate matches this host: configure a certificate "
                  "(or a resolver) for it."},
};
constexpr SourceRef kCertRefs[] = {kT8};
constexpr std::string_view kCertRows[] = {"tls_cert_invalid"};

constexpr SourceRef kAlpnRefs[] = {kR1, kR2};
constexpr std::string_view kAlpnRows[] = {"h2_only_alpn_no_overlap"};

constexpr VendorFix kSniFixes[] = {
    {v::kCloudflare, "Cloudflare answers a ClientHello without SNI with alert 40 (handshake_failure): connect by "
                     "name so SNI is sent."},
    {v::kCloudFront, "CloudFront answers a ClientHello without SNI with an alert whose record version is 00 00 "
                     "(\"wrong version number\"): connect by name so SNI is sent."},
    {v::kNginx, "A strict nginx server block (alert 112, unrecognized_name) accepts only the names it serves: send "
                "SNI = the URL's host."},
};
constexpr SourceRef kSniRefs[] = {kS};
constexpr std::string_view kSniRows[] = {"tls_sni_required"};

constexpr VendorFix kHandshakeEofFixes[] = {
    {v::kAwsNlb, "With a TCP (passthrough) target group and proxy_protocol_v2.enabled, a target that does not parse "
                 "PROXY v2 fails the handshake: enable it on the target or disable it on the target group."},
    {v::kNginx, "A listen ... proxy_protocol (ingress-nginx use-proxy-protocol) closes connections that arrive "
                "without a PROXY header: enable it only when the load balancer sends one."},
};
constexpr SourceRef kHandshakeEofRefs[] = {kN8, kP2};

constexpr SourceRef kPlainToTlsRefs[] = {kX1, kX2, kT2};
constexpr std::string_view kPlainToTlsRows[] = {"plain_client_tls_server"};

constexpr VendorFix kTwiceFixes[] = {
    {v::kAwsNlb, "A TLS listener in front of a target that serves TLS: make the target group protocol TLS (the NLB "
                 "does not validate target certificates), or point it at the target's plaintext port."},
    {v::kAwsAlb, "An HTTPS listener forwarding to an HTTP target group on a TLS port: make the target group protocol "
                 "HTTPS, or use the target's plaintext port."},
    {v::kAwsClb, "An HTTPS/SSL listener forwarding with instance protocol HTTP/TCP to a TLS port: set the instance "
                 "protocol to HTTPS/SSL, or use the instance's plaintext port."},
};
constexpr SourceRef kTwiceRefs[] = {kN5, kX1, kX2};
constexpr std::string_view kTwiceRows[] = {"tls_terminated_twice"};

constexpr VendorFix kH2OnlyFixes[] = {
    {v::kAwsNlb, "A TLS listener with ALPN policy HTTP2Preferred, HTTP2Only or HTTP2Optional in front of an HTTP/1.1 "
                 "target: use HTTP1Only or None, or an h2 target."},
    {v::kEnvoy, "RFC 8441 over h2 needs extended CONNECT end to end (allow_connect): enable it, or stop advertising "
                "SETTINGS_ENABLE_CONNECT_PROTOCOL."},
};
constexpr SourceRef kH2OnlyRefs[] = {kN7, kR1, kR3, kE5, kI};
constexpr std::string_view kH2OnlyRows[] = {"h2_only_alpn_no_overlap", "nlb_alpn_mismatch", "rfc8441_unsupported"};

constexpr VendorFix kStrippedFixes[] = {
    {v::kNginx, "proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "
                "$connection_upgrade; (proxy_http_version defaults to 1.0 before nginx 1.29.7/1.30)."},
    {v::kAwsClb, "HTTP/HTTPS listeners do not pass WebSocket upgrades: use a TCP/SSL listener (with proxy protocol v1 "
                 "for client addresses) or move to an ALB."},
    {v::kCloudFront, "Forward Sec-WebSocket-Key and Sec-WebSocket-Version to the origin (an origin request policy "
                     "such as AllViewer); WebSockets work over HTTP/1.1 only."},
    {v::kAzureFrontDoor, "Routes with caching enabled do not forward Upgrade: disable caching on the WebSocket route."},
    {v::kCloudflare, "Turn on Network > WebSockets for the zone and bypass the cache for the WebSocket path."},
};
constexpr SourceRef kStrippedRefs[] = {kX3, kX4, kC2, kF1, kAZ2, kCF1};
constexpr std::string_view kStrippedRows[] = {"nginx_upgrade_headers_missing", "clb_http_listener_no_ws",
                                              "cloudfront_ws", "azure_frontdoor_ws"};

constexpr VendorFix kPpUnexpectedFixes[] = {
    {v::kAwsNlb, "Disable proxy_protocol_v2.enabled on the target group, or make the target parse PROXY v2."},
    {v::kNginx, "Parse the header: listen ... proxy_protocol; (ingress-nginx: use-proxy-protocol: \"true\")."},
};
constexpr SourceRef kPpUnexpectedRefs[] = {kN8, kP1};
constexpr std::string_view kPpUnexpectedRows[] = {"pp2_unexpected_by_target"};

constexpr VendorFix kPpMissingFixes[] = {
    {v::kAwsNlb, "Enable proxy_protocol_v2.enabled on the target group (health checks then carry the header too), or "
                 "stop requiring it on the target."},
    {v::kNginx, "Drop proxy_protocol from listen (ingress-nginx: use-proxy-protocol: \"false\") when the load "
                "balancer in front sends no PROXY header; the error log says 'broken header ... while reading PROXY "
                "protocol'."},
};
constexpr SourceRef kPpMissingRefs[] = {kN8, kP2};
constexpr std::string_view kPpMissingRows[] = {"pp_expected_missing"};

constexpr VendorFix kBackendFixes[] = {
    {v::kAwsAlb, "503 = no registered healthy targets: register targets and make health checks pass. 502 = the "
                 "target reset, closed or answered badly: check security groups and set the target's keep-alive "
                 "timeout above the ALB's idle timeout. 504 = the target did not accept within 10 s or answer within "
                 "the idle timeout."},
    {v::kCloudflare, "521 origin down, 522 origin TCP connect timed out, 523 origin unreachable, 524 no response in "
                     "time, 525 origin TLS handshake failed, 526 invalid origin certificate: fix the origin or the "
                     "SSL/TLS mode."},
    {v::kHaproxy, "502 on a WebSocket path (log flags SH--) with alpn h2 to the server: speak HTTP/1.1 to WebSocket "
                  "backends (alpn http/1.1)."},
    {v::kEnvoy, "503 (response flag UC) from an HTTP/2 upstream cluster: use HTTP/1.1 to WebSocket upstreams; "
                "'upstream connect error' means the upstream refused or reset the connection."},
    {v::kAzureAppGateway, "Backends that fail the HTTP health probe are removed: make the probe pass on the backend."},
};
constexpr SourceRef kBackendRefs[] = {kA2, kA5, kCF3, kH4, kH5, kAZ1};
constexpr std::string_view kBackendRows[] = {"alb_5xx", "cloudflare_52x", "proxy_h2_upstream_ws",
                                             "azure_appgw_timeout"};

constexpr VendorFix kAuthFixes[] = {
    {v::kAwsAlb, "A 403 with Server: awselb/2.0 is AWS WAF: add an exclusion for the WebSocket path (a 202 with "
                 "x-amzn-waf-action: challenge is a WAF challenge)."},
    {v::kEnvoy, "A 403 with an empty body is Envoy without WebSocket upgrades: add upgrade_configs "
                "(upgrade_type: websocket) to the HTTP connection manager or the route."},
    {v::kApiGateway, "The $connect route or its authorizer denied the connection: check the authorizer's decision and "
                     "the credentials it expects."},
};
constexpr SourceRef kAuthRefs[] = {kW1, kE1, kG1};
constexpr std::string_view kAuthRows[] = {"alb_waf_block", "envoy_upgrade_not_configured", "apigw_ws_limits"};

constexpr VendorFix kDeclinedFixes[] = {
    {v::kAwsAlb, "464 = an HTTP/1.1 upgrade sent to a target group whose protocol version is HTTP2 or gRPC; a 400 "
                 "from a Lambda target (LambdaWebsocketNotSupported) = Lambda cannot serve WebSockets: use an HTTP1 "
                 "target group with instance or IP targets."},
    {v::kSquid, "Squid answers ws:// with 411 and X-Squid-Error: ERR_INVALID_REQ: use wss:// (CONNECT to 443), or "
                "allow upgrades with http_upgrade_request_protocols websocket allow all."},
    {v::kCloudflare, "Turn on Network > WebSockets for the zone and bypass the cache for the WebSocket path."},
};
constexpr SourceRef kDeclinedRefs[] = {kA2, kA3, kQ, kCF1};
constexpr std::string_view kDeclinedRows[] = {"alb_tg_incompatible", "forward_proxy_blocks_ws", "cloudflare_52x"};

constexpr VendorFix kTgFixes[] = {
    {v::kAwsAlb, "Route the WebSocket path to a target group with protocol version HTTP1 and instance or IP targets."},
};
constexpr SourceRef kTgRefs[] = {kA2, kA3, kA4};
constexpr std::string_view kTgRows[] = {"alb_tg_incompatible"};

constexpr VendorFix kConnectDeniedFixes[] = {
    {v::kSquid, "Squid's default http_access deny CONNECT !SSL_ports refuses CONNECT to ports other than 443: use "
                "wss:// on 443, or add the port to SSL_ports."},
};
constexpr SourceRef kConnectDeniedRefs[] = {kQ};
constexpr std::string_view kConnectDeniedRows[] = {"forward_proxy_blocks_ws"};

constexpr VendorFix kUpgradeEofFixes[] = {
    {v::kAwsNlb, "A TLS listener with a TLS target group whose target speaks plaintext (TargetTLSNegotiationErrorCount "
                 "rises): make the target group TCP, or serve TLS on the target. A target that waits for a PROXY "
                 "header the NLB does not send closes too: enable proxy_protocol_v2.enabled or drop it on the target."},
    {v::kNginx, "A listen ... proxy_protocol closes connections that arrive without a PROXY header ('broken header' "
                "in the error log): match it to what the load balancer sends."},
};
constexpr SourceRef kUpgradeEofRefs[] = {kN6, kN8, kP2};
constexpr std::string_view kUpgradeEofRows[] = {"nlb_tls_tg_plain_target", "pp_expected_missing"};

constexpr VendorFix kTooLargeFixes[] = {
    {v::kApiGateway, "WebSocket APIs close frames over 32 KB and messages over 128 KB with 1009: split messages."},
};
constexpr SourceRef kTooLargeRefs[] = {kG1};
constexpr std::string_view kTooLargeRows[] = {"apigw_ws_limits"};

constexpr VendorFix kClosedFixes[] = {
    {v::kAwsNlb, "A reset while traffic flows: the target is failing health checks; fix its health and reconnect on "
                 "reset."},
    {v::kNginx, "Many connections dropped together about 240 s after a configuration change are ingress-nginx reloads "
                "(worker-shutdown-timeout): reload less often, raise the shutdown timeout, reconnect in the client."},
    {v::kGcp, "Closed at exactly the backend service timeout (30 s by default) even while busy: raise the backend "
              "service timeout (BackendConfig timeoutSec); it limits the connection's lifetime."},
    {v::kApiGateway, "Connections end after 2 hours whatever the traffic: reconnect before then."},
    {v::kAzureFrontDoor, "Connections end after 4 hours at most: reconnect before then."},
    {v::kTraefik, "Rolling restarts drop WebSockets, and 2.11.1/3.0-rc4 cut them at ~60 s (readTimeout): upgrade "
                  "(fixed in 2.11.2/3.0-rc5) and reconnect in the client."},
};
constexpr SourceRef kClosedRefs[] = {kN3, kK2, kGC1, kG1, kAZ2, kT6};
constexpr std::string_view kClosedRows[] = {"nlb_unhealthy_target_rst", "ingress_reload_drop",
                                            "gcp_backend_timeout_lifetime", "apigw_ws_limits", "traefik_timeouts"};

constexpr VendorFix kIdleFixes[] = {
    {v::kAwsNlb, "350 s idle, then the first write gets a reset: ping (or TCP keepalive) under 350 s, or raise "
                 "tcp.idle_timeout.seconds (60–6000 s, TCP listeners only)."},
    {v::kAwsAlb, "60 s idle by default: ping under 60 s (WebSocket pings count, HTTP/2 PINGs do not) or raise "
                 "idle_timeout.timeout_seconds."},
    {v::kAwsClb, "60 s idle by default (1–3600 s): raise the idle timeout or ping more often."},
    {v::kNginx, "proxy_read_timeout and proxy_send_timeout default to 60 s (ingress-nginx: proxy-read-timeout, "
                "proxy-send-timeout): raise them, or have the server ping."},
    {v::kHaproxy, "Set timeout tunnel (e.g. 1h) and timeout client-fin: without them timeout client/server cut "
                  "WebSockets (the OpenShift router's client timeout is 30 s)."},
    {v::kCloudflare, "About 100 s without data (120 s in newer docs, configurable on Enterprise): ping under 90 s and "
                     "reconnect on a drop."},
    {v::kGcp, "The backend service timeout (30 s by default) ends the connection busy or idle: raise timeoutSec."},
    {v::kAzureAppGateway, "The HTTP settings' request timeout applies to the WebSocket session: raise it."},
    {v::kAzureFrontDoor, "5 min idle: ping under 5 min."},
    {v::kAzureLoadBalancer, "4 min idle, dropped silently: keepalive under 4 min, or enable TCP reset so both ends get "
                            "a reset."},
    {v::kEnvoy, "stream_idle_timeout is 5 min: set the route's idle_timeout, or ping under 300 s."},
    {v::kTraefik, "180 s idle (respondingTimeouts.idleTimeout, v2), ~60 s on 2.11.1/3.0-rc4 (readTimeout): upgrade and "
                  "raise the timeouts."},
    {v::kCloudFront, "10 min idle: ping under 10 min."},
    {v::kApiGateway, "10 min idle and 2 h at most: ping under 10 min and reconnect before 2 h."},
};
constexpr SourceRef kIdleRefs[] = {kN1, kA1, kC1, kX3, kK1, kH1, kH2, kCF1, kCF2, kGC1,
                                   kAZ1, kAZ2, kAZ3, kE4, kT5, kT6, kF1, kG1};
constexpr std::string_view kIdleRows[] = {
    "nlb_idle_rst",         "alb_idle_timeout",        "clb_http_listener_no_ws", "nginx_read_timeout",
    "haproxy_tunnel_timeout", "cloudflare_idle_restart", "gcp_backend_timeout_lifetime", "azure_appgw_timeout",
    "azure_frontdoor_ws",   "azure_lb_silent_idle",    "envoy_stream_idle",       "traefik_timeouts",
    "cloudfront_ws",        "apigw_ws_limits"};

// One entry per id in ../shared/diagnosis/causes.md, in its order (with the ids the project added beside their
// relatives: alb_target_group_incompatible, ws_protocol_violation), then the warnings.
constexpr std::array kCauses{
    CauseInfo{"ok", std::nullopt, "All stages passed",
              "DNS, TCP, TLS, the WebSocket upgrade, the echo/ping exchange and the close all worked.",
              "Nothing to fix."},
    CauseInfo{"dns_nxdomain", S::dns, "Host name does not exist",
              "The resolver answered NXDOMAIN: the name does not exist in DNS.",
              "Check the host name for typos; check that the record exists in the zone (and in the resolver's view, "
              "for split-horizon DNS)."},
    CauseInfo{"dns_no_address", S::dns, "Name has no address record",
              "The name exists but has no A/AAAA record of the asked family.",
              "Add the A/AAAA (or alias) record for the load balancer, or probe with the other address family."},
    CauseInfo{"dns_timeout", S::dns, "DNS resolver did not answer",
              "No resolver answered within the DNS budget.",
              "Check that the resolver is reachable (UDP/TCP 53) and healthy; try another one with --dns-server."},
    CauseInfo{"dns_failure", S::dns, "DNS resolution failed",
              "The resolver failed (SERVFAIL, REFUSED or another error).",
              "Check the zone's authoritative servers and DNSSEC; try another resolver with --dns-server."},
    CauseInfo{"proxy_unreachable", S::proxy, "Forward proxy unreachable",
              "The forward proxy itself could not be reached.", "Check the proxy address and port, and that it runs."},
    CauseInfo{"proxy_auth_required", S::proxy, "Proxy wants credentials",
              "The proxy asked for credentials (HTTP 407, SOCKS5 no acceptable method) or rejected the ones given.",
              "Give the proxy credentials in the proxy URL (http://user:pass@proxy:port)."},
    CauseInfo{"proxy_connect_denied", S::proxy, "Proxy refused to tunnel",
              "The proxy refused to tunnel to this host or port (HTTP 403 to CONNECT, SOCKS5 rule failure).",
              "Ask the proxy's owners to allow CONNECT to this host and port (Squid: SSL_ports / "
              "http_upgrade_request_protocols).",
              kConnectDeniedFixes, kConnectDeniedRefs, C::certain, kConnectDeniedRows},
    CauseInfo{"proxy_target_unreachable", S::proxy, "Proxy could not reach the target",
              "The proxy tried but could not connect to the target (HTTP 502/504 to CONNECT, SOCKS5 unreachable).",
              "Check the target from the proxy's network: DNS, firewall, the listener."},
    CauseInfo{"tcp_refused", S::tcp, "Connection refused",
              "The address answered the SYN with a reset: nothing listens on that port, or a reject rule.",
              "Check the listener port on the load balancer (and that the listener exists), or the service's "
              "port when connecting directly."},
    CauseInfo{"tcp_timeout", S::tcp, "Connection timed out",
              "No answer to the SYN: a security group or firewall drop, a wrong address, or a listener missing on "
              "a load balancer node.",
              "Check security groups / NACLs / firewalls for the port, and that the address belongs to the load "
              "balancer.",
              kTcpTimeoutFixes, kTcpTimeoutRefs, C::certain, kTcpTimeoutRows},
    CauseInfo{"tcp_unreachable", S::tcp, "Host or network unreachable",
              "An ICMP host or network unreachable came back, or there is no route.",
              "Check routing from this host, VPN / peering, and the address."},
    CauseInfo{"lb_node_partial_failure", S::tcp, "Some load balancer nodes fail",
              "Some resolved addresses (LB nodes or zones) fail while others work.",
              "Check each zone has healthy targets (or enable cross-zone load balancing); remove stale addresses.",
              kPartialFixes, kPartialRefs, C::certain, kPartialRows},
    CauseInfo{"tls_to_plaintext_port", S::tls, "TLS sent to a plaintext port",
              "The port answered the TLS ClientHello with plaintext (e.g. HTTP/1.1 400): TLS is terminated nowhere "
              "on this path.",
              "Use ws:// for this port, or terminate TLS on the listener (TLS listener) or on the target.",
              kTlsToPlainFixes, kTlsToPlainRefs, C::certain, kTlsToPlainRows},
    CauseInfo{"tls_cert_untrusted", S::tls, "Certificate not trusted",
              "The certificate chain does not verify: self-signed, unknown issuer, or a missing intermediate.",
              "Serve the full chain (leaf + intermediates) from a public CA, or pass the private CA with --cacert.",
              kCertFixes, kCertRefs, C::certain, kCertRows},
    CauseInfo{"tls_cert_expired", S::tls, "Certificate expired",
              "The certificate has expired or is not yet valid.", "Renew the certificate and deploy it to the listener.",
              {}, kCertRefs, C::certain, kCertRows},
    CauseInfo{"tls_cert_hostname_mismatch", S::tls, "Certificate does not cover the host",
              "The certificate's names (SAN) do not include the host name used.",
              "Issue a certificate whose SAN covers this host, or use the name the certificate covers.",
              kCertFixes, kCertRefs, C::certain, kCertRows},
    CauseInfo{"tls_alpn_no_overlap", S::tls, "No common ALPN protocol",
              "The server refused every offered ALPN protocol (alert 120): an HTTP/2-only endpoint.",
              "Add http/1.1 to the server's ALPN list, or use a client that speaks RFC 8441 over h2.",
              {}, kAlpnRefs, C::certain, kAlpnRows},
    CauseInfo{"tls_sni_required", S::tls, "Server needs SNI",
              "The server needs SNI, or serves a default certificate without it.", "Always send SNI = the URL's host.",
              kSniFixes, kSniRefs, C::certain, kSniRows},
    CauseInfo{"tls_client_cert_required", S::tls, "Client certificate required",
              "The server requires a client certificate, or rejected the one given.",
              "Pass a client certificate the server trusts (--cert/--key), or turn off mTLS on this listener."},
    CauseInfo{"tls_version_mismatch", S::tls, "No common TLS version or cipher",
              "Client and server share no TLS version or cipher suite.",
              "Align the listener's security policy with what clients support (TLS 1.2+ with modern ciphers)."},
    CauseInfo{"tls_handshake_eof", S::tls, "Connection closed during TLS handshake",
              "The peer closed or reset during the handshake: a PROXY protocol header expected, a filter, or a "
              "non-TLS service.",
              "Check whether the target expects a PROXY protocol header, and that this port serves TLS.",
              kHandshakeEofFixes, kHandshakeEofRefs},
    CauseInfo{"tls_handshake_timeout", S::tls, "TLS handshake timed out",
              "The TLS handshake did not finish in time.",
              "Check that the port serves TLS and that nothing waits for a PROXY protocol header first."},
    CauseInfo{"plaintext_to_tls_port", S::upgrade, "Plain ws:// sent to a TLS port",
              "ws:// was sent to a port that speaks TLS (a TLS alert, the 'plain HTTP request was sent to HTTPS "
              "port' page, or a silent close).",
              "Use wss:// for this port, or point ws:// at the plaintext port.",
              {}, kPlainToTlsRefs, C::certain, kPlainToTlsRows},
    CauseInfo{"tls_terminated_twice", S::upgrade, "TLS terminated twice",
              "The edge terminated TLS, then the backend expected TLS again: e.g. an NLB TLS listener forwarding to "
              "a target that serves wss.",
              "Make the target group protocol TLS, or serve plain ws on the target port, or use a TCP listener and "
              "let the target terminate TLS.",
              kTwiceFixes, kTwiceRefs, C::certain, kTwiceRows},
    CauseInfo{"http2_only_endpoint", S::upgrade, "HTTP/2-only endpoint",
              "The server only speaks HTTP/2 and drops an HTTP/1.1 Upgrade (RFC 8441 needed).",
              "Enable HTTP/1.1 on the listener (ALPN http/1.1), or use RFC 8441 WebSockets over h2.",
              kH2OnlyFixes, kH2OnlyRefs, C::certain, kH2OnlyRows},
    CauseInfo{"upgrade_headers_stripped", S::upgrade, "Upgrade headers stripped by a proxy",
              "An L7 proxy did not forward Upgrade/Connection (nginx without proxy_set_header, an HTTP-mode classic "
              "ELB): the backend answered 400/426/200.",
              "nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "
              "$connection_upgrade. Classic ELB: use a TCP/SSL listener.",
              kStrippedFixes, kStrippedRefs, C::certain, kStrippedRows},
    CauseInfo{"proxy_protocol_unexpected", S::upgrade, "Unexpected PROXY protocol header",
              "A PROXY protocol header reached a target that does not parse it.",
              "Enable PROXY protocol on the target (nginx: listen ... proxy_protocol) or disable it on the load "
              "balancer's target group.",
              kPpUnexpectedFixes, kPpUnexpectedRefs, C::likely, kPpUnexpectedRows},
    CauseInfo{"proxy_protocol_missing", S::upgrade, "PROXY protocol header missing",
              "The target requires a PROXY protocol header that nothing sends.",
              "Enable PROXY protocol on the load balancer (NLB target group attribute), or disable it on the target.",
              kPpMissingFixes, kPpMissingRefs, C::likely, kPpMissingRows},
    CauseInfo{"backend_unavailable", S::upgrade, "Backend unavailable behind the proxy",
              "The proxy answered 502/503/504 itself: no healthy backend, or the backend refused or timed out.",
              "Check the target group's health, security groups between LB and targets, and backend timeouts.",
              kBackendFixes, kBackendRefs, C::certain, kBackendRows},
    CauseInfo{"upgrade_rejected_auth", S::upgrade, "Upgrade rejected (auth, Origin or WAF)",
              "401/403/407: credentials, an Origin check, a WAF, or an L7 proxy without WebSocket enabled.",
              "Pass credentials (-H 'Authorization: ...'), the expected --origin, or allow the path in the WAF / "
              "enable WebSocket upgrades on the proxy.",
              kAuthFixes, kAuthRefs, C::certain, kAuthRows},
    CauseInfo{"upgrade_path_not_found", S::upgrade, "WebSocket path not found",
              "404/405 on this path while the host answers.", "Check the URL path and the proxy's routing rules."},
    CauseInfo{"not_websocket_endpoint", S::upgrade, "Not a WebSocket endpoint",
              "An ordinary 2xx/3xx HTTP response: the endpoint is not a WebSocket endpoint.",
              "Check the path; follow a redirect by hand if it points to the right place."},
    CauseInfo{"upgrade_declined", S::upgrade, "Upgrade declined",
              "The server answered the upgrade with a status other than 101.",
              "Read the status and body for the server's reason.",
              kDeclinedFixes, kDeclinedRefs, C::certain, kDeclinedRows},
    CauseInfo{"alb_target_group_incompatible", S::upgrade, "ALB target group cannot carry WebSockets",
              "An AWS ALB answered 464: the HTTP/1.1 upgrade went to a target group whose protocol version is HTTP2 "
              "or gRPC, which cannot carry it.",
              "Route the WebSocket path to a target group with protocol version HTTP1 and instance or IP targets "
              "(Lambda targets do not support WebSockets either).",
              kTgFixes, kTgRefs, C::certain, kTgRows},
    CauseInfo{"upgrade_not_http", S::upgrade, "Reply is not HTTP",
              "The server answered the upgrade request with bytes that are not an HTTP response (a banner, another "
              "protocol, garbage): something other than an HTTP server listens on this port, or a proxy corrupts "
              "the reply.",
              "Check what listens on the port (the first bytes are in the evidence) and the LB's target port and "
              "protocol."},
    CauseInfo{"request_too_large", S::upgrade, "Request too large",
              "The upgrade request was refused for its size: 414 (URI too long), 431 (header fields too large), or "
              "400 to a request head above the common limits (nginx 8 KiB per header line, Node.js 16 KiB).",
              "Shorten the URL or the headers (cookies, tokens), or raise the limit: nginx "
              "large_client_header_buffers, Node.js --max-http-header-size, HAProxy tune.bufsize, Apache "
              "LimitRequestLine / LimitRequestFieldSize."},
    CauseInfo{"upgrade_bad_accept", S::upgrade, "Wrong Sec-WebSocket-Accept",
              "The 101 carries a wrong or missing Sec-WebSocket-Accept (RFC 6455 §4.1).",
              "Fix the server (or the proxy rewriting headers) to compute the Accept key from the request's key."},
    CauseInfo{"upgrade_protocol_violation", S::upgrade, "Invalid 101 response",
              "The 101's Upgrade/Connection tokens, subprotocol or extensions are not as offered (RFC 6455 §4.1), "
              "or its head never ends within wsprobe's 16 KiB bound.",
              "Fix the server or the proxy that rewrites the handshake."},
    CauseInfo{"upgrade_timeout", S::upgrade, "No answer to the upgrade",
              "No complete response to the upgrade request in time.",
              "Check the backend's health and the proxy's timeouts; a PROXY protocol or TLS mismatch can also hold "
              "the connection silent."},
    CauseInfo{"upgrade_eof", S::upgrade, "Connection closed without an answer",
              "The connection closed with no response bytes and no better explanation.",
              "Check the backend's logs; TLS or PROXY protocol mismatches between the LB and the target look like "
              "this.",
              kUpgradeEofFixes, kUpgradeEofRefs, C::possible, kUpgradeEofRows},
    CauseInfo{"echo_not_echoed", S::echo, "Messages not echoed",
              "Messages were accepted but nothing came back: not an echo endpoint. Pings may still work.",
              "Use --echo off for endpoints that do not echo, or probe an echo path."},
    CauseInfo{"echo_mismatch", S::echo, "Echo differs from the message",
              "A reply came back but differs from what was sent.",
              "Check the server's echo logic, or an intermediary that rewrites frames."},
    CauseInfo{"ping_unanswered", S::echo, "Ping not answered",
              "No pong came back to a ping (RFC 6455 §5.5.2 requires one).",
              "Check the server's ping handling and any proxy that filters control frames."},
    CauseInfo{"ws_protocol_violation", S::echo, "WebSocket protocol violation",
              "After the 101 the server sent frames that break RFC 6455: masked, reserved bits or opcodes, "
              "oversized or fragmented control frames, a text message or close reason that is not UTF-8, a close "
              "code that may not be sent, or frames after its close frame.",
              "Fix the server, or the intermediary that rewrites frames; check that no extension is applied "
              "without being negotiated."},
    CauseInfo{"ws_frame_flood", S::echo, "Frame flood",
              "The server sent unsolicited control frames (pings, pongs) faster than any real server does, or a "
              "message in endless fragments: wsprobe stopped reading at its bound instead of answering forever.",
              "Fix the server's (or the intermediary's) ping logic; a keepalive every few seconds is plenty."},
    CauseInfo{"message_too_large", S::echo, "Message too large",
              "Larger messages are refused (close 1009) or the connection drops above a size.",
              "Raise the server's or proxy's message size limit, or split messages.",
              kTooLargeFixes, kTooLargeRefs, C::certain, kTooLargeRows},
    CauseInfo{"closed_by_peer", S::echo, "Closed by the server",
              "The server closed the connection during the probe.",
              "Read the close code and reason; check the server's and the proxy's logs.",
              kClosedFixes, kClosedRefs, C::certain, kClosedRows},
    CauseInfo{"idle_timeout", S::hold, "Idle connection cut",
              "An idle connection was cut by the server or an intermediary.",
              "Send pings more often than the shortest idle timeout on the path, or raise the timeout.",
              kIdleFixes, kIdleRefs, C::certain, kIdleRows},
    CauseInfo{"echo_expect_failed", S::echo, "Reply did not match --expect",
              "The endpoint answered, but no reply matched the --expect pattern: the application-level check failed.",
              "Check what the application answers to this message (the report shows the last reply), or adjust "
              "--message / --expect."},
    CauseInfo{"close_unclean", S::close, "Close handshake incomplete",
              "The close handshake did not complete (RFC 6455 §7.1.1).",
              "Check that the server answers a close frame and then closes TCP."},
    // Warnings: degraded, not failed.
    CauseInfo{"tls_cert_expiring", S::tls, "Certificate expires soon",
              "The certificate is valid but expires soon.", "Renew the certificate before it expires."},
    CauseInfo{"tls_verification_disabled", S::tls, "Certificate verification disabled",
              "-k/--insecure was given: the certificate was not verified, so this run proves nothing about trust.",
              "Drop -k, or pass the private CA with --cacert."},
    CauseInfo{"echo_not_echo_endpoint", S::echo, "Not an echo endpoint",
              "Messages were accepted but not echoed: this endpoint does not echo (informational).",
              "Nothing, unless this endpoint should echo; --echo require makes this a failure."},
    CauseInfo{"compression_not_negotiated", S::upgrade, "Compression not negotiated",
              "--compress offered permessage-deflate, but the 101 did not accept it: messages travel uncompressed "
              "(informational).",
              "Enable permessage-deflate on the server if compression is wanted; some proxies strip "
              "Sec-WebSocket-Extensions."},
    CauseInfo{"latency_high", S::echo, "Round trips slower than --max-latency",
              "Ping or echo round trips were slower than --max-latency allows (the finding names the figure, both "
              "times and the sample count), or none was measured to check the limit against.",
              "Find where the time goes (distance to the edge, a loaded server or proxy, buffering on the path), or "
              "raise the limit if it was too tight."},
    CauseInfo{"idle_timeout_short", S::hold, "Short idle timeout",
              "The idle timeout on the path is shorter than expected.", "Raise the idle timeout or ping more often.",
              kIdleFixes, kIdleRefs, C::certain, kIdleRows},
    // Assertions a CI job set (issue 6): warnings that --fail-on warn turns into failures.
    CauseInfo{"stage_slow", S::tcp, "Stage slower than allowed",
              "A stage took longer than its --max-stage limit (the finding names the stage and both times).",
              "Find where the time goes in that stage (DNS resolver, distance to the edge, TLS session reuse, "
              "backend load), or raise the limit if it was too tight."},
    CauseInfo{"cert_lifetime_short", S::tls, "Certificate expires before --min-cert-days",
              "The certificate expires sooner than --min-cert-days allows (or, under -k, has expired), or no "
              "certificate was seen to check it.",
              "Renew the certificate, and check that automatic renewal (ACME, ACM) runs for this name."},
    CauseInfo{"subprotocol_unexpected", S::upgrade, "Server did not pick the expected subprotocol",
              "The 101 chose another subprotocol than --expect-subprotocol names, or none, although wsprobe "
              "offered it.",
              "Check that the server supports the subprotocol and that no proxy strips Sec-WebSocket-Protocol."},
    CauseInfo{"status_unexpected", S::upgrade, "Upgrade answered another status than expected",
              "The upgrade was answered with another status than --expect-status names: a refusal where a 101 was "
              "expected, or a 101 where a refusal (401, 403) was.",
              "Check the endpoint's authentication and routing: the status shows what it did instead."},
    CauseInfo{"run_deadline_exceeded", S::dns, "Not probed before the run's --deadline",
              "The run's overall --deadline passed before this target was probed or finished.",
              "Raise --deadline, probe more targets at once with -j, or lower the per-target --timeout."},
    CauseInfo{"run_interrupted", S::dns, "wsprobe was interrupted",
              "wsprobe was stopped by SIGINT or SIGTERM before this probe finished: what ran is reported as seen, "
              "the rest was not checked. Not a verdict on the endpoint.",
              "Give the run the time it needs (--timeout plus any --hold) before the job's or the pod's deadline "
              "sends SIGTERM, or set --deadline shorter than that deadline so the run ends on time with a verdict."},
    // Clock integrity (issue 12): a stage clock that includes wsprobe's own lateness.
    CauseInfo{"probe_clock_contaminated", std::nullopt, "Timings include wsprobe's own delays",
              "While a stage's clock ran, wsprobe's event loop ran late (busy with other targets' handshakes on the "
              "same thread, or the machine was busy): part of that stage's time is wsprobe's, not the path's "
              "(informational).",
              "Probe fewer targets at once (a lower -j; about 8 per core for wss://) or on a less loaded machine "
              "before comparing these times, or gating on them with --max-stage or --max-latency."},
    // --hold with --hold-ping (issue 5): what the pinged hold and its silent companion show together.
    CauseInfo{"keepalive_interval_safe", S::hold, "Largest safe keepalive interval",
              "The hold ran twice side by side, with keepalives and silent: how long the silent connection lived "
              "bounds the keepalive interval that keeps a connection up on this path (informational).",
              "Send keepalives (WebSocket pings, or application messages where an idle timer ignores pings) at "
              "this interval or more often, or raise the idle timeout on the path."},
};

}  // namespace

std::span<const CauseInfo> cause_catalogue() { return kCauses; }

const CauseInfo* find_cause(std::string_view id) {
  for (const auto& cause : kCauses)
    if (cause.id == id) return &cause;
  return nullptr;
}

namespace {
bool names_vendor(const std::vector<Fingerprint>& fingerprints, std::string_view label) {
  for (const auto& fingerprint : fingerprints) {
    const auto vendors = vendors_of(fingerprint.name);
    if (std::find(vendors.begin(), vendors.end(), label) != vendors.end()) return true;
  }
  return false;
}
}  // namespace

std::vector<std::string> fixes_for(const CauseInfo& cause, const std::vector<Fingerprint>& fingerprints) {
  std::vector<std::string> out;
  if (!cause.fix.empty()) out.emplace_back(cause.fix);
  auto vendor = matching_vendor_fixes(cause, fingerprints);
  if (vendor.empty())
    for (const auto& fix : cause.vendor_fixes) vendor.push_back(std::string(fix.vendor) + ": " + std::string(fix.fix));
  out.insert(out.end(), vendor.begin(), vendor.end());
  return out;
}

std::vector<std::string> matching_vendor_fixes(const CauseInfo& cause, const std::vector<Fingerprint>& fingerprints) {
  std::vector<std::string> out;
  for (const auto& fix : cause.vendor_fixes)
    if (names_vendor(fingerprints, fix.vendor)) out.push_back(std::string(fix.vendor) + ": " + std::string(fix.fix));
  return out;
}

Confidence capped_confidence(Confidence confidence, const CauseInfo& cause) {
  // The enum runs from the strongest (certain) to the weakest (possible).
  return static_cast<int>(confidence) < static_cast<int>(cause.confidence_ceiling) ? cause.confidence_ceiling
                                                                                    : confidence;
}

}  // namespace wsprobe

#include "checks/catalogue.hpp"

#include <array>

namespace wsprobe {
namespace {

using S = Stage;

// One entry per id in ../shared/diagnosis/causes.md, in its order, then the warnings.
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
              "http_upgrade_request_protocols)."},
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
              "balancer."},
    CauseInfo{"tcp_unreachable", S::tcp, "Host or network unreachable",
              "An ICMP host or network unreachable came back, or there is no route.",
              "Check routing from this host, VPN / peering, and the address."},
    CauseInfo{"lb_node_partial_failure", S::tcp, "Some load balancer nodes fail",
              "Some resolved addresses (LB nodes or zones) fail while others work.",
              "Check each zone has healthy targets (or enable cross-zone load balancing); remove stale addresses."},
    CauseInfo{"tls_to_plaintext_port", S::tls, "TLS sent to a plaintext port",
              "The port answered the TLS ClientHello with plaintext (e.g. HTTP/1.1 400): TLS is terminated nowhere "
              "on this path.",
              "Use ws:// for this port, or terminate TLS on the listener (TLS listener) or on the target."},
    CauseInfo{"tls_cert_untrusted", S::tls, "Certificate not trusted",
              "The certificate chain does not verify: self-signed, unknown issuer, or a missing intermediate.",
              "Serve the full chain (leaf + intermediates) from a public CA, or pass the private CA with --cacert."},
    CauseInfo{"tls_cert_expired", S::tls, "Certificate expired",
              "The certificate has expired or is not yet valid.", "Renew the certificate and deploy it to the listener."},
    CauseInfo{"tls_cert_hostname_mismatch", S::tls, "Certificate does not cover the host",
              "The certificate's names (SAN) do not include the host name used.",
              "Issue a certificate whose SAN covers this host, or use the name the certificate covers."},
    CauseInfo{"tls_alpn_no_overlap", S::tls, "No common ALPN protocol",
              "The server refused every offered ALPN protocol (alert 120): an HTTP/2-only endpoint.",
              "Add http/1.1 to the server's ALPN list, or use a client that speaks RFC 8441 over h2."},
    CauseInfo{"tls_sni_required", S::tls, "Server needs SNI",
              "The server needs SNI, or serves a default certificate without it.", "Always send SNI = the URL's host."},
    CauseInfo{"tls_client_cert_required", S::tls, "Client certificate required",
              "The server requires a client certificate, or rejected the one given.",
              "Pass a client certificate the server trusts (--cert/--key), or turn off mTLS on this listener."},
    CauseInfo{"tls_version_mismatch", S::tls, "No common TLS version or cipher",
              "Client and server share no TLS version or cipher suite.",
              "Align the listener's security policy with what clients support (TLS 1.2+ with modern ciphers)."},
    CauseInfo{"tls_handshake_eof", S::tls, "Connection closed during TLS handshake",
              "The peer closed or reset during the handshake: a PROXY protocol header expected, a filter, or a "
              "non-TLS service.",
              "Check whether the target expects a PROXY protocol header, and that this port serves TLS."},
    CauseInfo{"tls_handshake_timeout", S::tls, "TLS handshake timed out",
              "The TLS handshake did not finish in time.",
              "Check that the port serves TLS and that nothing waits for a PROXY protocol header first."},
    CauseInfo{"plaintext_to_tls_port", S::upgrade, "Plain ws:// sent to a TLS port",
              "ws:// was sent to a port that speaks TLS (a TLS alert, the 'plain HTTP request was sent to HTTPS "
              "port' page, or a silent close).",
              "Use wss:// for this port, or point ws:// at the plaintext port."},
    CauseInfo{"tls_terminated_twice", S::upgrade, "TLS terminated twice",
              "The edge terminated TLS, then the backend expected TLS again: e.g. an NLB TLS listener forwarding to "
              "a target that serves wss.",
              "Make the target group protocol TLS, or serve plain ws on the target port, or use a TCP listener and "
              "let the target terminate TLS."},
    CauseInfo{"http2_only_endpoint", S::upgrade, "HTTP/2-only endpoint",
              "The server only speaks HTTP/2 and drops an HTTP/1.1 Upgrade (RFC 8441 needed).",
              "Enable HTTP/1.1 on the listener (ALPN http/1.1), or use RFC 8441 WebSockets over h2."},
    CauseInfo{"upgrade_headers_stripped", S::upgrade, "Upgrade headers stripped by a proxy",
              "An L7 proxy did not forward Upgrade/Connection (nginx without proxy_set_header, an HTTP-mode classic "
              "ELB): the backend answered 400/426/200.",
              "nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "
              "$connection_upgrade. Classic ELB: use a TCP/SSL listener."},
    CauseInfo{"proxy_protocol_unexpected", S::upgrade, "Unexpected PROXY protocol header",
              "A PROXY protocol header reached a target that does not parse it.",
              "Enable PROXY protocol on the target (nginx: listen ... proxy_protocol) or disable it on the load "
              "balancer's target group."},
    CauseInfo{"proxy_protocol_missing", S::upgrade, "PROXY protocol header missing",
              "The target requires a PROXY protocol header that nothing sends.",
              "Enable PROXY protocol on the load balancer (NLB target group attribute), or disable it on the target."},
    CauseInfo{"backend_unavailable", S::upgrade, "Backend unavailable behind the proxy",
              "The proxy answered 502/503/504 itself: no healthy backend, or the backend refused or timed out.",
              "Check the target group's health, security groups between LB and targets, and backend timeouts."},
    CauseInfo{"upgrade_rejected_auth", S::upgrade, "Upgrade rejected (auth, Origin or WAF)",
              "401/403/407: credentials, an Origin check, a WAF, or an L7 proxy without WebSocket enabled.",
              "Pass credentials (-H 'Authorization: ...'), the expected --origin, or allow the path in the WAF / "
              "enable WebSocket upgrades on the proxy."},
    CauseInfo{"upgrade_path_not_found", S::upgrade, "WebSocket path not found",
              "404/405 on this path while the host answers.", "Check the URL path and the proxy's routing rules."},
    CauseInfo{"not_websocket_endpoint", S::upgrade, "Not a WebSocket endpoint",
              "An ordinary 2xx/3xx HTTP response: the endpoint is not a WebSocket endpoint.",
              "Check the path; follow a redirect by hand if it points to the right place."},
    CauseInfo{"upgrade_declined", S::upgrade, "Upgrade declined",
              "The server answered the upgrade with a status other than 101.",
              "Read the status and body for the server's reason."},
    CauseInfo{"upgrade_bad_accept", S::upgrade, "Wrong Sec-WebSocket-Accept",
              "The 101 carries a wrong or missing Sec-WebSocket-Accept (RFC 6455 §4.1).",
              "Fix the server (or the proxy rewriting headers) to compute the Accept key from the request's key."},
    CauseInfo{"upgrade_protocol_violation", S::upgrade, "Invalid 101 response",
              "The 101's Upgrade/Connection tokens, subprotocol or extensions are not as offered (RFC 6455 §4.1).",
              "Fix the server or the proxy that rewrites the handshake."},
    CauseInfo{"upgrade_timeout", S::upgrade, "No answer to the upgrade",
              "No complete response to the upgrade request in time.",
              "Check the backend's health and the proxy's timeouts; a PROXY protocol or TLS mismatch can also hold "
              "the connection silent."},
    CauseInfo{"upgrade_eof", S::upgrade, "Connection closed without an answer",
              "The connection closed with no response bytes and no better explanation.",
              "Check the backend's logs; TLS or PROXY protocol mismatches between the LB and the target look like "
              "this."},
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
              "After the 101 the server sent frames that break RFC 6455 (masked, reserved bits or opcodes, "
              "oversized control frames).",
              "Fix the server, or the intermediary that rewrites frames; check that no extension is applied "
              "without being negotiated."},
    CauseInfo{"message_too_large", S::echo, "Message too large",
              "Larger messages are refused (close 1009) or the connection drops above a size.",
              "Raise the server's or proxy's message size limit, or split messages."},
    CauseInfo{"closed_by_peer", S::echo, "Closed by the server",
              "The server closed the connection during the probe.",
              "Read the close code and reason; check the server's and the proxy's logs."},
    CauseInfo{"idle_timeout", S::hold, "Idle connection cut",
              "An idle connection was cut by the server or an intermediary.",
              "Send pings more often than the shortest idle timeout on the path, or raise the timeout."},
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
    CauseInfo{"latency_high", S::echo, "High latency", "Round-trip times are above the threshold.",
              "Check the path and the server's load."},
    CauseInfo{"idle_timeout_short", S::hold, "Short idle timeout",
              "The idle timeout on the path is shorter than expected.", "Raise the idle timeout or ping more often."},
};

}  // namespace

std::span<const CauseInfo> cause_catalogue() { return kCauses; }

const CauseInfo* find_cause(std::string_view id) {
  for (const auto& cause : kCauses)
    if (cause.id == id) return &cause;
  return nullptr;
}

}  // namespace wsprobe

#include "support/rule_scenarios.hpp"

#include "support/result_builder.hpp"
#include "wire/hex.hpp"

namespace wsprobe::testing {
namespace {

using std::chrono::microseconds;

const std::string kEdge = "client to edge";
const std::string kBackend = "edge to backend";
const std::string kResolver = "client to resolver";

// nginx's 400 page when plaintext HTTP reaches a TLS listener (ngx_http_special_response.c).
const std::string kNginxPlainToHttps =
    "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n"
    "<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

// gorilla/websocket's answer when a proxy dropped Connection: Upgrade.
const std::string kGorillaNoUpgrade =
    "Bad Request\nwebsocket: not a websocket handshake: 'upgrade' token not found in 'Connection' header\n";

// A fatal TLS alert record: alert(21), TLS 1.2, length 2, fatal, handshake_failure(40).
const std::string kTlsAlertRecord = "15 03 03 00 02 02 28";

std::function<TargetResult()> dns(Condition condition, std::string detail) {
  return [=] { return failed_at(Scheme::ws, Stage::dns, condition, detail); };
}

std::function<TargetResult()> tcp(Condition condition, std::string detail) {
  return [=] { return failed_at(Scheme::ws, Stage::tcp, condition, detail); };
}

std::function<TargetResult()> verify_failed(long code, std::string error) {
  return [=] {
    auto r = failed_at(Scheme::wss, Stage::tls, Condition::tls_verify_failed, "certificate verify failed");
    auto& tls = *r.observed.tls;
    tls.verify_result = code;
    tls.verify_error = error;
    tls.openssl_error = "error:0A000086:SSL routines::certificate verify failed";
    tls.peer_chain = healthy(Scheme::wss).observed.tls->peer_chain;
    return r;
  };
}

std::function<TargetResult()> alert(int description, std::string text) {
  return [=] {
    auto r = failed_at(Scheme::wss, Stage::tls, Condition::tls_failure, text);
    r.observed.tls->alert_received = description;
    r.observed.tls->openssl_error = text;
    return r;
  };
}

std::function<TargetResult()> status(int code, std::string reason, std::string body = "",
                                     Scheme scheme = Scheme::wss) {
  return [=] { return rejected_upgrade(scheme, code, reason, body); };
}

std::function<TargetResult()> not_http(Scheme scheme, std::string first_bytes_hex) {
  return [=] {
    auto r = failed_at(scheme, Stage::upgrade, Condition::not_http, "reply is not HTTP");
    auto& u = *r.observed.upgrade;
    u.first_bytes_hex = first_bytes_hex;
    u.bytes_received = (first_bytes_hex.size() + 1) / 3;
    return r;
  };
}

// A 101 whose headers break RFC 6455 §4.1, as validate_101 reports them.
std::function<TargetResult()> bad_101(std::optional<std::string> accept, std::optional<std::string> subprotocol,
                                      std::string violation) {
  return [=] {
    auto r = failed_at(Scheme::wss, Stage::upgrade, Condition::protocol_violation, violation);
    auto& u = *r.observed.upgrade;
    u.status_line = "HTTP/1.1 101 Switching Protocols";
    u.status_code = 101;
    u.headers = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}};
    if (accept) u.headers.push_back({"Sec-WebSocket-Accept", *accept});
    if (subprotocol) u.headers.push_back({"Sec-WebSocket-Protocol", *subprotocol});
    u.accept = accept;
    u.subprotocol = subprotocol;
    u.violations = {violation};
    u.bytes_received = 160;
    return r;
  };
}

std::function<TargetResult()> echo(Condition condition, std::string detail,
                                   std::function<void(EchoObservation&)> fill = {}) {
  return [=] {
    auto r = failed_at(Scheme::wss, Stage::echo, condition, detail);
    if (fill) fill(*r.observed.echo);
    return r;
  };
}

std::function<TargetResult()> closed_with(std::uint16_t code, std::string reason) {
  return echo(Condition::closed_by_peer, "server sent close " + std::to_string(code), [=](EchoObservation& e) {
    e.ping_rtts = {microseconds(8000)};
    e.peer_close = CloseFrame{code, reason};
    e.connection_end = Condition::eof;
  });
}

}  // namespace

std::vector<RuleScenario> rule_scenarios() {
  using VS = VerdictStatus;
  const auto wss = Scheme::wss;
  const auto ws = Scheme::ws;
  return {
      // dns
      {"dns: NXDOMAIN", dns(Condition::dns_nxdomain, "Domain name not found"), VS::fail, Stage::dns, "dns_nxdomain",
       kResolver},
      {"dns: no address of the family", dns(Condition::dns_no_address, "No data record of requested type"), VS::fail,
       Stage::dns, "dns_no_address", kResolver},
      {"dns: resolver timeout", dns(Condition::dns_timeout, "Timeout while contacting DNS servers"), VS::fail,
       Stage::dns, "dns_timeout", kResolver},
      {"dns: SERVFAIL", dns(Condition::dns_failure, "Server failure"), VS::fail, Stage::dns, "dns_failure", kResolver},

      // tcp
      {"tcp: refused", tcp(Condition::connect_refused, "Connection refused"), VS::fail, Stage::tcp, "tcp_refused",
       kEdge},
      {"tcp: timeout", tcp(Condition::connect_timeout, "no answer to SYN"), VS::fail, Stage::tcp, "tcp_timeout",
       kEdge},
      {"tcp: unreachable", tcp(Condition::unreachable, "No route to host"), VS::fail, Stage::tcp, "tcp_unreachable",
       kEdge},

      // tls
      {"tls: HTTP where a TLS record belongs",
       [] {
         auto r = failed_at(Scheme::wss, Stage::tls, Condition::not_tls, "wrong version number");
         r.observed.tls->first_bytes_hex = to_hex("HTTP/1.1 400 Bad Request\r\n");
         r.observed.tls->openssl_error = "error:0A00010B:SSL routines::wrong version number";
         return r;
       },
       VS::fail, Stage::tls, "tls_to_plaintext_port", kEdge},
      {"tls: certificate expired (10)", verify_failed(10, "certificate has expired"), VS::fail, Stage::tls,
       "tls_cert_expired", kEdge},
      {"tls: hostname mismatch (62)", verify_failed(62, "hostname mismatch"), VS::fail, Stage::tls,
       "tls_cert_hostname_mismatch", kEdge},
      {"tls: self-signed leaf (18)", verify_failed(18, "self-signed certificate"), VS::fail, Stage::tls,
       "tls_cert_untrusted", kEdge, "self-signed", "intermediate"},
      {"tls: unknown issuer (20)", verify_failed(20, "unable to get local issuer certificate"), VS::fail, Stage::tls,
       "tls_cert_untrusted", kEdge, "issuer is unknown"},
      {"tls: leaf only, intermediate missing (21)", verify_failed(21, "unable to verify the first certificate"),
       VS::fail, Stage::tls, "tls_cert_untrusted", kEdge, "intermediate is missing", "self-signed"},
      {"tls: alert 120 no_application_protocol", alert(120, "tlsv1 alert no application protocol"), VS::fail,
       Stage::tls, "tls_alpn_no_overlap", kEdge},
      {"tls: alert 112 unrecognized_name", alert(112, "tlsv1 unrecognized name"), VS::fail, Stage::tls,
       "tls_sni_required", kEdge},
      {"tls: alert 116 certificate_required", alert(116, "tlsv13 alert certificate required"), VS::fail, Stage::tls,
       "tls_client_cert_required", kEdge},
      {"tls: alert 70 protocol_version", alert(70, "tlsv1 alert protocol version"), VS::fail, Stage::tls,
       "tls_version_mismatch", kEdge},
      {"tls: alert 40 after a CertificateRequest (TLS 1.2 mTLS)",
       [] {
         auto r = alert(40, "sslv3 alert handshake failure")();
         r.observed.tls->certificate_requested = true;
         r.observed.tls->version = "TLSv1.2";
         return r;
       },
       VS::fail, Stage::tls, "tls_client_cert_required", kEdge},
      {"tls: alert 40 to a ClientHello with SNI, no ServerHello", alert(40, "sslv3 alert handshake failure"),
       VS::fail, Stage::tls, "tls_version_mismatch", kEdge},
      {"upgrade: TLS 1.3 alert 116 after the handshake (mTLS)",
       [] {
         auto r = failed_at(Scheme::wss, Stage::upgrade, Condition::tls_failure,
                            "no response bytes (tlsv13 alert certificate required)");
         r.observed.tls->certificate_requested = true;
         r.observed.tls->alert_received_after_handshake = 116;
         return r;
       },
       VS::fail, Stage::tls, "tls_client_cert_required", kEdge},
      {"tls: peer closed during the handshake",
       [] { return failed_at(Scheme::wss, Stage::tls, Condition::eof, "unexpected eof while reading"); }, VS::fail,
       Stage::tls, "tls_handshake_eof", kEdge},
      {"tls: handshake timeout",
       [] { return failed_at(Scheme::wss, Stage::tls, Condition::timeout, "no ServerHello within 5000 ms"); },
       VS::fail, Stage::tls, "tls_handshake_timeout", kEdge},

      // upgrade: the status and body
      {"upgrade: 403", status(403, "Forbidden"), VS::fail, Stage::upgrade, "upgrade_rejected_auth"},
      {"upgrade: 401", status(401, "Unauthorized"), VS::fail, Stage::upgrade, "upgrade_rejected_auth"},
      {"upgrade: 404", status(404, "Not Found"), VS::fail, Stage::upgrade, "upgrade_path_not_found"},
      {"upgrade: 502", status(502, "Bad Gateway"), VS::fail, Stage::upgrade, "backend_unavailable", kBackend},
      {"upgrade: 503", status(503, "Service Temporarily Unavailable"), VS::fail, Stage::upgrade,
       "backend_unavailable", kBackend},
      {"upgrade: 504", status(504, "Gateway Time-out"), VS::fail, Stage::upgrade, "backend_unavailable", kBackend},
      {"upgrade: nginx 400 No required SSL certificate was sent",
       status(400, "Bad Request",
              "<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n"
              "<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>"
              "\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
              wss),
       VS::fail, Stage::tls, "tls_client_cert_required", kEdge},
      {"upgrade: ALB 464 to an HTTP2/gRPC target group", status(464, ""), VS::fail, Stage::upgrade,
       "alb_target_group_incompatible", kBackend},
      {"upgrade: 200", status(200, "OK", "<html>hello</html>"), VS::fail, Stage::upgrade, "not_websocket_endpoint"},
      {"upgrade: nginx plain-HTTP-to-HTTPS page over wss", status(400, "Bad Request", kNginxPlainToHttps, wss),
       VS::fail, Stage::upgrade, "tls_terminated_twice", kBackend},
      {"upgrade: nginx plain-HTTP-to-HTTPS page over ws", status(400, "Bad Request", kNginxPlainToHttps, ws),
       VS::fail, Stage::upgrade, "plaintext_to_tls_port", kEdge},
      {"upgrade: TLS alert record in reply to ws://", not_http(ws, kTlsAlertRecord), VS::fail, Stage::upgrade,
       "plaintext_to_tls_port", kEdge},
      {"upgrade: TLS alert record in reply over wss", not_http(wss, kTlsAlertRecord), VS::fail, Stage::upgrade,
       "tls_terminated_twice", kBackend},
      {"upgrade: reply is neither HTTP nor TLS", not_http(ws, to_hex("SSH-2.0-OpenSSH_9.6\r\n")), VS::fail,
       Stage::upgrade, "upgrade_not_http", std::nullopt, "not an HTTP response"},
      {"upgrade: 426", status(426, "Upgrade Required", "Upgrade Required"), VS::fail, Stage::upgrade,
       "upgrade_headers_stripped", kBackend},
      {"upgrade: 400 from gorilla, Connection token lost", status(400, "Bad Request", kGorillaNoUpgrade), VS::fail,
       Stage::upgrade, "upgrade_headers_stripped", kBackend},
      {"upgrade: 400 from Beast, Connection lacks the upgrade token",
       status(400, "Bad Request", "The WebSocket handshake Connection field is missing the upgrade token"), VS::fail,
       Stage::upgrade, "upgrade_headers_stripped", kBackend},
      {"upgrade: 400 from gorilla's default error, Sec-WebSocket-Version 13",
       [] {
         auto r = rejected_upgrade(Scheme::wss, 400, "Bad Request", "Bad Request\n");
         r.observed.upgrade->headers.push_back({"Sec-Websocket-Version", "13"});
         return r;
       },
       VS::fail, Stage::upgrade, "upgrade_headers_stripped", kBackend},
      {"upgrade: 418", status(418, "I'm a teapot"), VS::fail, Stage::upgrade, "upgrade_declined"},
      {"upgrade: 400 with no known body", status(400, "Bad Request", "bad request"), VS::fail, Stage::upgrade,
       "upgrade_declined"},

      // upgrade: the 101
      {"upgrade: 101 with a wrong accept",
       bad_101("dGhpcyBpcyBub3QgdGhlIGFjY2VwdA==", std::nullopt,
               "Sec-WebSocket-Accept is 'dGhpcyBpcyBub3QgdGhlIGFjY2VwdA==', expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='"),
       VS::fail, Stage::upgrade, "upgrade_bad_accept"},
      {"upgrade: 101 without accept", bad_101(std::nullopt, std::nullopt, "Sec-WebSocket-Accept is missing"),
       VS::fail, Stage::upgrade, "upgrade_bad_accept"},
      {"upgrade: 101 with an unoffered subprotocol",
       bad_101(std::string(kAccept), "chat", "server selected subprotocol 'chat' that was not offered"), VS::fail,
       Stage::upgrade, "upgrade_protocol_violation"},

      // upgrade: silence and closes
      {"upgrade: timeout",
       [] { return failed_at(Scheme::wss, Stage::upgrade, Condition::timeout, "no response within 5000 ms"); },
       VS::fail, Stage::upgrade, "upgrade_timeout"},
      {"upgrade: closed with 0 bytes",
       [] {
         auto r = failed_at(Scheme::wss, Stage::upgrade, Condition::eof, "no response bytes (End of file)");
         r.observed.upgrade->connection_end = Condition::eof;
         return r;
       },
       VS::fail, Stage::upgrade, "upgrade_eof"},

      // echo
      {"echo: ping unanswered",
       echo(Condition::ping_unanswered, "no pong to ping 1 within the echo budget",
            [](EchoObservation& e) { e.ping_rtts = {std::nullopt}; }),
       VS::fail, Stage::echo, "ping_unanswered"},
      {"echo: messages not echoed (--echo require)",
       echo(Condition::not_echoed, "no reply to message 1",
            [](EchoObservation& e) {
              e.mode = EchoMode::require;
              e.ping_rtts.assign(5, microseconds(8000));
              e.messages = {{32, std::nullopt, EchoMessage::Outcome::no_reply}};
              e.echo_endpoint = false;
            }),
       VS::fail, Stage::echo, "echo_not_echoed"},
      {"echo: reply differs",
       echo(Condition::message_mismatch, "reply 1 differs",
            [](EchoObservation& e) {
              e.ping_rtts.assign(5, microseconds(8000));
              e.messages = {{32, microseconds(8000), EchoMessage::Outcome::mismatch}};
            }),
       VS::fail, Stage::echo, "echo_mismatch"},
      {"echo: close 1009 from the server", closed_with(1009, "message too big"), VS::fail, Stage::echo,
       "message_too_large"},
      {"echo: close 1011 from the server", closed_with(1011, "internal error"), VS::fail, Stage::echo,
       "closed_by_peer"},
      {"echo: masked frame from the server",
       echo(Condition::protocol_violation, "server frame is masked (RFC 6455 §5.1 forbids it)"), VS::fail,
       Stage::echo, "ws_protocol_violation"},

      // close
      {"close: no close frame back",
       [] {
         auto r = failed_at(Scheme::wss, Stage::close, Condition::close_unclean, "no close frame within 2000 ms");
         r.observed.close->tcp_end = Condition::timeout;
         return r;
       },
       VS::fail, Stage::close, "close_unclean"},

      // warnings on stages that passed
      {"warn: certificate verification disabled",
       [] {
         auto r = healthy(Scheme::wss);
         r.observed.tls->verification_enabled = false;
         r.observed.tls->verify_result = 18;
         r.observed.tls->verify_error = "self-signed certificate";
         return r;
       },
       VS::degraded, std::nullopt, "tls_verification_disabled"},
      {"warn: leaf expires in 5 days",
       [] {
         auto r = healthy(Scheme::wss);
         r.observed.tls->peer_chain.front().not_after_epoch_s = r.started_at_epoch_s + 5 * kSecondsPerDay;
         return r;
       },
       VS::degraded, std::nullopt, "tls_cert_expiring", std::nullopt, "5 days"},
      {"pass: leaf expires in 30 days",
       [] {
         auto r = healthy(Scheme::wss);
         r.observed.tls->peer_chain.front().not_after_epoch_s = r.started_at_epoch_s + 30 * kSecondsPerDay;
         return r;
       },
       VS::pass, std::nullopt, "ok"},
      {"pass: not an echo endpoint in auto mode",
       [] {
         auto r = healthy(Scheme::wss);
         auto& e = *r.observed.echo;
         e.messages = {{32, std::nullopt, EchoMessage::Outcome::no_reply}};
         e.echo_endpoint = false;
         e.echo_latency.reset();
         stage_of(r, Stage::echo).detail = "not an echo endpoint: no reply to message 1";
         return r;
       },
       VS::pass, std::nullopt, "ok"},
      {"pass: healthy wss", [] { return healthy(Scheme::wss); }, VS::pass, std::nullopt, "ok"},
      {"pass: healthy ws", [] { return healthy(Scheme::ws); }, VS::pass, std::nullopt, "ok"},
  };
}

}  // namespace wsprobe::testing

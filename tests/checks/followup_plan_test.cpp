// Which follow-up probes each ambiguous failure plans, and how the rules read what they saw.
// Synthetic results only: no socket.
#include <catch2/catch.hpp>

#include <functional>

#include "checks/followup_plan.hpp"
#include "checks/verdict.hpp"
#include "support/result_builder.hpp"
#include "wire/hex.hpp"

using namespace wsprobe;
using namespace wsprobe::testing;

namespace {

using Kinds = std::vector<FollowUpKind>;

std::string names(const Kinds& kinds) {
  std::string out;
  for (auto kind : kinds) out += (out.empty() ? "" : ", ") + std::string(to_string(kind));
  return out.empty() ? "(none)" : out;
}

TargetResult upgrade_closed(Scheme scheme, Condition end = Condition::eof) {
  auto r = failed_at(scheme, Stage::upgrade, end, "no response bytes (End of file)");
  r.observed.upgrade->connection_end = end;
  return r;
}

TargetResult upgrade_not_http(Scheme scheme, std::string first_bytes) {
  auto r = failed_at(scheme, Stage::upgrade, Condition::not_http, "reply is not HTTP");
  r.observed.upgrade->first_bytes_hex = to_hex(first_bytes);
  r.observed.upgrade->bytes_received = first_bytes.size();
  return r;
}

TargetResult tls_verify_failed(long code) {
  auto r = failed_at(Scheme::wss, Stage::tls, Condition::tls_verify_failed, "certificate verify failed");
  r.observed.tls->verify_result = code;
  r.observed.tls->verify_error = "certificate has expired";
  return r;
}

const std::string kTlsAlert{"\x15\x03\x03\x00\x02\x02\x28", 7};

struct PlanCase {
  std::string name;
  std::function<TargetResult()> make;
  Kinds expected;
};

FollowUpObservation followup(FollowUpKind kind, std::string outcome) {
  FollowUpObservation f;
  f.kind = kind;
  f.outcome = std::move(outcome);
  f.connected = true;
  return f;
}

}  // namespace

TEST_CASE("plan_followups: each ambiguous failure plans the probes that separate its look-alikes", "[checks][followup]") {
  using K = FollowUpKind;
  const std::vector<PlanCase> cases{
      {"pass, wss", [] { return healthy(Scheme::wss); }, {}},
      {"pass, ws", [] { return healthy(Scheme::ws); }, {}},
      {"dns failure", [] { return failed_at(Scheme::wss, Stage::dns, Condition::dns_nxdomain); }, {}},
      {"tcp refused", [] { return failed_at(Scheme::ws, Stage::tcp, Condition::connect_refused); }, {}},
      {"wss upgrade: 0 bytes then FIN", [] { return upgrade_closed(Scheme::wss); }, {K::tls_in_tls, K::tls_offering_h2}},
      {"wss upgrade: 0 bytes then RST", [] { return upgrade_closed(Scheme::wss, Condition::reset); },
       {K::tls_in_tls, K::tls_offering_h2}},
      {"wss upgrade: a TLS alert record back", [] { return upgrade_not_http(Scheme::wss, kTlsAlert); },
       {K::tls_in_tls, K::tls_offering_h2}},
      {"ws upgrade: 0 bytes then FIN", [] { return upgrade_closed(Scheme::ws); },
       {K::tls_on_plain_port, K::proxy_protocol_v1}},
      {"ws upgrade: a TLS alert record back", [] { return upgrade_not_http(Scheme::ws, kTlsAlert); },
       {K::tls_on_plain_port, K::proxy_protocol_v1}},
      {"ws upgrade: an SSH banner is not ambiguous", [] { return upgrade_not_http(Scheme::ws, "SSH-2.0-OpenSSH_9.6\r\n"); },
       {}},
      {"upgrade timeout", [] { return failed_at(Scheme::wss, Stage::upgrade, Condition::timeout); }, {}},
      {"wss, the TLS port answered plaintext",
       [] { return failed_at(Scheme::wss, Stage::tls, Condition::not_tls, "peer answered the ClientHello with \"HTTP/1.1 400\""); },
       {K::http_on_tls_port}},
      {"tls: certificate expired", [] { return tls_verify_failed(10); }, {K::without_verification}},
      {"tls: certificate untrusted", [] { return tls_verify_failed(20); }, {K::without_verification}},
      {"tls: alert 120", [] { return failed_at(Scheme::wss, Stage::tls, Condition::tls_failure); }, {}},
      {"upgrade 400", [] { return rejected_upgrade(Scheme::wss, 400, "Bad Request", "bad request"); }, {K::plain_get}},
      {"upgrade 426", [] { return rejected_upgrade(Scheme::ws, 426, "Upgrade Required"); }, {K::plain_get}},
      {"upgrade 403", [] { return rejected_upgrade(Scheme::wss, 403, "Forbidden"); }, {K::plain_get}},
      {"upgrade 403 with a credentials challenge",
       [] {
         auto r = rejected_upgrade(Scheme::wss, 403, "Forbidden");
         r.observed.upgrade->headers.push_back({"WWW-Authenticate", "Bearer"});
         return r;
       },
       {}},
      {"upgrade 401", [] { return rejected_upgrade(Scheme::wss, 401, "Unauthorized"); }, {}},
      {"upgrade 404", [] { return rejected_upgrade(Scheme::wss, 404, "Not Found"); }, {}},
      {"upgrade 502", [] { return rejected_upgrade(Scheme::wss, 502, "Bad Gateway"); }, {}},
      {"upgrade 400 with nginx's plain-HTTP-to-HTTPS page (already certain)",
       [] {
         return rejected_upgrade(Scheme::wss, 400, "Bad Request",
                                 "<title>400 The plain HTTP request was sent to HTTPS port</title>");
       },
       {}},
      {"echo failure", [] { return failed_at(Scheme::wss, Stage::echo, Condition::ping_unanswered); }, {}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const auto planned = plan_followups(c.make());
      CHECK(names(planned) == names(c.expected));
    }
  }
}

TEST_CASE("rules without follow-ups keep the main probe's cause", "[checks][followup]") {
  auto wss = upgrade_closed(Scheme::wss);
  diagnose(wss);
  CHECK(wss.verdict.cause == "upgrade_eof");
  auto ws = upgrade_closed(Scheme::ws);
  diagnose(ws);
  CHECK(ws.verdict.cause == "upgrade_eof");
}

TEST_CASE("tls_in_tls answered: tls_terminated_twice, certain, with the follow-up as evidence", "[checks][followup]") {
  auto r = upgrade_closed(Scheme::wss);
  auto nested = followup(FollowUpKind::tls_in_tls, "the backend answered a nested TLS ClientHello with a ServerHello");
  nested.inner_tls_answered = true;
  r.followups = {nested, followup(FollowUpKind::tls_offering_h2, "the server picked http/1.1")};
  diagnose(r);
  CHECK(r.verdict.cause == "tls_terminated_twice");
  CHECK(r.verdict.hop == std::string("edge to backend"));
  REQUIRE_FALSE(r.findings.empty());
  CHECK(r.findings.front().confidence == Confidence::certain);
  CHECK(r.findings.front().evidence.front() ==
        "follow-up tls_in_tls: the backend answered a nested TLS ClientHello with a ServerHello");
}

TEST_CASE("tls_offering_h2 picked h2: http2_only_endpoint, unless the main handshake agreed on http/1.1",
          "[checks][followup]") {
  auto r = upgrade_closed(Scheme::wss);
  auto nested = followup(FollowUpKind::tls_in_tls, "the nested ClientHello got no TLS answer");
  nested.inner_tls_answered = false;
  auto h2 = followup(FollowUpKind::tls_offering_h2, "offered h2, http/1.1: the server picked h2");
  h2.alpn = "h2";
  r.followups = {nested, h2};
  auto no_alpn = r;
  no_alpn.observed.tls->alpn.reset();
  diagnose(no_alpn);
  CHECK(no_alpn.verdict.cause == "http2_only_endpoint");
  CHECK(no_alpn.findings.front().confidence == Confidence::likely);

  r.observed.tls->alpn = "http/1.1";
  diagnose(r);
  CHECK(r.verdict.cause == "upgrade_eof");
  CHECK(r.findings.front().evidence.size() >= 2);
}

TEST_CASE("neither wss follow-up confirms: upgrade_eof stays, a TLS record back stays likely", "[checks][followup]") {
  auto none = followup(FollowUpKind::tls_in_tls, "the nested ClientHello got no TLS answer (eof)");
  none.inner_tls_answered = false;
  auto h1 = followup(FollowUpKind::tls_offering_h2, "the server picked no protocol");

  auto closed = upgrade_closed(Scheme::wss);
  closed.followups = {none, h1};
  diagnose(closed);
  CHECK(closed.verdict.cause == "upgrade_eof");
  CHECK(closed.findings.front().confidence == Confidence::possible);

  auto record = upgrade_not_http(Scheme::wss, kTlsAlert);
  record.followups = {none, h1};
  diagnose(record);
  CHECK(record.verdict.cause == "tls_terminated_twice");
  CHECK(record.findings.front().confidence == Confidence::likely);
}

TEST_CASE("ws:// follow-ups: TLS on the port, or an answer behind a PROXY header", "[checks][followup]") {
  SECTION("the port speaks TLS: plaintext_to_tls_port, certain") {
    auto r = upgrade_closed(Scheme::ws);
    auto tls = followup(FollowUpKind::tls_on_plain_port, "a TLS handshake on this port succeeded (TLSv1.3)");
    tls.tls_ok = true;
    r.followups = {tls};
    diagnose(r);
    CHECK(r.verdict.cause == "plaintext_to_tls_port");
    CHECK(r.findings.front().confidence == Confidence::certain);
    CHECK(r.verdict.hop == std::string("client to edge"));
  }
  SECTION("an HTTP answer behind PROXY v1: proxy_protocol_missing, certain") {
    auto r = upgrade_closed(Scheme::ws);
    auto tls = followup(FollowUpKind::tls_on_plain_port, "a TLS handshake on this port failed");
    tls.tls_ok = false;
    auto pp = followup(FollowUpKind::proxy_protocol_v1, "behind a PROXY v1 header: HTTP/1.1 101 Switching Protocols");
    pp.status_code = 101;
    r.followups = {tls, pp};
    diagnose(r);
    CHECK(r.verdict.cause == "proxy_protocol_missing");
    CHECK(r.findings.front().confidence == Confidence::certain);
    CHECK(r.findings.front().evidence.at(1).starts_with("follow-up proxy_protocol_v1: "));
  }
  SECTION("neither: upgrade_eof") {
    auto r = upgrade_closed(Scheme::ws);
    auto tls = followup(FollowUpKind::tls_on_plain_port, "a TLS handshake on this port failed");
    tls.tls_ok = false;
    r.followups = {tls, followup(FollowUpKind::proxy_protocol_v1, "no answer behind a PROXY v1 header either")};
    diagnose(r);
    CHECK(r.verdict.cause == "upgrade_eof");
  }
}

TEST_CASE("plain_get puts an upgrade refusal in context", "[checks][followup]") {
  SECTION("400 on both: proxy_protocol_unexpected, possible") {
    auto r = rejected_upgrade(Scheme::wss, 400, "Bad Request", "bad request");
    auto get = followup(FollowUpKind::plain_get, "a plain GET of the same path got HTTP/1.1 400 Bad Request");
    get.status_code = 400;
    r.followups = {get};
    diagnose(r);
    CHECK(r.verdict.cause == "proxy_protocol_unexpected");
    CHECK(r.findings.front().confidence == Confidence::possible);
  }
  SECTION("400 on the upgrade, 200 on the GET: upgrade_headers_stripped, possible") {
    auto r = rejected_upgrade(Scheme::wss, 400, "Bad Request", "bad request");
    auto get = followup(FollowUpKind::plain_get, "a plain GET of the same path got HTTP/1.1 200 OK");
    get.status_code = 200;
    r.followups = {get};
    diagnose(r);
    CHECK(r.verdict.cause == "upgrade_headers_stripped");
    CHECK(r.findings.front().confidence == Confidence::possible);
  }
  SECTION("426 with a 200 GET keeps upgrade_headers_stripped and gains evidence") {
    auto r = rejected_upgrade(Scheme::wss, 426, "Upgrade Required", "Upgrade Required");
    auto get = followup(FollowUpKind::plain_get, "a plain GET of the same path got HTTP/1.1 200 OK");
    get.status_code = 200;
    r.followups = {get};
    diagnose(r);
    CHECK(r.verdict.cause == "upgrade_headers_stripped");
    CHECK(r.findings.front().confidence == Confidence::likely);
    CHECK(r.findings.front().evidence.back() == "follow-up plain_get: a plain GET of the same path got HTTP/1.1 200 OK");
  }
  SECTION("403 stays upgrade_rejected_auth") {
    auto r = rejected_upgrade(Scheme::wss, 403, "Forbidden");
    auto get = followup(FollowUpKind::plain_get, "a plain GET of the same path got HTTP/1.1 200 OK");
    get.status_code = 200;
    r.followups = {get};
    diagnose(r);
    CHECK(r.verdict.cause == "upgrade_rejected_auth");
  }
}

TEST_CASE("TLS follow-ups add evidence; an HTTP banner makes tls_to_plaintext_port certain", "[checks][followup]") {
  auto expired = tls_verify_failed(10);
  auto again = followup(FollowUpKind::without_verification, "with verification off, every other stage passes");
  expired.followups = {again};
  diagnose(expired);
  CHECK(expired.verdict.cause == "tls_cert_expired");
  CHECK(expired.findings.front().evidence.back() ==
        "follow-up without_verification: with verification off, every other stage passes");

  auto plaintext = failed_at(Scheme::wss, Stage::tls, Condition::not_tls, "peer answered the ClientHello with non-TLS bytes");
  plaintext.observed.tls->first_bytes_hex = "00 00 00 00";  // not "HTTP": the main probe alone is unsure
  auto copy = plaintext;
  diagnose(copy);
  CHECK(copy.findings.front().confidence == Confidence::likely);
  auto banner = followup(FollowUpKind::http_on_tls_port, "a plain GET on this port got HTTP/1.1 400 Bad Request");
  banner.status_code = 400;
  plaintext.followups = {banner};
  diagnose(plaintext);
  CHECK(plaintext.verdict.cause == "tls_to_plaintext_port");
  CHECK(plaintext.findings.front().confidence == Confidence::certain);
}

// Causes reproduced end to end on loopback: the real flow of app/run.cpp (run_probe,
// plan_followups, run_followups, diagnose) against peers that fail the way real proxies and TLS
// servers do (tests/support/l7_topology.hpp), and the verdict a user would read.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "checks/followup_plan.hpp"
#include "checks/verdict.hpp"
#include "probe/followups.hpp"
#include "probe/lab/echo_server.hpp"
#include "probe/pipeline.hpp"
#include "support/canned_peer.hpp"
#include "support/finding_checks.hpp"
#include "support/l7_topology.hpp"
#include "support/probe_helpers.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::probe_options;
using test::stage_of;
using test::ws_loopback;
using test::wss_localhost;

struct DiagnosedRun {
  TargetResult result;  // diagnosed, follow-ups included
  std::vector<FollowUpKind> planned;
};

// Exactly what app/run.cpp does for one target with follow-ups on, on a worker thread bounded by
// `bound` (a hang fails the test instead of the suite).
DiagnosedRun diagnose_like_the_cli(const ProbeOptions& options, std::chrono::milliseconds bound = 30s) {
  struct Shared {
    ProbeOptions options;
    std::promise<DiagnosedRun> done;
  };
  auto shared = std::make_shared<Shared>(Shared{options, {}});
  auto future = shared->done.get_future();
  std::thread worker([shared] {
    try {
      DiagnosedRun run;
      run.result = run_probe(shared->options);
      run.planned = plan_followups(run.result);
      run.result.followups = run_followups(shared->options, run.result, run.planned);
      diagnose(run.result);
      shared->done.set_value(std::move(run));
    } catch (...) {
      shared->done.set_exception(std::current_exception());
    }
  });
  if (future.wait_for(bound) != std::future_status::ready) {
    worker.detach();
    FAIL("the probe and its follow-ups did not return within " << bound.count() << " ms");
  }
  worker.join();
  auto run = future.get();
  test::require_valid_report(run.result);
  return run;
}

std::string describe_all(const DiagnosedRun& run) {
  std::string out = describe(run.result);
  for (const auto& f : run.result.followups) out += "  follow-up " + std::string(to_string(f.kind)) + ": " + f.outcome + "\n";
  if (!run.result.findings.empty())
    for (const auto& line : run.result.findings.front().evidence) out += "  evidence: " + line + "\n";
  return out;
}

// A fail at `stage` with `cause`, and the verdict's finding with that id and `confidence`.
void check_diagnosed_failure(const TargetResult& result, Stage stage, const std::string& cause, Confidence confidence) {
  CHECK(result.verdict.status == VerdictStatus::fail);
  CHECK(result.verdict.stage == stage);
  CHECK(result.verdict.cause == cause);
  REQUIRE_FALSE(result.findings.empty());
  CHECK(result.findings.front().id == cause);
  CHECK(result.findings.front().confidence == confidence);
}

// The verdict's finding (the first) has this evidence line, or a line containing `part`.
bool first_finding_has(const TargetResult& result, std::string_view line) {
  return !result.findings.empty() && test::has_evidence(result.findings.front(), line);
}

bool first_finding_mentions(const TargetResult& result, std::string_view part) {
  return !result.findings.empty() && test::mentions(result.findings.front(), part);
}

// The verdict from the main probe alone: what a run with --no-followups would say.
TargetResult without_followups(TargetResult result) {
  result.followups.clear();
  diagnose(result);
  return result;
}

constexpr std::string_view kSameAnswer =
    "the upgrade and a plain GET got the same answer: the upgrade arrived without its Upgrade/Connection headers";

// gorilla/websocket's refusal (server.go returnError): Sec-Websocket-Version 13, then either an
// application's Error callback writing the reason, or http.Error's "Bad Request".
std::string gorilla_400(std::string body) {
  return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nSec-Websocket-Version: 13\r\n"
         "X-Content-Type-Options: nosniff\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

// 1. upgrade_headers_stripped

TEST_CASE("diagnosis: an L7 proxy that strips Upgrade/Connection in front of Beast: upgrade_headers_stripped",
          "[diagnosis]") {
  lab::EchoServer backend;
  test::HeaderStrippingProxy proxy(backend.port());
  const auto run = diagnose_like_the_cli(ws_loopback(proxy.port()));
  INFO(describe_all(run));
  const auto& result = run.result;
  REQUIRE(result.observed.upgrade);
  CHECK(result.observed.upgrade->status_code == 400);
  CHECK(result.observed.upgrade->body == "The WebSocket handshake Connection field is missing the upgrade token");
  CHECK(run.planned == std::vector<FollowUpKind>{FollowUpKind::plain_get});
  check_diagnosed_failure(result, Stage::upgrade, "upgrade_headers_stripped", Confidence::certain);
  CHECK(result.verdict.hop == std::string("edge to backend"));
  CHECK(first_finding_has(result, "body: The WebSocket handshake Connection field is missing the upgrade token"));
  CHECK(first_finding_has(result, std::string(kSameAnswer)));
  // Without the follow-up the body alone names the cause, less firmly.
  const auto alone = without_followups(result);
  CHECK(alone.verdict.cause == "upgrade_headers_stripped");
  CHECK(alone.findings.front().confidence == Confidence::likely);
  // The proxy did what nginx does: the backend never saw the upgrade.
  const auto forwarded = proxy.forwarded();
  REQUIRE(forwarded.size() == 2);
  CHECK_THAT(forwarded.front(), Catch::Contains("Sec-WebSocket-Key: "));
  CHECK_THAT(forwarded.front(), !Catch::Contains("Upgrade:"));
  CHECK_THAT(forwarded.front(), Catch::EndsWith("Connection: close\r\n\r\n"));
}

TEST_CASE("diagnosis: the stripping proxy in front of gorilla (reason in the body): upgrade_headers_stripped",
          "[diagnosis]") {
  test::CannedPeer backend(test::CannedScript::answer_http(gorilla_400(
      "websocket: not a websocket handshake: 'upgrade' token not found in 'Connection' header\n")));
  test::HeaderStrippingProxy proxy(backend.port());
  const auto run = diagnose_like_the_cli(ws_loopback(proxy.port()));
  INFO(describe_all(run));
  CHECK(run.planned == std::vector<FollowUpKind>{FollowUpKind::plain_get});
  check_diagnosed_failure(run.result, Stage::upgrade, "upgrade_headers_stripped", Confidence::certain);
  CHECK(first_finding_has(run.result, "Sec-WebSocket-Version: 13"));
  CHECK(first_finding_mentions(run.result, "'upgrade' token not found in 'Connection' header"));
  CHECK(without_followups(run.result).findings.front().confidence == Confidence::likely);
}

TEST_CASE("diagnosis: the stripping proxy in front of gorilla (default \"Bad Request\"): the version header tells",
          "[diagnosis]") {
  test::CannedPeer backend(test::CannedScript::answer_http(gorilla_400("Bad Request\n")));
  test::HeaderStrippingProxy proxy(backend.port());
  const auto run = diagnose_like_the_cli(ws_loopback(proxy.port()));
  INFO(describe_all(run));
  check_diagnosed_failure(run.result, Stage::upgrade, "upgrade_headers_stripped", Confidence::certain);
  CHECK(first_finding_has(run.result, "Sec-WebSocket-Version: 13"));
  CHECK(first_finding_has(run.result, std::string(kSameAnswer)));
}

// 2. proxy_protocol_unexpected

TEST_CASE("diagnosis: a PROXY v2 sender in front of a server that does not parse it: proxy_protocol_unexpected",
          "[diagnosis]") {
  test::StrictHttpServer backend;
  {
    // Control: without the header the same server answers a request.
    const auto direct = diagnose_like_the_cli(ws_loopback(backend.port()));
    INFO(describe_all(direct));
    CHECK(direct.result.observed.upgrade->status_code == 200);
    CHECK(direct.result.verdict.cause == "not_websocket_endpoint");
  }
  test::ProxyHeaderSender sender(backend.port());
  const auto run = diagnose_like_the_cli(ws_loopback(sender.port()));
  INFO(describe_all(run));
  REQUIRE(run.result.observed.upgrade);
  CHECK(run.result.observed.upgrade->status_code == 400);
  CHECK(run.planned == std::vector<FollowUpKind>{FollowUpKind::plain_get});
  REQUIRE(run.result.followups.size() == 1);
  CHECK(run.result.followups.front().status_code == 400);
  // The catalogue's ceiling is likely; a 400 to everything is only a hint without the header in hand.
  check_diagnosed_failure(run.result, Stage::upgrade, "proxy_protocol_unexpected", Confidence::possible);
  CHECK(run.result.verdict.hop == std::string("edge to backend"));
  CHECK(first_finding_has(run.result, "status: HTTP/1.1 400 Bad Request"));
  CHECK(first_finding_has(run.result, "follow-up plain_get: " + run.result.followups.front().outcome));
  CHECK(backend.statuses() == std::vector<int>{200, 400, 400});
  CHECK(without_followups(run.result).verdict.cause == "upgrade_declined");
}

// 3. tls_alpn_no_overlap

TEST_CASE("diagnosis: an h2-only ALPN server answers http/1.1 with alert 120: tls_alpn_no_overlap", "[diagnosis]") {
  test::TestPki pki;
  lab::EchoServer server({.tls = pki.leaf(), .alpn = {"h2"}});
  const auto run = diagnose_like_the_cli(wss_localhost(server.port(), pki.ca_file()));
  INFO(describe_all(run));
  CHECK(stage_of(run.result, Stage::tls).condition == Condition::tls_failure);
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->alert_received == 120);
  CHECK(run.planned.empty());
  check_diagnosed_failure(run.result, Stage::tls, "tls_alpn_no_overlap", Confidence::certain);
  CHECK(first_finding_has(run.result, "alert received: 120"));
}

// 4. tls_sni_required

TEST_CASE("diagnosis: a server that requires SNI, probed by IP address: tls_sni_required", "[diagnosis]") {
  test::TestPki pki;
  test::TlsPolicyServer server({.identity = pki.leaf(), .require_sni = true});
  auto options = probe_options("wss://127.0.0.1:" + std::to_string(server.port()) + "/echo");
  options.cacert_file = pki.ca_file();
  const auto run = diagnose_like_the_cli(options);
  INFO(describe_all(run));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->sni.empty());  // RFC 6066 §3: no SNI for an IP literal
  CHECK(run.result.observed.tls->alert_received == 112);
  check_diagnosed_failure(run.result, Stage::tls, "tls_sni_required", Confidence::certain);
  CHECK(first_finding_has(run.result, "alert received: 112"));
  CHECK(first_finding_has(run.result, "handshake: peer sent alert 112 (unrecognized name)"));

  // Control: with a name the same server completes the handshake.
  const auto named = diagnose_like_the_cli(wss_localhost(server.port(), pki.ca_file()));
  INFO(describe_all(named));
  CHECK(stage_of(named.result, Stage::tls).status == StageStatus::ok);
  CHECK(named.result.observed.tls->sni == "localhost");
}

// 5. tls_version_mismatch

TEST_CASE("diagnosis: no TLS 1.3 cipher suite in common (server: CCM only): tls_version_mismatch", "[diagnosis]") {
  test::TestPki pki;
  test::TlsPolicyServer server({.identity = pki.leaf(),
                                .min_version = test::TlsVersionLimit::tls1_3,
                                .tls13_ciphersuites = "TLS_AES_128_CCM_SHA256"});
  const auto run = diagnose_like_the_cli(wss_localhost(server.port(), pki.ca_file()));
  INFO(describe_all(run));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->alert_received == 40);
  CHECK_FALSE(run.result.observed.tls->version);  // no ServerHello: nothing was agreed
  CHECK(run.planned.empty());
  check_diagnosed_failure(run.result, Stage::tls, "tls_version_mismatch", Confidence::likely);
  CHECK(first_finding_has(run.result, "alert received: 40"));
  CHECK(server.handshakes_failed() == 1);
}

TEST_CASE("diagnosis: a server answering the ClientHello with alert 70 protocol_version: tls_version_mismatch",
          "[diagnosis]") {
  test::CannedPeer server(test::CannedScript::answer_any(test::tls_alert_record(70)));
  test::TestPki pki;
  const auto run = diagnose_like_the_cli(wss_localhost(server.port(), pki.ca_file()));
  INFO(describe_all(run));
  check_diagnosed_failure(run.result, Stage::tls, "tls_version_mismatch", Confidence::certain);
  CHECK(first_finding_has(run.result, "alert received: 70"));
}

// 6. tls_client_cert_required

TEST_CASE("diagnosis: mTLS under TLS 1.3: alert 116 arrives after the handshake, tls_client_cert_required",
          "[diagnosis]") {
  test::TestPki pki;
  test::TlsPolicyServer server({.identity = pki.leaf(), .require_client_cert = true});
  const auto run = diagnose_like_the_cli(wss_localhost(server.port(), pki.ca_file()));
  INFO(describe_all(run));
  const auto& result = run.result;
  // The client's handshake completed; the server's refusal came on the first read.
  CHECK(stage_of(result, Stage::tls).status == StageStatus::ok);
  CHECK(stage_of(result, Stage::upgrade).status == StageStatus::failed);
  CHECK_THAT(stage_of(result, Stage::upgrade).detail,
             Catch::Contains("the server sent TLS alert 116 (certificate_required) after the handshake"));
  REQUIRE(result.observed.tls);
  CHECK(result.observed.tls->version == std::string("TLSv1.3"));
  CHECK(result.observed.tls->certificate_requested);
  CHECK(result.observed.tls->alert_received_after_handshake == 116);
  CHECK(run.planned.empty());
  check_diagnosed_failure(result, Stage::tls, "tls_client_cert_required", Confidence::certain);
  CHECK(result.verdict.hop == std::string("client to edge"));
  CHECK(first_finding_has(result, "alert received after the handshake: 116"));
  CHECK(first_finding_has(result, "the server sent a CertificateRequest"));
}

TEST_CASE("diagnosis: mTLS under TLS 1.2: the handshake fails after a CertificateRequest, tls_client_cert_required",
          "[diagnosis]") {
  test::TestPki pki;
  test::TlsPolicyServer server(
      {.identity = pki.leaf(), .require_client_cert = true, .max_version = test::TlsVersionLimit::tls1_2});
  const auto run = diagnose_like_the_cli(wss_localhost(server.port(), pki.ca_file()));
  INFO(describe_all(run));
  const auto& result = run.result;
  CHECK(stage_of(result, Stage::tls).status == StageStatus::failed);
  REQUIRE(result.observed.tls);
  CHECK(result.observed.tls->certificate_requested);
  const auto alert = result.observed.tls->alert_received.value_or(-1);
  CHECK((alert == 40 || alert == 116));
  check_diagnosed_failure(result, Stage::tls, "tls_client_cert_required",
                          alert == 116 ? Confidence::certain : Confidence::likely);
  CHECK(first_finding_has(result, "the server sent a CertificateRequest"));
  CHECK(first_finding_has(result, "alert received: " + std::to_string(alert)));
}

}  // namespace wsprobe

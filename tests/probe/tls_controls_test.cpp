// The TLS controls end to end on loopback: --sni, --cert/--key (mTLS), --tls-min/--tls-max,
// --alpn, --ciphers and --cert-warn-days, against lab servers with the matching policy
// (tests/support/l7_topology.hpp, topology.hpp, probe/lab/echo_server.hpp), and what the diagnosis
// tells the user.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "checks/followup_plan.hpp"
#include "checks/verdict.hpp"
#include "probe/followups.hpp"
#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/finding_checks.hpp"
#include "support/l7_topology.hpp"
#include "support/probe_helpers.hpp"
#include "support/topology.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::describe;
using test::find_finding;
using test::probe_and_diagnose;
using test::probe_options;
using test::stage_of;
using test::wss_localhost;

// Some finding of the result has an evidence line containing `text`.
bool any_finding_mentions(const TargetResult& result, std::string_view text) {
  return std::any_of(result.findings.begin(), result.findings.end(),
                     [&](const Finding& finding) { return test::mentions(finding, text); });
}

// A client certificate (extendedKeyUsage clientAuth unless told otherwise) from `ca`.
lab::CertifiedKey client_certificate(const lab::CertificateAuthority& ca, std::string common_name,
                                     std::string usage = "clientAuth") {
  lab::LeafOptions leaf;
  leaf.common_name = std::move(common_name);
  leaf.dns_names = {};
  leaf.ip_addresses = {};
  leaf.extended_key_usage = std::move(usage);
  return ca.issue(leaf);
}

// The CA that signs the servers' certificates and trusts clients, with a client certificate and
// its key in files (as --cert/--key take them), and one from a CA the servers do not trust.
struct MtlsLab {
  lab::CertificateAuthority ca{"wsprobe lab CA"};
  lab::CertificateAuthority other_ca{"some other CA"};
  lab::TempDir files;
  std::string ca_file = files.write("ca.pem", ca.cert_pem()).string();
  lab::CertifiedKey server = [this] {
    lab::LeafOptions leaf;
    leaf.not_after = std::chrono::hours(24 * 90);
    return ca.issue(leaf);
  }();
  lab::CertifiedKey client = client_certificate(ca, "wsprobe client");
  std::string client_cert = files.write("client.pem", client.cert_pem).string();
  std::string client_key = files.write("client.key", client.key_pem).string();
  lab::CertifiedKey intruder = client_certificate(other_ca, "intruder");
  std::string intruder_cert = files.write("intruder.pem", intruder.cert_pem).string();
  std::string intruder_key = files.write("intruder.key", intruder.key_pem).string();
};

// --- --cert / --key --------------------------------------------------------------------------

TEST_CASE("tls controls: mTLS listener without --cert: tls_client_cert_required under TLS 1.3 and 1.2",
          "[tls_controls]") {
  MtlsLab lab;
  for (const auto max : {test::TlsVersionLimit::none, test::TlsVersionLimit::tls1_2}) {
    test::TlsPolicyServer server({.identity = lab.server,
                                  .require_client_cert = true,
                                  .max_version = max,
                                  .client_ca_pem = lab.ca.cert_pem()});
    const auto run = probe_and_diagnose(wss_localhost(server.port(), lab.ca_file, "/"));
    INFO(describe(run.result));
    REQUIRE(run.result.observed.tls);
    CHECK_FALSE(run.result.observed.tls->client_certificate);
    CHECK(run.result.observed.tls->certificate_requested);
    CHECK(run.result.verdict.cause == "tls_client_cert_required");
    CHECK(run.result.verdict.stage == Stage::tls);
    // Without --cert the wording is the catalogue's: a certificate is required.
    CHECK_THAT(run.result.verdict.summary, Catch::Contains("requires a client certificate"));
  }
}

TEST_CASE("tls controls: --cert from the trusted CA passes end to end (101, echo)", "[tls_controls]") {
  MtlsLab lab;
  lab::EchoServer server({.tls = lab.server, .client_ca_pem = lab.ca.cert_pem()});
  auto options = wss_localhost(server.port(), lab.ca_file, "/");
  options.client_cert_file = lab.client_cert;
  options.client_key_file = lab.client_key;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.status == VerdictStatus::pass);
  CHECK(run.result.verdict.cause == "ok");
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->client_certificate == std::string("CN=wsprobe client,O=wsprobe lab"));
  CHECK(run.result.observed.tls->certificate_requested);
  REQUIRE(run.result.observed.upgrade);
  CHECK(run.result.observed.upgrade->status_code == 101);
  REQUIRE(run.result.observed.echo);
  CHECK(run.result.observed.echo->echo_endpoint == true);
  CHECK(server.messages_received() >= 1);

  // Control: the same server refuses a probe without the certificate.
  const auto bare = probe_and_diagnose(wss_localhost(server.port(), lab.ca_file, "/"));
  INFO(describe(bare.result));
  CHECK(bare.result.verdict.cause == "tls_client_cert_required");
}

TEST_CASE("tls controls: --cert in one file with its key (no --key), as curl takes it", "[tls_controls]") {
  MtlsLab lab;
  lab::EchoServer server({.tls = lab.server, .client_ca_pem = lab.ca.cert_pem()});
  auto options = wss_localhost(server.port(), lab.ca_file, "/");
  options.client_cert_file = lab.files.write("both.pem", lab.client.cert_pem + lab.client.key_pem).string();
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
}

TEST_CASE("tls controls: --cert from another CA under TLS 1.2: the server rejected the certificate given",
          "[tls_controls]") {
  MtlsLab lab;
  test::TlsPolicyServer server({.identity = lab.server,
                                .require_client_cert = true,
                                .max_version = test::TlsVersionLimit::tls1_2,
                                .client_ca_pem = lab.ca.cert_pem()});
  auto options = wss_localhost(server.port(), lab.ca_file, "/");
  options.client_cert_file = lab.intruder_cert;
  options.client_key_file = lab.intruder_key;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  const auto& result = run.result;
  CHECK(stage_of(result, Stage::tls).status == StageStatus::failed);
  REQUIRE(result.observed.tls);
  CHECK(result.observed.tls->alert_received == 48);  // unknown_ca
  CHECK(result.observed.tls->client_certificate == std::string("CN=intruder,O=wsprobe lab"));
  CHECK(result.verdict.cause == "tls_client_cert_required");
  CHECK_THAT(result.verdict.summary, Catch::Contains("rejected the client certificate given (CN=intruder"));
  CHECK_THAT(result.verdict.summary, Catch::Contains("does not trust the CA that issued"));
  const auto* finding = find_finding(result, "tls_client_cert_required");
  REQUIRE(finding);
  CHECK(finding->confidence == Confidence::certain);
  CHECK_THAT(finding->fix, Catch::Contains("clientAuth"));
  CHECK(any_finding_mentions(result, "client certificate offered: CN=intruder,O=wsprobe lab"));
  CHECK(any_finding_mentions(result, "refused with alert 48 (unknown_ca)"));
}

TEST_CASE("tls controls: a client certificate without clientAuth under TLS 1.2: rejected, unsupported_certificate",
          "[tls_controls]") {
  MtlsLab lab;
  test::TlsPolicyServer server({.identity = lab.server,
                                .require_client_cert = true,
                                .max_version = test::TlsVersionLimit::tls1_2,
                                .client_ca_pem = lab.ca.cert_pem()});
  const auto server_only = client_certificate(lab.ca, "server usage only", "serverAuth");
  auto options = wss_localhost(server.port(), lab.ca_file, "/");
  options.client_cert_file = lab.files.write("server-usage.pem", server_only.cert_pem).string();
  options.client_key_file = lab.files.write("server-usage.key", server_only.key_pem).string();
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->alert_received == 43);
  CHECK(run.result.verdict.cause == "tls_client_cert_required");
  CHECK_THAT(run.result.verdict.summary, Catch::Contains("extendedKeyUsage"));
}

// Under TLS 1.3 the server judges the certificate after the client's Finished: the refusal
// arrives as an alert during the upgrade (checks/rules_upgrade.cpp words it through
// client_cert_finding).
TEST_CASE("tls controls: --cert from another CA under TLS 1.3: the alert after the handshake names the rejection",
          "[tls_controls]") {
  MtlsLab lab;
  lab::EchoServer server({.tls = lab.server, .client_ca_pem = lab.ca.cert_pem()});
  auto options = wss_localhost(server.port(), lab.ca_file, "/");
  options.client_cert_file = lab.intruder_cert;
  options.client_key_file = lab.intruder_key;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  const auto& result = run.result;
  CHECK(stage_of(result, Stage::tls).status == StageStatus::ok);
  REQUIRE(result.observed.tls);
  CHECK(result.observed.tls->version == std::string("TLSv1.3"));
  CHECK(result.observed.tls->alert_received_after_handshake == 48);
  CHECK(result.verdict.cause == "tls_client_cert_required");
  CHECK_THAT(result.verdict.summary, Catch::Contains("rejected the client certificate given (CN=intruder"));
  CHECK(any_finding_mentions(result, "client certificate offered: CN=intruder,O=wsprobe lab"));
}

TEST_CASE("tls controls: --key that does not match --cert: internal, said plainly, nothing sent", "[tls_controls]") {
  MtlsLab lab;
  lab::EchoServer server({.tls = lab.server, .client_ca_pem = lab.ca.cert_pem()});
  auto options = wss_localhost(server.port(), lab.ca_file, "/");
  options.client_cert_file = lab.client_cert;
  options.client_key_file = lab.intruder_key;
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  const auto& tls = stage_of(run.result, Stage::tls);
  CHECK(tls.status == StageStatus::failed);
  CHECK(tls.condition == Condition::internal);
  CHECK_THAT(tls.detail, Catch::Contains("--key " + lab.intruder_key + " does not match --cert " + lab.client_cert));
  CHECK_THAT(tls.detail, Catch::Contains("CN=wsprobe client"));
  REQUIRE(run.result.observed.tls);
  CHECK_FALSE(run.result.observed.tls->client_certificate);
  CHECK(run.result.verdict.status == VerdictStatus::fail);
  CHECK(run.result.verdict.stage == Stage::tls);
}

TEST_CASE("tls controls: unusable --cert / --key files are internal failures with the reason", "[tls_controls]") {
  MtlsLab lab;
  lab::EchoServer server({.tls = lab.server, .client_ca_pem = lab.ca.cert_pem()});
  struct Case {
    std::string cert, key, expected;
  };
  const std::string not_pem = lab.files.write("garbage.pem", "not a certificate\n").string();
  const std::vector<Case> cases{
      {not_pem, "", "cannot load --cert " + not_pem},
      {lab.client_cert, "", "no private key in --cert " + lab.client_cert + " (pass it with --key)"},
      {lab.client_cert, not_pem, "no private key in --key " + not_pem},
  };
  for (const auto& c : cases) {
    auto options = wss_localhost(server.port(), lab.ca_file, "/");
    options.client_cert_file = c.cert;
    if (!c.key.empty()) options.client_key_file = c.key;
    const auto run = probe_and_diagnose(options);
    INFO(describe(run.result));
    const auto& tls = stage_of(run.result, Stage::tls);
    CHECK(tls.condition == Condition::internal);
    CHECK_THAT(tls.detail, Catch::Contains(c.expected));
  }
}

// --- --sni -----------------------------------------------------------------------------------

TEST_CASE("tls controls: --sni NAME is sent and checked against the certificate instead of the URL's host",
          "[tls_controls]") {
  test::TestPki pki;
  lab::LeafOptions named;
  named.common_name = "echo.example.test";
  named.dns_names = {"echo.example.test"};
  named.ip_addresses = {};
  named.not_after = std::chrono::hours(24 * 90);  // no expiry warning
  lab::EchoServer server({.tls = pki.leaf(named)});
  auto options = probe_options("wss://127.0.0.1:" + std::to_string(server.port()) + "/");
  options.cacert_file = pki.ca_file();

  // By address the certificate does not match.
  const auto by_address = probe_and_diagnose(options);
  INFO(describe(by_address.result));
  CHECK(by_address.result.verdict.cause == "tls_cert_hostname_mismatch");
  CHECK(by_address.result.observed.tls->sni.empty());

  options.sni = "echo.example.test";
  const auto by_name = probe_and_diagnose(options);
  INFO(describe(by_name.result));
  CHECK(by_name.result.verdict.cause == "ok");
  REQUIRE(by_name.result.observed.tls);
  CHECK(by_name.result.observed.tls->sni == "echo.example.test");

  // A name the certificate does not cover: the evidence names the name checked.
  options.sni = "other.example.test";
  const auto wrong = probe_and_diagnose(options);
  INFO(describe(wrong.result));
  CHECK(wrong.result.verdict.cause == "tls_cert_hostname_mismatch");
  CHECK(
      any_finding_mentions(wrong.result, "asked for other.example.test; the certificate covers DNS:echo.example.test"));
}

TEST_CASE("tls controls: --sni '' sends no SNI: a server that needs it answers tls_sni_required", "[tls_controls]") {
  test::TestPki pki;
  test::TlsPolicyServer server({.identity = pki.leaf(), .require_sni = true});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  options.sni = "";
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->sni.empty());
  CHECK(run.result.observed.tls->alert_received == 112);
  CHECK(run.result.verdict.cause == "tls_sni_required");
  CHECK(any_finding_mentions(run.result, "no SNI was sent"));

  // Control: the same URL with its SNI completes the handshake (the name is still verified).
  const auto named = probe_and_diagnose(wss_localhost(server.port(), pki.ca_file(), "/"));
  INFO(describe(named.result));
  CHECK(stage_of(named.result, Stage::tls).status == StageStatus::ok);
}

// --- --tls-min / --tls-max -------------------------------------------------------------------

TEST_CASE("tls controls: --tls-max 1.2 against a TLS 1.3-only server: tls_version_mismatch naming the range",
          "[tls_controls]") {
  test::TestPki pki;
  test::TlsPolicyServer server({.identity = pki.leaf(), .min_version = test::TlsVersionLimit::tls1_3});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  options.tls_max = "1.2";
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->version_max == std::string("TLSv1.2"));
  CHECK_FALSE(run.result.observed.tls->version_min);
  CHECK(run.result.observed.tls->alert_received == 70);  // protocol_version
  CHECK(run.result.verdict.cause == "tls_version_mismatch");
  CHECK_THAT(run.result.verdict.summary, Catch::Contains("none of the TLS versions offered (up to TLSv1.2)"));
  CHECK(any_finding_mentions(run.result, "we offered TLS versions up to TLSv1.2"));

  // Control: the version it speaks.
  options.tls_max.reset();
  options.tls_min = "1.3";
  const auto ok = probe_and_diagnose(options);
  INFO(describe(ok.result));
  CHECK(stage_of(ok.result, Stage::tls).status == StageStatus::ok);
  CHECK(ok.result.observed.tls->version == std::string("TLSv1.3"));
  CHECK(ok.result.observed.tls->version_min == std::string("TLSv1.3"));
}

TEST_CASE("tls controls: a TLS 1.1-only server needs --tls-min 1.1, which lowers the security level",
          "[tls_controls]") {
  test::TestPki pki;
  test::TlsPolicyServer server({.identity = pki.leaf(), .max_version = test::TlsVersionLimit::tls1_1});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  const auto modern = probe_and_diagnose(options);
  INFO(describe(modern.result));
  CHECK(modern.result.verdict.cause == "tls_version_mismatch");

  options.tls_min = "1.1";
  const auto legacy = probe_and_diagnose(options);
  INFO(describe(legacy.result));
  const auto& tls = stage_of(legacy.result, Stage::tls);
  CHECK(tls.status == StageStatus::ok);
  CHECK_THAT(tls.detail, Catch::Contains("security level 0"));
  REQUIRE(legacy.result.observed.tls);
  CHECK(legacy.result.observed.tls->version == std::string("TLSv1.1"));
  CHECK(legacy.result.observed.tls->version_min == std::string("TLSv1.1"));

  options.tls_min.reset();
  options.tls_max = "1.1";
  const auto capped = probe_and_diagnose(options);
  INFO(describe(capped.result));
  CHECK(stage_of(capped.result, Stage::tls).status == StageStatus::ok);
  CHECK(capped.result.observed.tls->version == std::string("TLSv1.1"));
  CHECK(capped.result.observed.tls->version_max == std::string("TLSv1.1"));
}

// --- --ciphers -------------------------------------------------------------------------------

TEST_CASE("tls controls: --ciphers disjoint from a TLS 1.2 server's: tls_version_mismatch that says cipher",
          "[tls_controls]") {
  test::TestPki pki;  // EC P-256 keys: ECDSA suites
  test::TlsPolicyServer server({.identity = pki.leaf(),
                                .max_version = test::TlsVersionLimit::tls1_2,
                                .tls12_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256"});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  options.ciphers = "ECDHE-ECDSA-AES256-GCM-SHA384";
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->alert_received == 40);
  CHECK(run.result.verdict.cause == "tls_version_mismatch");
  CHECK_THAT(run.result.verdict.summary, Catch::Contains("cipher suites offered (--ciphers)"));
  CHECK(any_finding_mentions(run.result, "we offered only the ciphers ECDHE-ECDSA-AES256-GCM-SHA384"));

  // Control: the server's own cipher.
  options.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  const auto ok = probe_and_diagnose(options);
  INFO(describe(ok.result));
  CHECK(stage_of(ok.result, Stage::tls).status == StageStatus::ok);
  CHECK(ok.result.observed.tls->cipher == std::string("ECDHE-ECDSA-AES128-GCM-SHA256"));
}

TEST_CASE("tls controls: --ciphers TLS_* sets the TLS 1.3 suites", "[tls_controls]") {
  test::TestPki pki;
  lab::EchoServer server({.tls = pki.leaf()});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  options.ciphers = "TLS_CHACHA20_POLY1305_SHA256";
  const auto run = probe_and_diagnose(options);
  INFO(describe(run.result));
  CHECK(run.result.verdict.cause == "ok");
  CHECK(run.result.observed.tls->cipher == std::string("TLS_CHACHA20_POLY1305_SHA256"));
}

TEST_CASE("tls controls: an invalid --ciphers list is internal with OpenSSL's reason", "[tls_controls]") {
  test::TestPki pki;
  lab::EchoServer server({.tls = pki.leaf()});
  for (const auto& [list, expected] : std::vector<std::pair<std::string, std::string>>{
           {"NO-SUCH-CIPHER", "no cipher match"}, {"TLS_NO_SUCH_SUITE", "TLS_NO_SUCH_SUITE"}}) {
    auto options = wss_localhost(server.port(), pki.ca_file(), "/");
    options.ciphers = list;
    const auto run = probe_and_diagnose(options);
    INFO(describe(run.result));
    const auto& tls = stage_of(run.result, Stage::tls);
    CHECK(tls.condition == Condition::internal);
    CHECK_THAT(tls.detail, Catch::Contains("--ciphers") && Catch::Contains(expected));
  }
  // TCP connected; no ClientHello went out. The server thread counts an accept a moment after the
  // client's connect returned: wait for it (bounded) rather than read it at once.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.connections_accepted() < 2 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(server.connections_accepted() == 2);
}

// --- --alpn ----------------------------------------------------------------------------------

TEST_CASE("tls controls: --alpn none sends no ALPN extension", "[tls_controls]") {
  test::TestPki pki;
  // An h2-only ALPN list: a ClientHello offering http/1.1 gets alert 120, one without ALPN proceeds.
  lab::EchoServer server({.tls = pki.leaf(), .alpn = {"h2"}});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  const auto offered = probe_and_diagnose(options);
  INFO(describe(offered.result));
  CHECK(offered.result.verdict.cause == "tls_alpn_no_overlap");

  options.alpn.clear();  // the CLI's --alpn none
  const auto none = probe_and_diagnose(options);
  INFO(describe(none.result));
  CHECK(none.result.verdict.cause == "ok");
  REQUIRE(none.result.observed.tls);
  CHECK(none.result.observed.tls->offered_alpn.empty());
  CHECK_FALSE(none.result.observed.tls->alpn);
}

TEST_CASE("tls controls: --alpn h2 against an h2-only server: h2 agreed, and the upgrade failure explained",
          "[tls_controls]") {
  test::TestPki pki;
  test::H2OnlyServer server(pki.leaf());
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  options.alpn = {"h2"};
  // As app/run.cpp does: the probe, its follow-ups, the diagnosis.
  auto run = probe_and_diagnose(options);
  run.result.followups = run_followups(options, run.result, plan_followups(run.result));
  diagnose(run.result);
  INFO(describe(run.result));
  REQUIRE(run.result.observed.tls);
  CHECK(run.result.observed.tls->alpn == std::string("h2"));
  CHECK(stage_of(run.result, Stage::tls).status == StageStatus::ok);
  CHECK(stage_of(run.result, Stage::upgrade).status == StageStatus::failed);
  CHECK(run.result.verdict.cause == "http2_only_endpoint");
}

// --- --cert-warn-days ------------------------------------------------------------------------

TEST_CASE("tls controls: a leaf expiring in 5 days degrades under the default 14, not under --cert-warn-days 3",
          "[tls_controls]") {
  test::TestPki pki;
  lab::LeafOptions soon;
  soon.not_after = std::chrono::hours(24 * 5 + 12);
  lab::EchoServer server({.tls = pki.leaf(soon)});
  auto options = wss_localhost(server.port(), pki.ca_file(), "/");
  const auto by_default = probe_and_diagnose(options);
  INFO(describe(by_default.result));
  CHECK(by_default.result.verdict.status == VerdictStatus::degraded);
  CHECK(by_default.result.verdict.cause == "tls_cert_expiring");
  CHECK(any_finding_mentions(by_default.result, "warning threshold: 14 days"));

  for (const int days : {3, 0}) {
    options.cert_warn_days = days;
    const auto run = probe_and_diagnose(options);
    INFO(describe(run.result) << "--cert-warn-days " << days);
    CHECK(run.result.cert_warn_days == days);
    CHECK(run.result.verdict.status == VerdictStatus::pass);
    CHECK(find_finding(run.result, "tls_cert_expiring") == nullptr);
  }
}

}  // namespace
}  // namespace wsprobe

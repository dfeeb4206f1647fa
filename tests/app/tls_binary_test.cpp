// The TLS controls through the real wsprobe executable: exit codes and what the user reads.
#include <catch2/catch.hpp>

#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"

namespace wsprobe {
namespace {

using test::contains;
using test::run_wsprobe;

// wss://localhost:PORT/ reached on 127.0.0.1, trusting the lab CA, with short budgets.
std::vector<std::string> probe_args(std::uint16_t port, const std::string& ca_file, std::vector<std::string> more = {}) {
  const std::string authority = "localhost:" + std::to_string(port);
  std::vector<std::string> args{"--no-color", "--timeout", "20s", "--count", "2",
                                "--resolve", authority + ":127.0.0.1", "--cacert", ca_file};
  args.insert(args.end(), more.begin(), more.end());
  args.push_back("wss://" + authority + "/");
  return args;
}

TEST_CASE("wsprobe binary: a certificate expiring in 5 days exits 3 (degraded) unless --cert-warn-days is lower",
          "[tls_controls][binary]") {
  lab::CertificateAuthority ca;
  lab::TempDir files;
  const auto ca_file = files.write("ca.pem", ca.cert_pem()).string();
  lab::LeafOptions soon;
  soon.not_after = std::chrono::hours(24 * 5 + 12);
  lab::EchoServer server({.tls = ca.issue(soon)});

  const auto by_default = run_wsprobe(probe_args(server.port(), ca_file));
  INFO(by_default.describe());
  CHECK(by_default.exit_code == 3);
  CHECK(contains(by_default.out, "tls_cert_expiring"));

  const auto lowered = run_wsprobe(probe_args(server.port(), ca_file, {"--cert-warn-days", "3"}));
  INFO(lowered.describe());
  CHECK(lowered.exit_code == 0);
  CHECK_FALSE(contains(lowered.out, "tls_cert_expiring"));
}

TEST_CASE("wsprobe binary: --key that does not match --cert is a usage error before connecting", "[tls_controls][binary]") {
  lab::CertificateAuthority ca;
  lab::TempDir files;
  const auto ca_file = files.write("ca.pem", ca.cert_pem()).string();
  lab::EchoServer server({.tls = ca.issue(), .client_ca_pem = ca.cert_pem()});
  lab::LeafOptions client;
  client.common_name = "wsprobe client";
  client.extended_key_usage = "clientAuth";
  const auto cert = files.write("client.pem", ca.issue(client).cert_pem).string();
  const auto key = files.write("other.key", ca.issue(client).key_pem).string();

  const auto run = run_wsprobe(probe_args(server.port(), ca_file, {"--cert", cert, "--key", key}));
  INFO(run.describe());
  CHECK(run.exit_code == 2);
  CHECK(contains(run.err, "does not match --cert"));
}

// A targets file's TLS material is loaded after the file is parsed: the error still says which
// line set it, as every other error in a targets file does.
TEST_CASE("wsprobe binary: a --cacert that is not PEM in a targets file names the file's line", "[tls_controls][binary]") {
  lab::TempDir files;
  const auto bad = files.write("bad.pem", "not a certificate\n").string();
  const auto targets = files.write("fleet.txt", "ws://ok.example/\nwss://a.example/ --cacert " + bad + "\n").string();
  const auto run = run_wsprobe({"--targets", targets});
  INFO(run.describe());
  CHECK(run.exit_code == 2);
  CHECK(contains(run.err, "fleet.txt line 2: cannot load --cacert " + bad));
  CHECK(contains(run.err, "(for wss://a.example/)"));
}

}  // namespace
}  // namespace wsprobe

// The real wsprobe executable through a real forward proxy (tinyproxy), as a user runs it: --proxy,
// the proxy environment variables, --noproxy and NO_PROXY, exit codes, and a JSON report that
// validates against the schema and never shows the proxy password.
#include <catch2/catch.hpp>

#include "probe/lab/echo_server.hpp"
#include "support/probe_helpers.hpp"
#include "support/real_proxies.hpp"
#include "support/report_json.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"

namespace wsprobe {
namespace {

using test::BinaryOptions;
using test::contains;
using test::run_wsprobe;
using test::with_short_budgets;
using test::ws_url;

// The proxy variables cleared (the test machine's own must not leak in), then `set` applied.
BinaryOptions environment(std::vector<std::pair<std::string, std::string>> set) {
  auto options = test::without_proxy_variables();
  for (auto& [name, value] : set) options.env.emplace_back(name, value);
  return options;
}

// The stage object named `name` in the report's only result.
nlohmann::json stage(const nlohmann::json& report, const std::string& name) {
  REQUIRE(report["results"].size() == 1);
  for (const auto& s : report["results"][0]["stages"])
    if (s["name"] == name) return s;
  FAIL("no stage " << name);
  return {};
}

TEST_CASE("wsprobe --proxy http://... tunnels through tinyproxy and reports the CONNECT", "[cli][proxy]") {
  lab::EchoServer echo{lab::EchoServerOptions{}};
  test::Tinyproxy proxy;
  const auto run =
      run_wsprobe(with_short_budgets({"--json", "--proxy", proxy.url(), ws_url(echo.port())}), environment({}));
  INFO(run.describe() << "\ntinyproxy log:\n" << proxy.log());
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 0);
  const auto report = testing::parse_valid_report(run.out);
  CHECK(report["results"][0]["verdict"]["cause"] == "ok");
  const auto proxy_stage = stage(report, "proxy");
  CHECK(proxy_stage["status"] == "ok");
  CHECK(proxy_stage["observed"]["status_code"] == 200);
  CHECK(proxy_stage["observed"]["source"] == "--proxy");
  CHECK(stage(report, "dns")["status"] == "skipped");
  CHECK(echo.connections_accepted() == 1);
}

TEST_CASE("wsprobe reads http_proxy for ws:// and HTTPS_PROXY for wss://, credentials hidden", "[cli][proxy]") {
  test::TinyproxyOptions proxy_options;
  proxy_options.basic_auth = {{"alice", "s3cret"}};
  test::Tinyproxy proxy(proxy_options);
  const auto with_credentials = proxy.url(std::make_pair("alice", "s3cret"));

  SECTION("http_proxy, ws://") {
    lab::EchoServer echo{lab::EchoServerOptions{}};
    const auto run = run_wsprobe(with_short_budgets({"--json", ws_url(echo.port())}),
                                 environment({{"http_proxy", with_credentials}}));
    INFO(run.describe() << "\ntinyproxy log:\n" << proxy.log());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 0);
    const auto report = testing::parse_valid_report(run.out);
    const auto observed = stage(report, "proxy")["observed"];
    CHECK(observed["source"] == "http_proxy");
    CHECK(observed["proxy"] == "http://alice:***@127.0.0.1:" + std::to_string(proxy.port()));
    CHECK(observed["credentials_sent"] == true);
    CHECK_FALSE(contains(run.out, "s3cret"));
    CHECK_FALSE(contains(run.out, "YWxpY2U6czNjcmV0"));  // base64("alice:s3cret")
  }
  SECTION("HTTPS_PROXY, wss://, human report") {
    test::TestPki pki;
    lab::EchoServerOptions tls;
    tls.tls = pki.leaf();
    lab::EchoServer echo(tls);
    const auto url = "wss://localhost:" + std::to_string(echo.port()) + "/";
    const auto run = run_wsprobe(with_short_budgets({"--no-color", "--cacert", pki.ca_file(), url}),
                                 environment({{"HTTPS_PROXY", with_credentials}}));
    INFO(run.describe() << "\ntinyproxy log:\n" << proxy.log());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 0);
    CHECK(contains(run.out, "verdict: PASS"));
    CHECK_FALSE(contains(run.out, "s3cret"));
  }
  SECTION("no credentials: exit 1, proxy_auth_required") {
    lab::EchoServer echo{lab::EchoServerOptions{}};
    const auto run =
        run_wsprobe(with_short_budgets({"--json", ws_url(echo.port())}), environment({{"HTTP_PROXY", proxy.url()}}));
    INFO(run.describe());
    REQUIRE_FALSE(run.timed_out);
    CHECK(run.exit_code == 1);
    const auto report = testing::parse_valid_report(run.out);
    CHECK(report["results"][0]["verdict"]["cause"] == "proxy_auth_required");
    CHECK(report["results"][0]["verdict"]["stage"] == "proxy");
    CHECK(stage(report, "proxy")["observed"]["status_code"] == 407);
  }
}

TEST_CASE("NO_PROXY and --noproxy send the target around the proxy", "[cli][proxy]") {
  lab::EchoServer echo{lab::EchoServerOptions{}};
  test::RefusingPort dead_proxy;  // would fail the probe if it were used
  const auto dead = "http://127.0.0.1:" + std::to_string(dead_proxy.port());

  SECTION("--noproxy over HTTP_PROXY") {
    const auto run = run_wsprobe(with_short_budgets({"--json", "--noproxy", "127.0.0.1", ws_url(echo.port())}),
                                 environment({{"HTTP_PROXY", dead}}));
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    const auto report = testing::parse_valid_report(run.out);
    CHECK(stage(report, "proxy")["status"] == "skipped");
    CHECK(stage(report, "tcp")["status"] == "ok");
  }
  SECTION("NO_PROXY=* with --proxy") {
    const auto run = run_wsprobe(with_short_budgets({"--json", "--proxy", dead, ws_url(echo.port())}),
                                 environment({{"NO_PROXY", "*"}}));
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(stage(testing::parse_valid_report(run.out), "proxy")["status"] == "skipped");
  }
  SECTION("--proxy '' ignores ALL_PROXY") {
    const auto run = run_wsprobe(with_short_budgets({"--json", "--proxy", "", ws_url(echo.port())}),
                                 environment({{"ALL_PROXY", dead}}));
    INFO(run.describe());
    CHECK(run.exit_code == 0);
  }
  SECTION("without them the dead proxy is used: exit 1, proxy_unreachable") {
    const auto run =
        run_wsprobe(with_short_budgets({"--json", ws_url(echo.port())}), environment({{"ALL_PROXY", dead}}));
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    const auto report = testing::parse_valid_report(run.out);
    CHECK(report["results"][0]["verdict"]["cause"] == "proxy_unreachable");
    CHECK(stage(report, "proxy")["observed"]["source"] == "ALL_PROXY");
  }
}

TEST_CASE("a malformed proxy variable exits 2 and names the variable", "[cli][proxy]") {
  const auto run = run_wsprobe({"ws://127.0.0.1:9/"}, environment({{"HTTPS_PROXY", "ftp://x"}, {"http_proxy", "ftp://u:pw@x"}}));
  INFO(run.describe());
  CHECK(run.exit_code == 2);
  CHECK(contains(run.err, "http_proxy: 'ftp://u:***@x' is not a proxy URL"));
  CHECK_FALSE(contains(run.err, "pw@"));
}

}  // namespace
}  // namespace wsprobe

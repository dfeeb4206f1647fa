// The JUnit report as CI servers read it: valid against the common schema (tests/support/junit.xsd,
// checked by xmllint), counts that add up, one testcase per target and node, failures only for
// failed verdicts, and no byte from the network that could break the XML.
#include <catch2/catch.hpp>

#include <algorithm>

#include "report/junit.hpp"
#include "report/temp_file.hpp"
#include "support/report_fixtures.hpp"
#include "support/run_binary.hpp"
#include "support/text_checks.hpp"
#include "wire/utf8.hpp"

using namespace wsprobe;
using namespace std::string_literals;
using wsprobe::testing::TempFile;

namespace {

using wsprobe::test::occurrences;

const std::string kSchema = std::string(WSPROBE_SOURCE_DIR) + "/tests/support/junit.xsd";
const std::string kXmllint = "/usr/bin/xmllint";  // Debian libxml2-utils (scripts/setup.sh)

test::BinaryRun validate(const std::string& xml) {
  const TempFile file("report.xml", xml);
  return test::run_binary(kXmllint, {"--noout", "--schema", kSchema, file.path()});
}

// What an XPath expression evaluates to over the document, as xmllint prints it.
std::string xpath(const std::string& xml, const std::string& expression) {
  const TempFile file("report.xml", xml);
  const auto run = test::run_binary(kXmllint, {"--xpath", expression, file.path()});
  INFO(run.describe());
  REQUIRE(run.exit_code == 0);
  auto out = run.out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A 403 whose every string a peer or a targets file controls holds what XML 1.0 forbids or
// must escape: C0 controls, bytes that are not UTF-8, U+FFFF, "]]>", quotes and markup.
RunReport hostile_junit_report() {
  auto report = fixtures::fail_upgrade_403();
  auto& result = report.results.front();
  result.target.name = "api \"prod\" <b>&\x01";
  result.target.tags = {"a\x1b[31m", "b\xff"};
  result.verdict.summary = "403 from \x07<evil a=\"1\">]]>\xef\xbf\xbf \xc3\x28 end";
  result.stages[4].detail = "HTTP 403\x00\x0b\x0c]]>"s;
  auto& upgrade = *result.observed.upgrade;
  upgrade.headers.push_back({"Server", "\x01\x02</failure></testcase>\r\n\xfe"});
  upgrade.status_line = "HTTP/1.1 403 \x1b[32mOK";
  return report;
}

}  // namespace

TEST_CASE("every fixture's JUnit report is valid against the common JUnit schema", "[report][junit]") {
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) {
      const auto run = validate(render_junit(report));
      INFO(run.describe());
      CHECK(run.exit_code == 0);
    }
  }
}

TEST_CASE("a run without results is still a valid JUnit report", "[report][junit]") {
  RunReport empty;
  empty.tool.version = "0.1.0";
  const auto xml = render_junit(empty);
  const auto run = validate(xml);
  INFO(run.describe());
  CHECK(run.exit_code == 0);
  CHECK(xpath(xml, "string(/testsuites/@tests)") == "0");
}

TEST_CASE("the JUnit schema check rejects a document CI servers could not read", "[report][junit]") {
  // Each is one mistake away from a valid report.
  const std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>";
  const std::vector<std::string> invalid{
      head + "<testsuite name=\"wsprobe\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase name=\"x\"/></testsuite></testsuites>",
      head + "<testsuite name=\"wsprobe\" tests=\"1\" failures=\"many\" errors=\"0\"></testsuite></testsuites>",
      head + "<testsuite name=\"wsprobe\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"1,5\"></testsuite></testsuites>",
      head + "<testsuite name=\"wsprobe\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase name=\"x\" classname=\"y\">"
             "<system-out/><failure/></testcase></testsuite></testsuites>",
      head + "<testsuite name=\"wsprobe\" tests=\"1\" failures=\"0\" errors=\"0\"></testsuite>",  // not well-formed
  };
  for (const auto& document : invalid) {
    INFO(document);
    CHECK(validate(document).exit_code != 0);
  }
}

TEST_CASE("JUnit counts add up to the testcases and their failures", "[report][junit]") {
  const std::string counts_hold =
      "count(//testcase) = /testsuites/@tests and count(//testcase) = //testsuite/@tests and "
      "count(//failure) = /testsuites/@failures and count(//failure) = //testsuite/@failures and "
      "count(//error) = /testsuites/@errors and count(//error) = //testsuite/@errors";
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) { CHECK(xpath(render_junit(report), counts_hold) == "true"); }
  }
  const auto multi = render_junit(fixtures::multi_target());
  CHECK(xpath(multi, "string(/testsuites/@tests)") == "6");
  CHECK(xpath(multi, "string(/testsuites/@failures)") == "4");  // the degraded target passes
}

TEST_CASE("a failed target's failure names the verdict and carries the evidence, fix and timeline", "[report][junit]") {
  const auto xml = render_junit(fixtures::fail_upgrade_403());
  CHECK(xpath(xml, "string(//failure/@type)") == "upgrade_rejected_auth");
  CHECK(xpath(xml, "string(//failure/@message)").starts_with("FAIL at upgrade: upgrade_rejected_auth - The load balancer"));
  const auto body = xpath(xml, "string(//failure)");
  CHECK(body.find("evidence: HTTP/1.1 403 Forbidden") != std::string::npos);
  CHECK(body.find("fix: Check the ALB listener rules") != std::string::npos);
  CHECK(body.find("  upgrade FAIL") != std::string::npos);  // the stage line, with its times after it
  CHECK(body.find("HTTP 403 instead of 101") != std::string::npos);
  CHECK(xpath(xml, "string(//testcase/@classname)") == "wsprobe.api_example_test");
  CHECK(xpath(xml, "count(//testsuite/@hostname)") == "0");
}

TEST_CASE("a degraded target passes with its warnings in system-out", "[report][junit]") {
  const auto xml = render_junit(fixtures::degraded_insecure());
  CHECK(xpath(xml, "count(//failure) + count(//error)") == "0");
  CHECK(xpath(xml, "string(//testcase/system-out)").find("tls_verification_disabled") != std::string::npos);
}

TEST_CASE("JUnit testcases carry names, tags and broken assertions from a targets file", "[report][junit]") {
  const auto xml = render_junit(fixtures::fleet_named());
  CHECK(xpath(xml, "string(//testcase[1]/@name)") == "echo-eu");
  CHECK(xpath(xml, "string(//testcase[1]/properties/property[@name='tags']/@value)") == "prod,eu-west-1");
  CHECK(xpath(xml, "string(//testcase[1]/properties/property[@name='url']/@value)") == "wss://echo.example.test/socket");
  // A target without a name is named by its URL.
  CHECK(xpath(xml, "string(//testcase[4]/@name)") == "wss://slow.example.test/ws");

  // --max-stage broken, verdict degraded: it passes, the assertion shows in system-out.
  CHECK(xpath(xml, "count(//testcase[@name='echo-us']/failure)") == "0");
  CHECK(xpath(xml, "string(//testcase[@name='echo-us']/system-out)").find("assertion: --max-stage tls=20ms") !=
        std::string::npos);
  // --min-cert-days broken under --fail-on warn: the verdict failed, so the testcase fails.
  CHECK(xpath(xml, "string(//testcase[@name='api']/failure/@message)") ==
        "FAIL at tls: cert_lifetime_short (--min-cert-days 400) - The certificate expires in 212 days "
        "(2026-01-01T00:00:00Z); --min-cert-days asks for 400.");
  // Not probed before --deadline: the test could not run, an error rather than a failure.
  CHECK(xpath(xml, "string(//testcase[4]/error/@type)") == "run_deadline_exceeded");
  CHECK(xpath(xml, "string(/testsuites/@errors)") == "1");
}

TEST_CASE("under --all-addresses the target and each node are testcases of their own", "[report][junit]") {
  const auto xml = render_junit(fixtures::fail_nodes_partial());
  CHECK(xpath(xml, "count(//testcase)") == "4");
  CHECK(xpath(xml, "string(//testcase[1]/failure/@type)") == "lb_node_partial_failure");
  CHECK(xpath(xml, "count(//testcase[starts-with(@name, 'wss://ws.example.test/live (')]/failure)") == "1");
  CHECK(xpath(xml, "string(//testcase[@name='wss://ws.example.test/live (203.0.113.43)']/failure/@type)") ==
        "tcp_timeout");
  CHECK(xpath(xml, "string(//testcase[4]/properties/property[@name='address']/@value)") == "203.0.113.43");
}

TEST_CASE("bytes from the network cannot break the JUnit XML", "[report][junit]") {
  const auto xml = render_junit(hostile_junit_report());
  const auto run = validate(xml);
  INFO(run.describe());
  CHECK(run.exit_code == 0);
  CHECK(is_valid_utf8(xml));
  const auto forbidden = std::count_if(xml.begin(), xml.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t';
  });
  CHECK(forbidden == 0);
  CHECK(xml.find("\xef\xbf\xbf") == std::string::npos);
  CHECK(occurrences(xml, "]]>") == 0);
  CHECK(occurrences(xml, "<failure") == 1);
  CHECK(occurrences(xml, "</testcase>") == 1);
  // What the peer sent stays readable: escaped, not dropped.
  CHECK(xpath(xml, "string(//testcase/@name)") == "api \"prod\" <b>&\\x01");
  CHECK(xpath(xml, "string(//failure)").find("Server: \\x01\\x02</failure></testcase>") != std::string::npos);
}

// Properties of the human report the golden files do not make obvious.
#include <catch2/catch.hpp>

#include "report/human.hpp"
#include "report/json.hpp"
#include "report/junit.hpp"
#include "report/markdown.hpp"
#include "report/text.hpp"
#include "support/report_fixtures.hpp"

using namespace wsprobe;

namespace {

const HumanStyle kPlain{false, false};
const HumanStyle kColor{true, false};

bool has_esc(const std::string& text) { return text.find('\x1b') != std::string::npos; }

// A 403 whose headers and body carry terminal escapes and bytes that are not UTF-8.
RunReport hostile_response() {
  auto report = fixtures::fail_upgrade_403();
  auto& upgrade = *report.results.front().observed.upgrade;
  upgrade.headers.push_back({"Server", "evil\x1b]0;owned\x07\x1b[2J"});
  upgrade.status_line = "HTTP/1.1 403 \x1b[32mOK\x1b[0m";
  upgrade.body = "caf\xc3\xa9 \xff\xfe \xc2\x9b" "31m\n";
  report.results.front().stages[4].detail = "bad \x1b[1m detail";
  return report;
}

}  // namespace

TEST_CASE("plain output holds no escape byte; colour output does", "[report][human]") {
  for (const auto& [name, report] : fixtures::all_reports()) {
    SECTION(name) {
      CHECK_FALSE(has_esc(render_human(report, kPlain)));
      CHECK_FALSE(has_esc(render_human(report, HumanStyle{false, true})));
      CHECK(has_esc(render_human(report, kColor)));
    }
  }
}

TEST_CASE("bytes from the peer cannot reach the terminal as controls", "[report][human]") {
  const auto report = hostile_response();
  for (const bool verbose : {false, true}) {
    const auto text = render_human(report, HumanStyle{false, verbose});
    CHECK_FALSE(has_esc(text));
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find("\\x1b[32mOK") != std::string::npos);
    CHECK(text.find("bad \\x1b[1m detail") != std::string::npos);
    CHECK(text.find("caf\xc3\xa9 \\xff\\xfe \\xc2\\x9b31m") != std::string::npos);  // UTF-8 kept, the rest escaped
  }
  // Colour output holds only our own escapes: each one is an SGR sequence.
  const auto colored = render_human(report, kColor);
  for (auto at = colored.find('\x1b'); at != std::string::npos; at = colored.find('\x1b', at + 1)) {
    const auto end = colored.find('m', at);
    REQUIRE(end != std::string::npos);
    CHECK(colored.substr(at + 1, 1) == "[");
    CHECK(colored.substr(at + 2, end - at - 2).find_first_not_of("0123456789;") == std::string::npos);
  }
}

TEST_CASE("the verdict line names stage, cause and summary", "[report][human]") {
  CHECK(render_human(fixtures::pass_wss(), kPlain).find("\nverdict: PASS") != std::string::npos);
  const auto text = render_human(fixtures::fail_upgrade_403(), kPlain);
  CHECK(text.find("\nverdict: FAIL at upgrade: upgrade_rejected_auth") != std::string::npos);
  CHECK(text.find("hop: client to edge") != std::string::npos);
}

TEST_CASE("an unknown cause id is shown as the id alone", "[report][human]") {
  auto report = fixtures::fail_dns_skipped();
  report.results.front().verdict.cause = "cause_not_in_any_catalogue";
  report.results.front().verdict.summary = "s";
  CHECK(render_human(report, kPlain).find("verdict: FAIL at dns: cause_not_in_any_catalogue - s\n") !=
        std::string::npos);
}

TEST_CASE("several targets end with a summary and one line per target", "[report][human]") {
  const auto text = render_human(fixtures::multi_target(), kPlain);
  const auto summary = text.find("\n6 targets: 1 pass, 1 degraded, 4 fail\n");
  REQUIRE(summary != std::string::npos);
  // After the summary: the six targets in input order, each with its verdict and failing cause.
  CHECK(text.find("  PASS ", summary) < text.find("  FAIL ", summary));
  CHECK(text.find("tcp: tcp_refused", summary) < text.find("upgrade: upgrade_rejected_auth", summary));
  CHECK(text.find("tls: tls_to_plaintext_port", summary) != std::string::npos);
  CHECK(render_human(fixtures::pass_wss(), kPlain).find("targets:") == std::string::npos);
}

TEST_CASE("plain lines stay under 100 columns", "[report][human]") {
  // Verbose output may exceed it (a SHA-256 fingerprint alone is 95 characters).
  for (const auto& [name, report] : fixtures::all_reports()) {
    const auto text = render_human(report, kPlain);
    std::size_t start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; start = end + 1, end = text.find('\n', start)) {
      const auto line = text.substr(start, end - start);
      INFO(name << ": " << line);
      CHECK(text::columns(line) < 100);
      CHECK((line.empty() || line.back() != ' '));
    }
  }
}

TEST_CASE("durations in milliseconds with sensible precision", "[report][human]") {
  using std::chrono::microseconds;
  CHECK(text::format_ms(microseconds(0)) == "0.00ms");
  CHECK(text::format_ms(microseconds(415)) == "0.42ms");
  CHECK(text::format_ms(microseconds(9994)) == "9.99ms");
  CHECK(text::format_ms(microseconds(9995)) == "10.0ms");
  CHECK(text::format_ms(microseconds(24080)) == "24.1ms");
  CHECK(text::format_ms(microseconds(152400)) == "152ms");
  CHECK(text::format_ms(microseconds(9999400)) == "9999ms");
  CHECK(text::format_ms(microseconds(9999600)) == "10.0s");  // a hold's times read in seconds
  CHECK(text::format_ms(microseconds(60004000)) == "60.0s");
  CHECK(text::format_ms(microseconds(350049999)) == "350.0s");
}

// Issue 11: a URL or a target name as typed (argv, a targets file) is the user's bytes, escaped as
// a peer's are; a 100 KB URL is shown as its start and end with its length, in every report a
// person reads (the JSON keeps it whole).
TEST_CASE("URLs and names as typed are escaped, and shortened when huge, wherever people read them",
          "[report][human]") {
  auto report = fixtures::multi_target();
  report.results[0].target.url = "ws://evil.example/\x1b]0;pwned\x07";
  report.results[1].target.name = "name \x1b[2J";
  report.results[1].target.url = "wss://long.example/?q=" + std::string(100000, 'a') + "&end=yes";
  const auto length = "(" + std::to_string(report.results[1].target.url.size()) + " bytes)";
  for (const auto& text : {render_human(report, kPlain), render_markdown(report), render_junit(report)}) {
    CHECK_FALSE(has_esc(text));
    CHECK(text.find('\x07') == std::string::npos);
  }
  for (const auto& text : {render_human(report, kPlain), render_markdown(report)}) {
    CHECK(text.find(std::string(1000, 'a')) == std::string::npos);
    CHECK(text.find(length) != std::string::npos);
  }
  // JUnit: the test case's name is shortened; its url property, for machines, stays whole.
  const auto junit = render_junit(report);
  CHECK(junit.find("<testcase name=\"name \\x1b[2J\"") != std::string::npos);
  CHECK(junit.find(std::string(100000, 'a')) != std::string::npos);
  const auto human = render_human(report, kPlain);
  CHECK(human.find("ws://evil.example/\\x1b]0;pwned\\x07") != std::string::npos);
  CHECK(human.find("&end=yes") != std::string::npos);  // the end of the URL stays
  CHECK(render_json(report).find(std::string(100000, 'a')) != std::string::npos);
}

TEST_CASE("shortened text is cut between UTF-8 sequences and escapes, never inside one", "[report][text]") {
  CHECK(text::shorten_for_display("short") == "short");
  std::string accents(10, 'x');
  for (int i = 0; i < 150; ++i) accents += "\xc3\xa9";  // é, two bytes each
  const auto cut = text::shorten_for_display(accents);
  CHECK(text::valid_utf8(cut) == cut);
  const auto escaped = text::shorten_for_display(std::string(132, 'a') + "\\x1b" + std::string(300, 'b'));
  CHECK(escaped.find("\\x1") == escaped.find("\\x1b"));  // no half escape at the cut
}

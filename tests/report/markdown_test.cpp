// The Markdown support bundle: what a ticket needs is there, and nothing a peer sent can break a
// table, open a tag or a link, or close a code block early.
#include <catch2/catch.hpp>

#include "report/markdown.hpp"
#include "support/report_fixtures.hpp"
#include "support/text_checks.hpp"

using namespace wsprobe;

namespace {

using wsprobe::test::contains;
using wsprobe::test::lines_of;

// The lines outside fenced code blocks, as a CommonMark reader splits them: a fence closes only
// on a line of at least as many backticks and nothing else.
std::vector<std::string> prose_lines(const std::string& markdown) {
  std::vector<std::string> prose;
  std::size_t open_fence = 0;
  for (const auto& line : lines_of(markdown)) {
    const auto ticks = line.find_first_not_of('`');
    const auto run = ticks == std::string::npos ? line.size() : ticks;
    if (open_fence == 0 && run >= 3) {
      open_fence = run;
    } else if (open_fence > 0 && run >= open_fence && ticks == std::string::npos) {
      open_fence = 0;
    } else if (open_fence == 0) {
      prose.push_back(line);
    }
  }
  CHECK(open_fence == 0);  // every block closed
  return prose;
}

// Pipes that separate table columns: those not escaped with a backslash.
std::size_t column_pipes(const std::string& line) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') ++i;
    else if (line[i] == '|') ++count;
  }
  return count;
}

// A 403 whose status line, headers, body, stage detail and target name carry Markdown and HTML.
RunReport hostile_markdown_report() {
  auto report = fixtures::fail_upgrade_403();
  auto& result = report.results.front();
  result.target.name = "# api | <img src=x onerror=alert(1)>";
  result.stages[4].detail = "HTTP 403 | `code` <script>alert(1)</script>\n| injected | row |";
  auto& upgrade = *result.observed.upgrade;
  upgrade.status_line = "HTTP/1.1 403 [click](https://evil.example.test) *bold* _it_";
  upgrade.headers.push_back({"X-Evil", "a|b`c<b>d</b>&amp;"});
  upgrade.body = "before\n```\n# not a heading\n<script>alert(1)</script>\n````\nafter";
  result.verdict.summary = "summary with | pipe and <tag>";
  return report;
}

}  // namespace

TEST_CASE("the support bundle holds the verdict, findings, timings, what the server sent and the environment",
          "[report][markdown]") {
  const auto text = render_markdown(fixtures::fail_upgrade_403());
  CHECK(text.starts_with("# wsprobe report\n"));
  CHECK(contains(text, "\n## wss://api.example.test/v1/stream\n"));
  CHECK(contains(text, "\n**FAIL** at upgrade: `upgrade_rejected_auth`"));
  CHECK(contains(text, "- Hop: client to edge\n"));
  CHECK(contains(text, "  - Evidence: HTTP/1.1 403 Forbidden\n"));
  CHECK(contains(text, "  - Fix: Check the ALB listener rules"));
  CHECK(contains(text, "| stage | status | start | duration | detail |\n"));
  CHECK(contains(text, "| upgrade | failed | +39.4ms | 22.1ms | upgrade\\_rejected: HTTP 403 instead of 101 |\n"));
  CHECK(contains(text, "| echo | skipped | - | - |  |\n"));
  CHECK(contains(text, "**Response headers**\n\n```\nHTTP/1.1 403 Forbidden\nServer: awselb/2.0\n"));
  CHECK(contains(text, "- `plain_get`: How does the same path answer"));
  CHECK(contains(text, "- AWS ALB (load balancer, likely): Server: awselb/2.0\n"));
  CHECK(contains(text, "\n## Environment\n\n- wsprobe 0.1.0\n"));
  CHECK(contains(text, "```\nwsprobe --json wss://api.example.test/v1/stream\n```\n"));
  CHECK(text.ends_with("```\n"));
}

TEST_CASE("the support bundle of a fleet names targets, tags, assertions and the environment pairs",
          "[report][markdown]") {
  const auto text = render_markdown(fixtures::fleet_named());
  CHECK(contains(text, "4 targets: 1 pass, 1 degraded, 2 fail\n"));
  CHECK(contains(text, "| echo-us | degraded | `stage_slow` | - | 97.2ms |\n"));
  CHECK(contains(text, "\n## api (wss://api.example.test/v2/stream?token=REDACTED)\n"));
  CHECK(contains(text, "- Tags: prod, eu-west-1\n"));
  CHECK(contains(text, "  - Assertion: --max-stage tls=20ms\n"));
  CHECK(contains(text, "- os: Linux 6.1.0-18-amd64 x86\\_64\n"));
  CHECK(contains(text, "- Certificate: CN=echo.example.test, issued by"));
  CHECK(contains(text, "(212 days after the probe)"));
}

TEST_CASE("under --all-addresses the bundle has a node table", "[report][markdown]") {
  const auto text = render_markdown(fixtures::fail_nodes_partial());
  CHECK(contains(text,
                 "| 203.0.113.43 | fail | `tcp_timeout` | 5.00ms | tcp: connect\\_timeout: no answer to SYN within "
                 "5000 ms |\n"));
}

TEST_CASE("bytes from the network cannot break the Markdown", "[report][markdown]") {
  const auto text = render_markdown(hostile_markdown_report());
  const auto prose = prose_lines(text);
  for (const auto& line : prose) {
    INFO(line);
    // Outside code blocks no raw markup survives: each '<' and '[' is escaped (our own bold and
    // code spans use '*' and '`', so those are checked through the exact texts below).
    std::size_t raw_markup = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\') ++i;
      else if (line[i] == '<' || line[i] == '[') ++raw_markup;
    }
    CHECK(raw_markup == 0);
    CHECK_FALSE(line.starts_with("# not"));  // no heading the peer wrote
  }
  // Every row of the stage table has the header's columns.
  bool in_table = false;
  std::size_t rows = 0;
  for (const auto& line : prose) {
    if (line == "| stage | status | start | duration | detail |") in_table = true;
    else if (line.empty()) in_table = false;
    else if (in_table) {
      INFO(line);
      CHECK(column_pipes(line) == 6);
      ++rows;
    }
  }
  CHECK(rows == 9);  // the separator and eight stages: the injected row did not start a ninth stage
  CHECK(contains(text, "HTTP 403 \\| \\`code\\` \\<script\\>alert(1)\\</script\\>\\\\n\\| injected \\| row \\|"));
  // The body is shown as sent, inside a fence longer than the backtick runs it holds.
  CHECK(contains(text, "`````\nbefore\n```\n# not a heading\n<script>alert(1)</script>\n````\nafter\n`````\n"));
}

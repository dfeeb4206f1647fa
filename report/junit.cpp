#include "report/junit.hpp"

#include <algorithm>

#include "report/human.hpp"
#include "report/text.hpp"
#include "wire/utf8.hpp"

namespace wsprobe {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// XML 1.0 §2.2: a document may hold tab, LF, CR, and U+0020 up, except U+FFFE and U+FFFF
// (surrogates cannot occur in valid UTF-8). Anything else is replaced by U+FFFD, so bytes from
// the network can never make the file unparseable. In attributes, tab, LF and CR are written as
// character references: a parser would otherwise normalise them to spaces (§3.3.3).
std::string xml_escaped(std::string_view raw, bool attribute) {
  const auto utf8 = text::valid_utf8(raw);
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const auto length = std::max<std::size_t>(1, utf8_sequence_length(utf8, i));
    const auto sequence = std::string_view(utf8).substr(i, length);
    i += length;
    if (sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF") {
      out += kReplacement;
      continue;
    }
    const char c = sequence.front();
    switch (c) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;  // "]]>" may not stand in text
      case '"': out += attribute ? "&quot;" : "\""; continue;
      case '\t': out += attribute ? "&#9;" : "\t"; continue;
      case '\n': out += attribute ? "&#10;" : "\n"; continue;
      case '\r': out += "&#13;"; continue;  // a bare CR in text would be read as LF (§2.11)
      default: break;
    }
    if (length == 1 && static_cast<unsigned char>(c) < 0x20)
      out += kReplacement;
    else
      out += sequence;
  }
  return out;
}

// An attribute value from the model: terminal-escaped first (a control byte in a peer's reason
// shows as \xNN rather than vanishing), then XML-escaped.
std::string attribute(std::string_view raw) { return xml_escaped(text::escape_for_terminal(raw), true); }

std::string attributes(std::initializer_list<std::pair<std::string_view, std::string>> pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) out += " " + std::string(name) + "=\"" + attribute(value) + "\"";
  return out;
}

// Jenkins splits a classname at its last '.' into package and class: "wsprobe.echo.example.test"
// would list as class "test" in package "wsprobe.echo.example". Dots in the host become '_' so
// every target of a host groups under package "wsprobe", class "echo_example_test".
std::string classname(const Target& target) {
  std::string host = target.host;
  std::replace(host.begin(), host.end(), '.', '_');
  return "wsprobe." + host;
}

// "FAIL at tls: stage_slow (--max-stage tls=300ms) - <summary>"
std::string failure_message(const TargetResult& result) {
  const auto& verdict = result.verdict;
  std::string out(text::verdict_word(verdict.status));
  if (verdict.stage) out += " at " + std::string(to_string(*verdict.stage));
  out += ": " + verdict.cause;
  if (const auto assertion = text::verdict_assertion(result)) out += " (" + *assertion + ")";
  if (!verdict.summary.empty()) out += " - " + verdict.summary;
  return out;
}

// The body of a failure or of system-out: the target's human report (stage timeline with times
// and details, evidence, fixes, broken assertions), already escaped for a terminal.
std::string details(const RunReport& report, const TargetResult& result) {
  RunReport single;
  single.tool = report.tool;
  single.results.push_back(result);
  return render_human(single, HumanStyle{false, false});
}

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0;
};

// A target the run never finished probing (its --deadline passed, or a signal stopped it) is an
// error (the test could not run), not a failure of the endpoint; CI servers count both against
// the build.
bool is_error(const TargetResult& result) {
  return result.verdict.status == VerdictStatus::fail &&
         (result.verdict.cause == "run_deadline_exceeded" || result.verdict.cause == "run_interrupted");
}

void render_testcase(std::string& out, Counts& counts, const RunReport& report, const TargetResult& result,
                     const TargetResult& parent) {
  const auto address = text::node_address(result);
  const auto name = text::target_label(parent.target) + (address ? " (" + *address + ")" : "");
  ++counts.tests;
  out += "    <testcase" +
         attributes({{"name", name},
                     {"classname", classname(parent.target)},
                     {"time", text::format_seconds(result.total_duration)}}) +
         ">\n";

  // Not in Jenkins' junit-10.xsd, but the form pytest, googletest, Playwright and jest-junit
  // write, and readers that do not know it skip it.
  out += "      <properties>\n";
  const auto property = [&](std::string_view key, const std::string& value) {
    out += "        <property" + attributes({{"name", std::string(key)}, {"value", value}}) + "/>\n";
  };
  property("url", parent.target.url);
  if (parent.target.name) property("name", *parent.target.name);
  if (!parent.target.tags.empty()) {
    std::string tags;
    for (const auto& tag : parent.target.tags) tags += (tags.empty() ? "" : ",") + tag;
    property("tags", tags);
  }
  if (address) property("address", *address);
  property("verdict", std::string(to_string(result.verdict.status)));
  property("cause", result.verdict.cause);
  out += "      </properties>\n";

  if (result.verdict.status == VerdictStatus::fail) {
    const bool error = is_error(result);
    ++(error ? counts.errors : counts.failures);
    const std::string element = error ? "error" : "failure";
    out += "      <" + element + attributes({{"message", failure_message(result)}, {"type", result.verdict.cause}}) +
           ">" + xml_escaped(details(report, result), false) + "</" + element + ">\n";
  } else {
    // A degraded target passes; its warnings (and a pass's timeline) are there to read.
    out += "      <system-out>" + xml_escaped(details(report, result), false) + "</system-out>\n";
  }
  out += "    </testcase>\n";
}

}  // namespace

std::string render_junit(const RunReport& report) {
  Counts counts;
  std::string cases;
  Micros time{0};
  std::string earliest;
  for (const auto& result : report.results) {
    render_testcase(cases, counts, report, result, result);
    for (const auto& node : result.nodes) render_testcase(cases, counts, report, node, result);
    // The nodes' probes run within their target's time: counting them again would overstate it.
    time += result.total_duration;
    if (!result.started_at.empty() && (earliest.empty() || result.started_at < earliest)) earliest = result.started_at;
  }
  // The common schema's timestamp has no zone; wsprobe's clock is UTC.
  if (earliest.ends_with('Z')) earliest.pop_back();

  const auto totals = [&] {
    return attributes({{"name", "wsprobe"},
                       {"tests", std::to_string(counts.tests)},
                       {"failures", std::to_string(counts.failures)},
                       {"errors", std::to_string(counts.errors)},
                       {"skipped", "0"},
                       {"time", text::format_seconds(time)}});
  };
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + totals() + ">\n";
  // No hostname: a report leaves the building with support bundles, and the schema lets it out.
  out += "  <testsuite" + totals() + (earliest.empty() ? "" : attributes({{"timestamp", earliest}})) +
         attributes({{"id", "0"}, {"package", "wsprobe"}}) + ">\n";
  out += "    <properties>\n";
  out += "      <property" + attributes({{"name", "wsprobe.version"}, {"value", report.tool.version}}) + "/>\n";
  out += "      <property" + attributes({{"name", "wsprobe.command"}, {"value", text::command_line(report.tool.argv)}}) +
         "/>\n";
  out += "    </properties>\n";
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace wsprobe

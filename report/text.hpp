#pragma once
// Text helpers shared by the renderers: making bytes a peer sent safe to print or to put in JSON,
// durations in milliseconds and seconds, names for the model enums that have no to_string of
// their own, and the facts several reports state alike (a target's label, the verdict's word and
// assertion, a stage's condition, a finding's fix, the certificate's days left). Raw text: each
// renderer escapes for its own format.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/observations.hpp"
#include "model/report.hpp"

namespace wsprobe::text {

// The bytes as valid UTF-8: each byte that does not start a well-formed sequence becomes U+FFFD.
// JSON strings must be UTF-8 (RFC 8259 §8.1) and a peer's headers or body need not be.
std::string valid_utf8(std::string_view bytes);

// The bytes made safe for a terminal: control characters (C0, DEL, C1) and bytes that are not
// well-formed UTF-8 are shown as \xNN (\t, \r, \n as such), so a header or body from the peer can
// neither move the cursor nor change colours. Other UTF-8 passes through.
std::string escape_for_terminal(std::string_view bytes);

// Text longer than `max` bytes (a 100 KB URL) as its start and its end around
// "…(N bytes)…", cut between UTF-8 sequences and never inside a \xNN escape; shorter text as it is.
// For what people read (the human report, Markdown, JUnit names); JSON keeps everything whole.
inline constexpr std::size_t kDisplayMax = 200;
std::string shorten_for_display(std::string_view text, std::size_t max = kDisplayMax);

// Code points in valid UTF-8 text, not counting SGR colour sequences: its width on a terminal,
// near enough for alignment.
std::size_t columns(std::string_view utf8);

// At most `max_columns` code points of valid UTF-8 text, ending in "..." when cut.
std::string clip(std::string_view utf8, std::size_t max_columns);

// "0.42ms", "12.3ms", "152ms": two significant decimals at most, integer arithmetic so golden
// files do not depend on floating-point formatting.
std::string format_ms(Micros duration);

// "0.02408", "60.004", "1": seconds as an exact decimal from integer microseconds, trailing zeros
// dropped; what JUnit's time attributes and Prometheus sample values expect.
std::string format_seconds(Micros duration);

// The command line as one string a shell would split back the same way: words with spaces,
// quotes or shell characters are single-quoted. The words are as given (argv is redacted already).
std::string command_line(const std::vector<std::string>& argv);

// The bytes behind the probe's hex evidence ("48 54 54 50", spaces optional); empty when the text
// is not pairs of hex digits.
std::optional<std::string> bytes_from_hex(std::string_view hex);

// "PASS", "DEGRADED", "FAIL": a verdict as a report's headline word.
std::string_view verdict_word(VerdictStatus status);

// "3 targets: 2 pass, 1 fail": the run's verdicts counted, a count of zero left out.
std::string run_summary(const RunReport& report);

// How reports name a target: its name from a targets file, else its URL (redacted).
std::string target_label(const Target& target);

// --all-addresses: the one address a node's probe connected to; empty for a target's own result.
std::optional<std::string> node_address(const TargetResult& result);

// The assertion behind the verdict ("--max-stage tls=300ms"), when the verdict's cause is a
// broken assertion's finding; empty for the probe's own causes.
std::optional<std::string> verdict_assertion(const TargetResult& result);

// "connect_refused: Connection refused": a stage's coarse condition, then the layer's own words
// (raw: the caller escapes for its format). Empty when there is neither.
std::string stage_condition(const StageResult& stage);

// A finding's fix, else the catalogue's general fix for its id; empty when neither has one.
std::string_view finding_fix(const Finding& finding);

std::string_view echo_mode_name(EchoMode mode);              // "automatic", "require", "off"
std::string_view echo_outcome_name(EchoMessage::Outcome outcome);  // "echoed", "mismatch", "no_reply"

}  // namespace wsprobe::text

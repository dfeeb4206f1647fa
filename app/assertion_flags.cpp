#include "app/assertion_flags.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

#include "app/option_values.hpp"

namespace wsprobe {
namespace {

constexpr const char* kQuantiles[] = {"min", "p50", "p90", "p95", "p99", "max", "mean"};

struct NameAndLimit {
  std::string name;
  Micros limit{0};
};

// "NAME=DURATION" with a positive duration, or the usage error's words.
std::optional<NameAndLimit> split_limit(const std::string& text, std::string& error, const char* flag,
                                        const char* shape) {
  const auto equals = text.find('=');
  const auto limit = equals == std::string::npos ? std::nullopt : parse_micros(text.substr(equals + 1));
  if (!limit || limit->count() <= 0) {
    error = std::string(flag) + ": '" + text + "' is not " + shape;
    return std::nullopt;
  }
  return NameAndLimit{text.substr(0, equals), *limit};
}

// A limit on the same quantile or stage as one already there replaces it: an entry overrides
// the command line's.
template <typename Limit, typename Key>
void put_limit(std::vector<Limit>& limits, Limit limit, Key key) {
  std::erase_if(limits, [&](const Limit& existing) { return key(existing) == key(limit); });
  limits.push_back(std::move(limit));
}

}  // namespace

void add_assertion_flags(CLI::App& app, AssertionFlags& flags) {
  const auto* group = "Assertions (CI checks; a broken one is a finding)";
  app.add_option("--max-latency", flags.max_latency,
                 "This round-trip figure must not exceed DURATION; QUANTILE: min, p50, p90, p95, p99, max, mean "
                 "(e.g. p95=200ms; repeatable)")
      ->type_name("QUANTILE=DURATION")
      ->allow_extra_args(false)
      ->group(group);
  app.add_option("--max-stage", flags.max_stage,
                 "This stage must not take longer than DURATION; STAGE: dns, proxy, tcp, tls, upgrade, echo, hold, "
                 "close (e.g. tls=300ms; repeatable)")
      ->type_name("STAGE=DURATION")
      ->allow_extra_args(false)
      ->group(group);
  app.add_option("--min-cert-days", flags.min_cert_days,
                 "The server certificate must stay valid at least this many days")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 3650))
      ->group(group);
  app.add_option("--expect-subprotocol", flags.expect_subprotocol,
                 "The server must select this subprotocol (it is offered too)")
      ->group(group);
  app.add_option("--expect-status", flags.expect_status,
                 "The upgrade must be answered with this HTTP status (default: 101; e.g. 401 for an endpoint that "
                 "must refuse)")
      ->type_name("STATUS")
      ->check(CLI::Range(100, 599))
      ->group(group);
  app.add_option("--fail-on", flags.fail_on,
                 "warn: a broken assertion or warning fails the target (exit 1); fail (default): it only degrades "
                 "it (exit 3)")
      ->check(CLI::IsMember({"warn", "fail"}))
      ->group(group);
}

std::optional<std::string> apply_assertion_flags(const AssertionFlags& flags, ProbeOptions& probe) {
  auto& assertions = probe.assertions;
  std::string error;
  for (const auto& text : flags.max_latency) {
    const auto parsed = split_limit(text, error, "--max-latency", "QUANTILE=DURATION (e.g. p95=200ms)");
    if (!parsed) return error;
    if (std::find(std::begin(kQuantiles), std::end(kQuantiles), parsed->name) == std::end(kQuantiles))
      return "--max-latency: '" + text + "': '" + parsed->name +
             "' is not a quantile (min, p50, p90, p95, p99, max, mean)";
    put_limit(assertions.max_latency, LatencyLimit{parsed->name, parsed->limit, text},
              [](const LatencyLimit& l) { return l.quantile; });
  }
  for (const auto& text : flags.max_stage) {
    const auto parsed = split_limit(text, error, "--max-stage", "STAGE=DURATION (e.g. tls=300ms)");
    if (!parsed) return error;
    const auto stage = stage_from_string(parsed->name);
    if (!stage)
      return "--max-stage: '" + text + "': '" + parsed->name +
             "' is not a stage (dns, proxy, tcp, tls, upgrade, echo, hold, close)";
    put_limit(assertions.max_stage, StageLimit{*stage, parsed->limit, text}, [](const StageLimit& l) { return l.stage; });
  }
  if (flags.min_cert_days) assertions.min_cert_days = flags.min_cert_days;
  if (flags.expect_subprotocol) {
    const auto& name = *flags.expect_subprotocol;
    // RFC 6455 §4.1: a subprotocol is an HTTP token; the server can only select what was offered.
    if (name.empty() || name.find_first_of(" \t\r\n,;\"") != std::string::npos)
      return "--expect-subprotocol: '" + name + "' is not a subprotocol name";
    assertions.expect_subprotocol = name;
    if (std::find(probe.subprotocols.begin(), probe.subprotocols.end(), name) == probe.subprotocols.end())
      probe.subprotocols.push_back(name);
  }
  if (flags.expect_status) assertions.expect_status = flags.expect_status;
  if (flags.fail_on) assertions.fail_on = *flags.fail_on == "warn" ? FailOn::warn : FailOn::fail;
  return std::nullopt;
}

}  // namespace wsprobe

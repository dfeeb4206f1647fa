#pragma once
// The rules, one family per file; each reads observations and returns the findings they support.
#include <optional>
#include <vector>

#include "model/report.hpp"

namespace wsprobe {

// The cause of a failed stage, from its condition and what it observed.
std::optional<Finding> explain_dns_failure(const StageResult& stage, const Observations& observed);
std::optional<Finding> explain_tcp_failure(const StageResult& stage, const Observations& observed);
std::optional<Finding> explain_tls_failure(const StageResult& stage, const Observations& observed,
                                           const Target& target);
std::optional<Finding> explain_upgrade_failure(const StageResult& stage, const Observations& observed,
                                               const Target& target);
std::optional<Finding> explain_session_failure(const StageResult& stage, const Observations& observed);

// Warnings and notes on stages that passed.
std::vector<Finding> find_warnings(const TargetResult& result);

// A finding with the catalogue's summary and fix for `id`.
Finding make_finding(std::string_view id, Severity severity, Stage stage, Confidence confidence);

}  // namespace wsprobe

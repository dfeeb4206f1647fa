#pragma once
// The rule-test table: one synthetic probe per cause the rules can produce today, with the verdict
// a user should read. tests/checks/rules_test.cpp runs it; tests/checks/catalogue_test.cpp checks
// that every id it yields is catalogued.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/report.hpp"

namespace wsprobe::testing {

struct RuleScenario {
  RuleScenario(std::string name, std::function<TargetResult()> make, VerdictStatus status,
               std::optional<Stage> stage, std::string cause, std::optional<std::string> hop = std::nullopt,
               std::string summary_has = "", std::string summary_lacks = "")
      : name(std::move(name)), make(std::move(make)), status(status), stage(stage), cause(std::move(cause)),
        hop(std::move(hop)), summary_has(std::move(summary_has)), summary_lacks(std::move(summary_lacks)) {}

  std::string name;
  std::function<TargetResult()> make;
  VerdictStatus status;
  std::optional<Stage> stage;       // the verdict's stage (only a fail names one)
  std::string cause;                // the verdict's cause id
  std::optional<std::string> hop;   // the verdict's hop, when the rule names one
  std::string summary_has;          // a phrase the verdict's summary must contain, when the rule words it
  std::string summary_lacks;        // a phrase it must not contain
};

std::vector<RuleScenario> rule_scenarios();

}  // namespace wsprobe::testing

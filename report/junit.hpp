#pragma once
// The JUnit XML report (--junit FILE) that CI servers read (Jenkins, GitLab, GitHub Actions
// reporters): <testsuites> with one <testsuite name="wsprobe">, one <testcase> per target (per
// node under --all-addresses), in input order. A failed target carries <failure> whose message
// is the verdict line and whose text is the evidence, the fix and the stage timeline; a degraded
// one passes with the warnings in <system-out>, unless --fail-on warn made it fail. Valid against
// the common JUnit schema (tests/support/junit.xsd). Secrets are as redacted as in the results.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

std::string render_junit(const RunReport& report);

}  // namespace wsprobe

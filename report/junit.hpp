#pragma once
// The JUnit XML report (--junit FILE) that CI servers read (Jenkins, GitLab, GitHub Actions
// reporters), valid against the common JUnit schema (tests/support/junit.xsd):
//
//   <testsuites name="wsprobe" tests failures errors skipped="0" time>
//     <testsuite name="wsprobe" ... timestamp="2025-06-02T09:30:00" id="0" package="wsprobe">
//       <properties> wsprobe.version, wsprobe.command (argv, redacted) </properties>
//       <testcase name="<target name, else url>" classname="wsprobe.<host, dots as _>" time="s">
//         <properties> url, name, tags ("a,b"), address (a node), verdict, cause </properties>
//         <failure message="FAIL at tls: <cause> (<assertion>) - <summary>" type="<cause>">
//           the target's human report: stage timeline, evidence, fixes, broken assertions
//         </failure>                       (or <system-out> with the same text when not failed)
//       </testcase>
//
// One testcase per target in input order; under --all-addresses the target's own testcase (its
// verdict folds the nodes': lb_node_partial_failure) is followed by one per node, named
// "<target> (<address>)". A testcase fails exactly when its verdict is fail (--fail-on warn has
// already made a warning fail it); run_deadline_exceeded (not probed in time) is an <error>
// instead. Times are seconds; the suite's is the sum of the targets' own (nodes run inside
// theirs); the timestamp is the earliest target start, UTC without a zone. No hostname. Every
// string is valid UTF-8 with no character XML 1.0 forbids. Secrets as redacted as in the results.
#include <string>

#include "model/report.hpp"

namespace wsprobe {

std::string render_junit(const RunReport& report);

}  // namespace wsprobe

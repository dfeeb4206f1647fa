#pragma once
// One run of wsprobe: probe every target, diagnose, render, and the exit code.
#include "app/cli.hpp"

namespace wsprobe {

// Exit codes (README): 0 pass, 1 fail, 3 degraded; 2 (usage) is the CLI's, 4 an internal error.
int run(const CliOptions& cli);

}  // namespace wsprobe

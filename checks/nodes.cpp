// PLACEHOLDER: replaced by the --all-addresses work (issue 4).
#include "checks/verdict.hpp"

namespace wsprobe {

void diagnose_nodes(TargetResult&) {}

}  // namespace wsprobe

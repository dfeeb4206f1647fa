// PLACEHOLDER: replaced by the proxy work (issue 4).
#include "checks/rules.hpp"

namespace wsprobe {

std::optional<Finding> explain_proxy_failure(const StageResult&, const Observations&) { return std::nullopt; }

}  // namespace wsprobe

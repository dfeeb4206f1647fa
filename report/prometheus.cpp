#include "report/prometheus.hpp"

// Placeholder: helper H4 writes it.
namespace wsprobe {
std::string render_prometheus(const RunReport&) { return {}; }
}  // namespace wsprobe

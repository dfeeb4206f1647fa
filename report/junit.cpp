#include "report/junit.hpp"

// Placeholder: helper H4 writes it.
namespace wsprobe {
std::string render_junit(const RunReport&) { return {}; }
}  // namespace wsprobe

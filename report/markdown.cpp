#include "report/markdown.hpp"

// Placeholder: helper H4 writes it.
namespace wsprobe {
std::string render_markdown(const RunReport&) { return {}; }
}  // namespace wsprobe

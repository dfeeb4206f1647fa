#pragma once
// Colour for the terminal reports (the human report, the node table): ANSI SGR colours, or nothing
// at all, since plain output must not hold a single ESC byte.
#include <string>
#include <string_view>

namespace wsprobe {

enum class Tone { plain, good, bad, caution, muted, strong };

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}

  bool enabled() const { return color_; }

  std::string operator()(std::string_view text, Tone tone) const {
    if (!color_ || tone == Tone::plain || text.empty()) return std::string(text);
    return "\x1b[" + std::string(code(tone)) + "m" + std::string(text) + "\x1b[0m";
  }

 private:
  static std::string_view code(Tone tone) {
    switch (tone) {
      case Tone::good: return "32";
      case Tone::bad: return "31";
      case Tone::caution: return "33";
      case Tone::muted: return "2";
      case Tone::strong: return "1";
      case Tone::plain: break;
    }
    return "0";
  }

  bool color_;
};

}  // namespace wsprobe

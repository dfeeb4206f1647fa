#include "wire/tls_record.hpp"

#include <algorithm>

namespace wsprobe {

bool starts_with_tls_content_type(std::string_view bytes) {
  if (bytes.empty()) return false;
  const auto type = static_cast<unsigned char>(bytes.front());
  return type >= 0x14 && type <= 0x17;
}

bool is_tls_record(std::string_view bytes) {
  return bytes.size() >= 2 && starts_with_tls_content_type(bytes) && static_cast<unsigned char>(bytes[1]) == 0x03;
}

std::string printable_first_line(std::string_view bytes) {
  std::string line(bytes.substr(0, bytes.find_first_of("\r\n")));
  const bool printable = !line.empty() && std::all_of(line.begin(), line.end(), [](unsigned char ch) {
    return ch >= 0x20 && ch < 0x7f;
  });
  return printable ? line : std::string{};
}

void keep_alert(std::optional<int>& slot, std::string_view alert) {
  if (alert.size() < 2) return;
  if (!slot || static_cast<unsigned char>(alert[0]) == 2) slot = static_cast<unsigned char>(alert[1]);
}

}  // namespace wsprobe

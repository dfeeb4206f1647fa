#pragma once
// Protocol bytes written as the specs draw them, one value a byte: bytes({0x05, 0x01, 0x00}).
#include <initializer_list>
#include <string>

namespace wsprobe::test {

inline std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (unsigned v : values) out.push_back(static_cast<char>(v));
  return out;
}

}  // namespace wsprobe::test

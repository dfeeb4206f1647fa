#pragma once
// What every harness shares: FUZZ_CHECK asserts an invariant of the code under test. A broken one
// prints which and aborts, which libFuzzer reports as a crash and saves the input that did it
// (ASan and UBSan already catch memory and undefined-behaviour bugs; these catch wrong answers).
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::wsprobe::fuzz::invariant_failed(#condition, __FILE__, __LINE__))

namespace wsprobe::fuzz {

[[noreturn]] inline void invariant_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, condition);
  std::abort();
}

inline std::string_view as_view(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace wsprobe::fuzz

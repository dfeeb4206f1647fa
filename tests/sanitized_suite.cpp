// Linked into the sanitized suite's test executable only (tests/CMakeLists.txt), never into the
// plain one: the test objects are the same, so what differs is set here, before main().
#include <cstdlib>

// Any report ends the process that made it, and with it the test: ASan aborts instead of going on,
// LeakSanitizer checks at exit, UBSan prints the stack (its checks cannot recover anyway:
// -fno-sanitize-recover). Compiled in rather than left to ASAN_OPTIONS, which a child inherits
// only when someone set it.
extern "C" const char* __asan_default_options() { return "detect_leaks=1:abort_on_error=1:halt_on_error=1"; }
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

namespace {

// The binary tests run the sanitized wsprobe (support/run_binary.cpp), and the tests that check a
// bound a sanitizer distorts (peak memory) know they run under one.
const bool kMarked = [] {
  ::setenv("WSPROBE_BINARY_UNDER_TEST", WSPROBE_SANITIZED_BINARY, 1);
  ::setenv("WSPROBE_SANITIZED", "1", 1);
  return true;
}();

}  // namespace

// Linked into the sanitized wsprobe only (app/CMakeLists.txt): any report ends it, as in the
// sanitized suite (tests/sanitized_suite.cpp), whatever ASAN_OPTIONS the caller set or did not.
extern "C" const char* __asan_default_options() { return "detect_leaks=1:abort_on_error=1:halt_on_error=1"; }
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

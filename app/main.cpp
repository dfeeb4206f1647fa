// wsprobe: parse -> run -> exit code (README: exit codes).
#include <exception>
#include <iostream>

#include "app/cli.hpp"
#include "app/run.hpp"
#include "app/tls_preflight.hpp"

int main(int argc, char** argv) {
  constexpr int kInternalError = 4;
  try {
    auto parsed = wsprobe::parse_cli(argc, argv);
    if (!parsed.options) {
      (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message << "\n";
      return parsed.exit_code;
    }
    if (auto error = wsprobe::prepare_tls(parsed.options->targets)) {
      std::cerr << wsprobe::usage_text(*error) << "\n";
      return 2;
    }
    return wsprobe::run(*parsed.options);
  } catch (const std::exception& e) {
    std::cerr << "wsprobe: internal error (a bug; please report it with the command line): " << e.what() << "\n";
    return kInternalError;
  }
}

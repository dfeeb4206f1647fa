#include "app/signals.hpp"

#include <signal.h>
#include <unistd.h>

namespace wsprobe {
namespace {

// Read by the signal handler: never resized once exit_at_once_on_signal() ran.
std::vector<std::string>& temporaries() {
  static auto* paths = new std::vector<std::string>();  // never destroyed: a handler may run at exit
  return *paths;
}

extern "C" void remove_temporaries_and_die(int signal_number) {
  // Only async-signal-safe calls: unlink, and raise, which SA_RESETHAND lets the default action
  // (termination by this signal) take once the handler returns.
  for (const auto& path : temporaries()) ::unlink(path.c_str());
  ::raise(signal_number);
}

}  // namespace

void set_signal_temporaries(std::vector<std::string> paths) { temporaries() = std::move(paths); }

void exit_at_once_on_signal() {
  struct sigaction action {};
  action.sa_handler = remove_temporaries_and_die;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (const int signal_number : {SIGINT, SIGTERM}) ::sigaction(signal_number, &action, nullptr);
}

FirstSignal::FirstSignal(net::io_context& ioc, std::shared_ptr<Interruption> interruption)
    : signals_(ioc, SIGINT, SIGTERM), interruption_(std::move(interruption)) {
  signals_.async_wait([this](const error_code& ec, int signal_number) {
    if (ec) return;  // stop()
    // Asio gives the signals back to the default action, which the second one must not take.
    error_code ignored;
    signals_.clear(ignored);
    exit_at_once_on_signal();
    interruption_->interrupt(signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  });
}

void FirstSignal::stop() {
  error_code ignored;
  signals_.cancel(ignored);
}

}  // namespace wsprobe

#pragma once
// SIGINT and SIGTERM during a run (issue 11): what Ctrl-C, a CI job's timeout or Kubernetes sends.
// The first one interrupts the run (model/interruption.hpp): probing stops, every requested report
// is written with what was seen, the exit code is 5. A second one does not wait for that: it
// removes the reports' temporary files and ends the process by that signal (exit 130 or 143).
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "model/interruption.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

// The temporary files a signal that ends the process must remove (Outputs' ".NAME.XXXXXX").
// Set before exit_at_once_on_signal() can run.
void set_signal_temporaries(std::vector<std::string> paths);

// From now on SIGINT and SIGTERM remove the temporaries and end the process by that signal at once.
void exit_at_once_on_signal();

// Listens on `ioc` while a run probes: the first SIGINT or SIGTERM interrupts `interruption` (on the
// loop's thread, as everything the cancellers touch lives there) and hands the signals over to
// exit_at_once_on_signal(). stop() (the run ended) stops listening, so `ioc` can run out of work.
class FirstSignal {
 public:
  FirstSignal(net::io_context& ioc, std::shared_ptr<Interruption> interruption);
  void stop();

 private:
  net::signal_set signals_;
  std::shared_ptr<Interruption> interruption_;
};

}  // namespace wsprobe

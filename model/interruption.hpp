#pragma once
// A run's first SIGINT or SIGTERM (issue 11): what a CI job or Kubernetes sends at its deadline.
// app/ owns one per run and hands it to every probe through ProbeOptions; probe/ registers what it
// waits on (sockets, timers) while it waits, so interrupt() ends every wait at once and the run
// can still write its reports with what was seen. Single-threaded, as the event loop is: the
// signal is delivered to a handler on the same loop, never inside a signal handler.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "model/stage.hpp"

namespace wsprobe {

class Interruption {
 public:
  using Canceller = std::function<void()>;

  // Keeps a canceller registered while it lives; movable, so a stage can hold one in a local.
  class Watch {
   public:
    Watch() = default;
    Watch(Interruption* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    Watch(Watch&& other) noexcept : owner_(other.owner_), id_(other.id_) { other.owner_ = nullptr; }
    Watch& operator=(Watch&& other) noexcept;
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    ~Watch() { release(); }

   private:
    void release();
    Interruption* owner_ = nullptr;
    std::uint64_t id_ = 0;
  };

  // Runs `cancel` on interrupt(); at once when the run is already interrupted.
  [[nodiscard]] Watch watch(Canceller cancel);

  // The first call marks the run interrupted by `signal_name` ("SIGTERM") and runs every canceller;
  // later calls change nothing.
  void interrupt(std::string signal_name);

  bool interrupted() const { return signal_.has_value(); }
  // "SIGINT", "SIGTERM"; empty before interrupt().
  const std::string& signal_name() const;
  // When interrupt() ran; only meaningful once interrupted().
  Clock::time_point at() const { return at_; }

 private:
  std::map<std::uint64_t, Canceller> cancellers_;
  std::uint64_t next_id_ = 1;
  std::optional<std::string> signal_;
  Clock::time_point at_{};
};

// The detail of a stage the interruption kept from running: "not run: interrupted by SIGTERM".
inline std::string not_run_interrupted(const std::string& signal_name) {
  return "not run: interrupted by " + signal_name;
}

// Whether `interruption` (null: a run that cannot be interrupted, as in tests) has fired.
inline bool interrupted(const Interruption* interruption) { return interruption && interruption->interrupted(); }

}  // namespace wsprobe

#pragma once
// The event loop's own lag (issue 12): every probe of a run shares one thread, so a target's TLS
// handshake, a trust store loading or the machine's other work delays every other target's
// completions, and their stage clocks absorb it. A timer due every kTick measures how late it
// fires; each late firing is a span during which the loop could not have run anything else. A
// stage's lag is how much of its clock such spans cover: time that may be wsprobe's, not the path's.
#include <chrono>
#include <deque>
#include <memory>

#include "model/stage.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

class LoopLag : public std::enable_shared_from_this<LoopLag> {
 public:
  // Blocks shorter than a tick can fall between two firings: kTick is the resolution.
  static constexpr auto kTick = std::chrono::milliseconds(5);
  // Lateness below this is the timer's own jitter, not a busy loop.
  static constexpr auto kJitter = std::chrono::microseconds(500);
  // Spans kept: the oldest go first, so a week-long hold stays within a few hundred KiB.
  static constexpr std::size_t kMaxSpans = 16384;

  explicit LoopLag(const net::any_io_executor& executor);

  // Starts and stops the ticking timer (on the loop's thread). The loop does not run out of work
  // while it ticks: stop() when the run's last probe ended.
  void start();
  void stop();

  // How much of [from, to] the loop was late, counting the lateness of a tick overdue right now
  // (called from the loop, an overdue tick means the loop is busy at this moment).
  Micros late_between(Clock::time_point from, Clock::time_point to) const;
  // The longest single lateness seen.
  Micros worst() const { return worst_; }

 private:
  struct Span {
    Clock::time_point from, to;
  };
  void arm();
  void on_tick(const error_code& ec);
  void record_lateness(Clock::time_point now);

  net::steady_timer timer_;
  Clock::time_point due_{};
  bool running_ = false;
  std::deque<Span> spans_;
  Micros worst_{0};
};

}  // namespace wsprobe

#include "probe/loop_lag.hpp"

#include <algorithm>

namespace wsprobe {
namespace {

Micros overlap(Clock::time_point a_from, Clock::time_point a_to, Clock::time_point b_from, Clock::time_point b_to) {
  const auto from = std::max(a_from, b_from);
  const auto to = std::min(a_to, b_to);
  return to > from ? std::chrono::duration_cast<Micros>(to - from) : Micros(0);
}

}  // namespace

LoopLag::LoopLag(const net::any_io_executor& executor) : timer_(executor) {}

void LoopLag::start() {
  if (running_) return;
  running_ = true;
  due_ = Clock::now() + kTick;
  arm();
}

void LoopLag::stop() {
  if (!running_) return;
  record_lateness(Clock::now());  // a tick overdue now would never fire to say so
  running_ = false;
  timer_.cancel();
}

void LoopLag::record_lateness(Clock::time_point now) {
  if (now - due_ <= kJitter) return;
  spans_.push_back({due_, now});
  if (spans_.size() > kMaxSpans) spans_.pop_front();
  worst_ = std::max(worst_, std::chrono::duration_cast<Micros>(now - due_));
}

void LoopLag::arm() {
  timer_.expires_at(due_);
  // The handler keeps the meter alive until the cancelled wait has completed.
  timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->on_tick(ec); });
}

void LoopLag::on_tick(const error_code& ec) {
  if (ec || !running_) return;
  const auto now = Clock::now();
  record_lateness(now);
  due_ = now + kTick;
  arm();
}

Micros LoopLag::late_between(Clock::time_point from, Clock::time_point to) const {
  Micros total{0};
  for (auto span = spans_.rbegin(); span != spans_.rend() && span->to > from; ++span)
    total += overlap(span->from, span->to, from, to);
  const auto now = Clock::now();
  if (running_ && now - due_ > kJitter) total += overlap(due_, now, from, to);
  return total;
}

}  // namespace wsprobe

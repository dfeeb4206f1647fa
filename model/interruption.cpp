#include "model/interruption.hpp"

#include <vector>

namespace wsprobe {

Interruption::Watch& Interruption::Watch::operator=(Watch&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    id_ = other.id_;
    other.owner_ = nullptr;
  }
  return *this;
}

void Interruption::Watch::release() {
  if (owner_) owner_->cancellers_.erase(id_);
  owner_ = nullptr;
}

Interruption::Watch Interruption::watch(Canceller cancel) {
  if (interrupted()) {
    // Nothing is pending yet for a wait that starts after the signal: the caller checks
    // interrupted() before it waits; cancelling here covers the one that registers mid-wait.
    cancel();
    return {};
  }
  const auto id = next_id_++;
  cancellers_.emplace(id, std::move(cancel));
  return {this, id};
}

void Interruption::interrupt(std::string signal_name) {
  if (signal_) return;
  signal_ = std::move(signal_name);
  at_ = Clock::now();
  // A canceller may end a wait whose owner then drops its Watch: run from a copy.
  std::vector<Canceller> pending;
  for (const auto& [id, cancel] : cancellers_) pending.push_back(cancel);
  for (const auto& cancel : pending) cancel();
}

const std::string& Interruption::signal_name() const {
  static const std::string none;
  return signal_ ? *signal_ : none;
}

}  // namespace wsprobe

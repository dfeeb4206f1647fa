#pragma once
// A loopback front that holds each upgrade request until the test releases it, then passes it to a
// backend (the lab echo server) and pipes both ways: an endpoint that answers the upgrade late, by
// an ordering the test chooses instead of a wall-clock delay. Two fronts that each wait for the
// other's request are a barrier that only probes running side by side get through.
//
//   lab::EchoServer echo;
//   std::unique_ptr<HeldUpgrade> a, b;
//   a = std::make_unique<HeldUpgrade>(echo.port(), [&] { return b->requests() > 0; });
//   b = std::make_unique<HeldUpgrade>(echo.port(), [&] { return a->requests() > 0; });
//
// Listens on 127.0.0.1 with a port the kernel picks, serves on its own io_context and thread; the
// destructor closes the listener and every connection and joins (it never waits on the client).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace wsprobe::test {

namespace detail {
struct HeldUpgradeState;
}

class HeldUpgrade {
 public:
  // `release` is asked every few milliseconds, on the front's thread, while a request head waits;
  // once it says true the request goes on to 127.0.0.1:backend_port. A request still held after
  // `give_up` gets a FIN instead.
  HeldUpgrade(std::uint16_t backend_port, std::function<bool()> release,
              std::chrono::milliseconds give_up = std::chrono::seconds(20));
  ~HeldUpgrade();
  HeldUpgrade(const HeldUpgrade&) = delete;
  HeldUpgrade& operator=(const HeldUpgrade&) = delete;

  std::uint16_t port() const;
  std::size_t connections() const;  // accepted so far
  std::size_t requests() const;     // request heads received so far, held or passed on
  std::size_t released() const;     // requests passed on to the backend

 private:
  std::unique_ptr<detail::HeldUpgradeState> state_;
};

}  // namespace wsprobe::test

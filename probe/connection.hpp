#pragma once
// A connected byte stream, plain TCP or TLS over TCP: what the upgrade, echo and close stages
// talk through. Every operation takes an absolute deadline and returns its error as a value;
// an expired deadline completes with beast::error::timeout.
#include <memory>

#include "model/stage.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

class Connection {
 public:
  virtual ~Connection() = default;
  // Reads what is available (at least one byte), or fails: eof, reset, timeout.
  virtual net::awaitable<IoResult> read_some(net::mutable_buffer buffer, Clock::time_point deadline) = 0;
  // Writes the whole buffer, or fails.
  virtual net::awaitable<IoResult> write(net::const_buffer buffer, Clock::time_point deadline) = 0;
  // Ends our sending side: a TLS close_notify when TLS, then a TCP FIN.
  virtual net::awaitable<error_code> shutdown_send(Clock::time_point deadline) = 0;
  // The TCP stream underneath, for endpoints and for closing.
  virtual beast::tcp_stream& tcp() = 0;

  // The run was interrupted (model/interruption.hpp): what is pending completes with
  // operation_aborted, and so does every read or write started after, without touching the wire.
  void interrupt() {
    interrupted_ = true;
    tcp().cancel();
  }

 protected:
  bool interrupted_ = false;
};

// What a read or write of an interrupted connection returns.
inline IoResult interrupted_io() { return {net::error::operation_aborted, 0}; }

std::unique_ptr<Connection> make_plain_connection(beast::tcp_stream stream);

}  // namespace wsprobe

#pragma once
// Maps Asio, Beast and OpenSSL errors onto the project's coarse conditions.
#include <string>

#include "model/stage.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

// The coarse condition for an I/O error on an established connection or a connect:
// beast::error::timeout -> timeout, connection_refused -> connect_refused, eof -> eof,
// connection_reset / broken_pipe -> reset, host/network unreachable -> unreachable.
Condition classify_io_error(const error_code& ec);

// The layer's own words for an error: OpenSSL's error string for SSL errors, errno text otherwise.
std::string describe_error(const error_code& ec);

// "300 ms": how a stage's detail states how long it waited ("no answer within 300 ms").
std::string milliseconds_text(Clock::duration waited);

}  // namespace wsprobe

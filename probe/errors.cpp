#include "probe/errors.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>

namespace wsprobe {

Condition classify_io_error(const error_code& ec) {
  namespace err = net::error;
  if (!ec) return Condition::none;
  if (ec == beast::error::timeout || ec == err::timed_out) return Condition::timeout;
  if (ec == err::connection_refused) return Condition::connect_refused;
  if (ec == err::eof || ec == net::ssl::error::stream_truncated) return Condition::eof;
  if (ec == err::connection_reset || ec == err::broken_pipe || ec == err::connection_aborted)
    return Condition::reset;
  if (ec == err::host_unreachable || ec == err::network_unreachable ||
      ec == err::address_family_not_supported)
    return Condition::unreachable;
  if (ec.category() == net::error::get_ssl_category()) return Condition::tls_failure;
  return Condition::internal;
}

std::string describe_error(const error_code& ec) { return ec ? ec.message() : std::string{}; }

std::string milliseconds_text(Clock::duration waited) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()) + " ms";
}

}  // namespace wsprobe

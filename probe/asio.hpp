#pragma once
// Namespace aliases and the one completion token used across probe/ (style.md).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace wsprobe {

namespace net = boost::asio;
namespace beast = boost::beast;
using error_code = boost::system::error_code;
using tcp = net::ip::tcp;

// Errors come back as values: with throwing use_awaitable, `a || timer` waits for one *success*
// and a refused connect raced against a timer reads as a timeout (style.md).
inline constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

using IoResult = std::tuple<error_code, std::size_t>;

}  // namespace wsprobe

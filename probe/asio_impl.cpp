// Asio and Beast are compiled once, here, for every target that links `asio_impl`
// (BOOST_ASIO_SEPARATE_COMPILATION, as Beast's own test/lib_asio.cpp does).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

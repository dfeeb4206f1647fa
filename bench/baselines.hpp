#pragma once
// The floors and the plain client wsprobe is measured against, on the same machine in the same
// run: a bare TCP connect, a bare TLS 1.3 handshake (one shared context, no verification), and a
// plain Boost.Beast client doing what a probe does (open, one ping, one echo, close), written the
// way a Beast user would, synchronously.
#include <cstdint>

namespace bench {

// Seconds per connect + close, sequentially.
double tcp_connect_floor(std::uint16_t port, int n);
// Seconds per connect + TLS 1.3 handshake + close, sequentially.
double tls_handshake_floor(std::uint16_t port, int n);
// Seconds per open / ping / echo / close with the Beast client, sequentially.
double beast_open_echo_close(std::uint16_t port, bool tls, int n);
// The Beast client's ping round trip, median of n, in microseconds (one connection, ws://).
double beast_ping_rtt_us(std::uint16_t port, int n);

// The client as a process of its own, for the figures measured per process (time to exit, memory):
//   beast-once PORT TLS           one open / ping / echo / close, then exit
//   beast-hold PORT TLS N SECONDS open N connections, hold them SECONDS, close them
// TLS is 0 or 1. Returns the exit code, or -1 when argv names no child mode.
int child_main(int argc, char** argv);

}  // namespace bench

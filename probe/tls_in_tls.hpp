#pragma once
// A TLS handshake inside an established connection: the tls_in_tls follow-up. When an edge
// terminates the client's TLS and forwards the plaintext to a backend that itself serves TLS, a
// ClientHello written through the edge's session reaches the backend as it is, and the backend
// answers it with a ServerHello (knowledge base: tls_terminated_twice).
#include <string>

#include "model/followup.hpp"
#include "probe/asio.hpp"
#include "probe/connection.hpp"

namespace wsprobe {

// Drives an OpenSSL client over memory BIOs: writes its ClientHello (SNI `sni` unless empty,
// ALPN http/1.1) through `outer`, feeds back what `outer` reads, and goes on until the inner
// handshake completes, fails, the peer ends the connection, or `deadline`. The inner certificate is
// not verified. Fills, in `out`: inner_tls_answered (the answer's first bytes are a TLS record,
// RFC 8446 §5.1), inner_tls_version (a ServerHello was processed), inner_alert_received,
// inner_certificate_subject, bytes_received, first_bytes_hex (up to 64 bytes of the answer), and
// end/detail when the exchange stopped short. Returns the answer's first bytes (at most 64).
// Never throws on network outcomes.
net::awaitable<std::string> nested_tls_handshake(Connection& outer, std::string sni, Clock::time_point deadline,
                                                 FollowUpObservation& out);

}  // namespace wsprobe

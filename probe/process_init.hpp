#pragma once
// wsprobe's one-time work, done before the first stage clock starts (issue 12): OpenSSL's
// initialisation and configuration file, its random generator's first seeding, the first SHA-1
// and base64 (the Sec-WebSocket-Key and Accept), c-ares's library state. Left to first use, each
// landed inside the first target's dns or upgrade clock (3-9 ms of an upgrade whose wire part
// took 0.4-1.1 ms). Trust stores are loaded with the run's TLS contexts (probe/tls_contexts.hpp).
namespace wsprobe {

// Idempotent and thread-safe; throws std::runtime_error when OpenSSL or c-ares cannot start.
void initialize_process();

}  // namespace wsprobe

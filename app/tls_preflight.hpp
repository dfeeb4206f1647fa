#pragma once
// TLS material loaded before any connection and before any clock: a CA file that is not PEM, a
// --cert without its key, a --key that does not match, a --ciphers list OpenSSL refuses are the
// user's mistakes (exit 2), not a failed handshake to blame on the server; and the contexts built
// here are the ones the run's handshakes share (probe/tls_contexts.hpp).
#include <optional>
#include <string>
#include <vector>

#include "model/target.hpp"

namespace wsprobe {

// Gives every target without one the same TlsContexts and builds the context of each wss://
// target's options (each distinct combination once). A target that sets --cacert, --cert, --key or
// --ciphers and whose context cannot be built is a usage error, in words that name the target (and
// the targets file's line that defined it); the system store failing to load is the probe's to
// report (an internal failure of its tls stage).
std::optional<std::string> prepare_tls(std::vector<ProbeOptions>& targets);

}  // namespace wsprobe

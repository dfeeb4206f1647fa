#pragma once
// TLS material checked before any connection: a CA file that is not PEM, a --cert without its key,
// a --key that does not match, a --ciphers list OpenSSL refuses are the user's mistakes (exit 2),
// not a failed handshake to blame on the server.
#include <optional>
#include <string>
#include <vector>

#include "model/target.hpp"

namespace wsprobe {

// Loads each distinct combination of the targets' TLS options once (probe/tls.hpp's
// check_tls_configuration). Targets that set none of --cacert, --cert, --key, --ciphers are not
// loaded: the system store is the probe's to report. The usage error's words, naming the target
// (and the targets file's line that defined it).
std::optional<std::string> check_tls_options(const std::vector<ProbeOptions>& targets);

}  // namespace wsprobe

#include "probe/process_init.hpp"

#include <ares.h>
#include <openssl/ssl.h>

#include <mutex>
#include <stdexcept>
#include <string>

#include "probe/resolve.hpp"
#include "wire/handshake.hpp"

namespace wsprobe {

void initialize_process() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr) != 1)
      throw std::runtime_error("OpenSSL failed to initialise");
    // A key and its accept value: random bytes (the generator seeds itself from the kernel on
    // first use), SHA-1 (the provider fetch) and base64, as every upgrade stage uses them.
    if (compute_accept(make_websocket_key()).empty()) throw std::runtime_error("SHA-1 is not available");
    if (int status = initialize_resolver_library(); status != ARES_SUCCESS)
      throw std::runtime_error(std::string("c-ares failed to initialise: ") + ares_strerror(status));
  });
}

}  // namespace wsprobe

#pragma once
// The run's TLS client contexts (issue 12): one SSL_CTX per distinct set of the options that shape
// a context (trust, client certificate, version range, ciphers), built once and shared by every
// handshake that uses them, so a fleet of 200 wss:// targets loads the system trust store once, not
// 200 times inside the event loop that times the other targets. Per handshake, on the SSL object:
// SNI, the name checked, ALPN and whether verification stops the handshake (-k), so follow-ups
// that change those share the context too.
#include <boost/asio/ssl/context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "model/target.hpp"
#include "probe/asio.hpp"

namespace wsprobe {

// What one set of TLS options made of a client context.
struct TlsClientContext {
  std::optional<std::string> error;  // the options could not be applied (a local failure): no context
  std::shared_ptr<net::ssl::context> context;
  std::optional<std::string> version_min;  // --tls-min / --tls-max as configured ("TLSv1.2")
  std::optional<std::string> version_max;
  std::optional<std::string> client_certificate;  // the --cert leaf's subject
  bool legacy = false;  // OpenSSL security level 0, for a range below TLS 1.2
};

class TlsContexts {
 public:
  TlsContexts();
  ~TlsContexts();
  TlsContexts(const TlsContexts&) = delete;
  TlsContexts& operator=(const TlsContexts&) = delete;

  // The context for these options: built on first use, found afterwards. Safe from any thread.
  std::shared_ptr<const TlsClientContext> get(const ProbeOptions& options);

 private:
  using Key = std::tuple<std::optional<std::string>, std::optional<std::string>, std::optional<std::string>,
                         std::optional<std::string>, std::optional<std::string>, std::optional<std::string>>;
  struct Stores;  // the trust stores loaded so far, by --cacert file (none: the system's)

  std::mutex mutex_;
  std::map<Key, std::shared_ptr<const TlsClientContext>> contexts_;
  std::unique_ptr<Stores> stores_;
};

// The context for a handshake with these options: from options.tls_contexts when the run shares
// them, else built for this handshake alone.
std::shared_ptr<const TlsClientContext> client_context_for(const ProbeOptions& options);

}  // namespace wsprobe

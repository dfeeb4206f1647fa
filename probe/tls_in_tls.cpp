#include "probe/tls_in_tls.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <memory>

#include "probe/errors.hpp"
#include "wire/hex.hpp"
#include "wire/tls_record.hpp"

namespace wsprobe {
namespace {

constexpr std::size_t kFirstBytes = 64;

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// The alerts the inner server sent (keep_alert, wire/tls_record.hpp).
void on_inner_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* arg) {
  if (write_p || content_type != SSL3_RT_ALERT) return;
  keep_alert(*static_cast<std::optional<int>*>(arg), std::string_view(static_cast<const char*>(buf), len));
}

std::string subject_rfc2253(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

net::awaitable<std::string> nested_tls_handshake(Connection& outer, std::string sni, Clock::time_point deadline,
                                                 FollowUpObservation& out) {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  std::unique_ptr<SSL, SslFree> ssl(ctx ? SSL_new(ctx.get()) : nullptr);
  BIO* from_peer = BIO_new(BIO_s_mem());
  BIO* to_peer = BIO_new(BIO_s_mem());
  if (!ssl || !from_peer || !to_peer) {
    BIO_free(from_peer);
    BIO_free(to_peer);
    out.end = Condition::internal;
    out.detail = "cannot set up the nested TLS client";
    co_return std::string{};
  }
  SSL_set_bio(ssl.get(), from_peer, to_peer);  // the SSL owns both from here
  SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, nullptr);
  if (!sni.empty()) SSL_set_tlsext_host_name(ssl.get(), sni.c_str());
  static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_set_alpn_protos(ssl.get(), kAlpn, sizeof kAlpn);
  std::optional<int> alert;
  SSL_set_msg_callback(ssl.get(), &on_inner_message);
  SSL_set_msg_callback_arg(ssl.get(), &alert);
  SSL_set_connect_state(ssl.get());

  std::string first_bytes;
  std::array<char, 16 * 1024> buffer{};
  bool stopped = false;
  while (!stopped) {
    ERR_clear_error();
    const int step = SSL_do_handshake(ssl.get());
    const int why = step == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl.get(), step);
    const unsigned long ssl_error = why == SSL_ERROR_SSL ? ERR_peek_error() : 0;
    // Whatever OpenSSL produced (the ClientHello, the Finished, an alert) goes out through the outer session.
    while (BIO_ctrl_pending(to_peer) > 0) {
      const int n = BIO_read(to_peer, buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) break;
      auto [ec, written] = co_await outer.write(net::buffer(buffer.data(), static_cast<std::size_t>(n)), deadline);
      if (ec) {
        out.end = classify_io_error(ec);
        out.detail = "writing the nested ClientHello: " + describe_error(ec);
        stopped = true;
        break;
      }
    }
    if (stopped || step == 1) break;
    if (why != SSL_ERROR_WANT_READ) {
      char text[256] = "";
      if (ssl_error) ERR_error_string_n(ssl_error, text, sizeof text);
      out.end = Condition::tls_failure;
      out.detail = ssl_error ? text : "nested handshake failed";
      break;
    }
    auto [ec, n] = co_await outer.read_some(net::buffer(buffer), deadline);
    if (ec) {
      out.end = classify_io_error(ec);
      out.detail = describe_error(ec);
      break;
    }
    out.bytes_received += n;
    first_bytes.append(buffer.data(), std::min(n, kFirstBytes - std::min(kFirstBytes, first_bytes.size())));
    BIO_write(from_peer, buffer.data(), static_cast<int>(n));
  }
  ERR_clear_error();
  SSL_set_msg_callback(ssl.get(), nullptr);

  out.first_bytes_hex = to_hex(first_bytes, kFirstBytes);
  out.inner_tls_answered = is_tls_record(first_bytes);
  out.inner_alert_received = alert;
  // The cipher is set once a ServerHello was processed: the version is then the negotiated one.
  if (const SSL_SESSION* session = SSL_get_session(ssl.get()); session && SSL_SESSION_get0_cipher(session))
    out.inner_tls_version = SSL_get_version(ssl.get());
  if (X509* cert = SSL_get0_peer_certificate(ssl.get())) out.inner_certificate_subject = subject_rfc2253(cert);
  co_return first_bytes;
}

}  // namespace wsprobe

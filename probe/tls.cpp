#include "probe/tls.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <boost/asio/append.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <ctime>

#include "probe/errors.hpp"
#include "probe/openssl_text.hpp"
#include "probe/tls_contexts.hpp"
#include "wire/hex.hpp"
#include "wire/tls_record.hpp"

namespace wsprobe {
namespace {

namespace ssl = net::ssl;

// How many of the peer's first bytes to keep as evidence (TlsObservation::first_bytes_hex).
constexpr std::size_t kFirstBytes = 64;

// What the peer sent underneath TLS while the recording was on.
struct WireRecord {
  bool recording = true;
  std::size_t bytes_received = 0;
  std::string first_bytes;  // at most kFirstBytes
  error_code read_error;    // the first error a read of the TCP stream ended with
};

template <class Handler, class Buffers>
class RecordingHandler;

// A layer between ssl::stream and beast::tcp_stream that copies the first bytes the peer sends:
// asio's SSL engine consumes them, and when the peer answers a ClientHello with "HTTP/1.1 400"
// those bytes are the finding. Writes pass straight through.
class RecordingStream {
 public:
  using next_layer_type = beast::tcp_stream;
  using lowest_layer_type = beast::tcp_stream::socket_type;
  using executor_type = beast::tcp_stream::executor_type;

  explicit RecordingStream(beast::tcp_stream stream) : stream_(std::move(stream)) {}

  executor_type get_executor() { return stream_.get_executor(); }
  next_layer_type& next_layer() { return stream_; }
  lowest_layer_type& lowest_layer() { return stream_.socket(); }
  const lowest_layer_type& lowest_layer() const { return stream_.socket(); }
  WireRecord& record() { return record_; }

  // While set, reads complete at once with eof (zero-length reads with success) instead of
  // touching the socket: lets SSL_shutdown send close_notify without waiting for the peer's.
  void decline_reads(bool on) { decline_reads_ = on; }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return net::async_initiate<ReadToken, void(error_code, std::size_t)>(InitiateRead{this}, token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return stream_.async_write_some(buffers, std::forward<WriteToken>(token));
  }

  template <class Buffers>
  void note_read(const Buffers& buffers, const error_code& ec, std::size_t n) {
    if (!record_.recording) return;
    if (ec && !record_.read_error) record_.read_error = ec;
    record_.bytes_received += n;
    std::size_t left = n;
    for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers) && left > 0;
         ++it) {
      net::const_buffer b = *it;
      std::size_t take = std::min({b.size(), left, kFirstBytes - record_.first_bytes.size()});
      record_.first_bytes.append(static_cast<const char*>(b.data()), take);
      left -= std::min(b.size(), left);
    }
  }

 private:
  struct InitiateRead {
    RecordingStream* self;

    template <class Handler, class Buffers>
    void operator()(Handler&& handler, const Buffers& buffers) const {
      using Decayed = std::decay_t<Handler>;
      if (self->decline_reads_) {
        // asio's SSL io_op defers its completion with a zero-length read: that one must succeed.
        error_code ec = net::buffer_size(buffers) == 0 ? error_code{} : error_code{net::error::eof};
        net::post(self->stream_.get_executor(), net::append(std::forward<Handler>(handler), ec, 0));
        return;
      }
      self->stream_.async_read_some(
          buffers, RecordingHandler<Decayed, Buffers>(std::forward<Handler>(handler), self, buffers));
    }
  };

  beast::tcp_stream stream_;
  WireRecord record_;
  bool decline_reads_ = false;
};

// Completes a read of RecordingStream: notes the bytes, then hands over to the caller's handler.
// The associator below forwards the caller's executor, allocator and cancellation slot, so a
// coroutine resumes where it would without this layer.
template <class Handler, class Buffers>
class RecordingHandler {
 public:
  RecordingHandler(Handler handler, RecordingStream* stream, const Buffers& buffers)
      : handler_(std::move(handler)), stream_(stream), buffers_(buffers) {}

  void operator()(error_code ec, std::size_t n) {
    stream_->note_read(buffers_, ec, n);
    std::move(handler_)(ec, n);
  }

  Handler handler_;

 private:
  RecordingStream* stream_;
  Buffers buffers_;
};

}  // namespace
}  // namespace wsprobe

namespace boost::asio {
template <template <typename, typename> class Associator, typename Handler, typename Buffers,
          typename DefaultCandidate>
struct associator<Associator, wsprobe::RecordingHandler<Handler, Buffers>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const wsprobe::RecordingHandler<Handler, Buffers>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler_);
  }
  static auto get(const wsprobe::RecordingHandler<Handler, Buffers>& h, const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler_, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
  }
};
}  // namespace boost::asio

namespace wsprobe {
namespace {

// Alerts and handshake messages as they cross the wire, from OpenSSL's message callback
// (plaintext or decrypted). It stays installed for the life of the connection: an alert after the
// handshake (TLS 1.3 client authentication fails after the client's Finished) goes to `observation`.
struct AlertTrace {
  std::optional<int> received;
  std::optional<int> sent;
  bool certificate_requested = false;
  bool handshake_done = false;
  TlsObservation* observation = nullptr;  // set once the handshake completed
};

class TlsConnection final : public Connection {
 public:
  TlsConnection(beast::tcp_stream tcp, std::shared_ptr<ssl::context> context)
      : context_(std::move(context)), stream_(std::move(tcp), *context_) {}

  net::awaitable<IoResult> read_some(net::mutable_buffer buffer, Clock::time_point deadline) override {
    if (interrupted_) co_return interrupted_io();
    tcp().expires_at(deadline);
    co_return co_await stream_.async_read_some(buffer, use_nothrow);
  }

  net::awaitable<IoResult> write(net::const_buffer buffer, Clock::time_point deadline) override {
    if (interrupted_) co_return interrupted_io();
    tcp().expires_at(deadline);
    co_return co_await net::async_write(stream_, buffer, use_nothrow);
  }

  // RFC 8446 §6.1: close_notify closes our write side only; each side may still read. asio's
  // async_shutdown would wait for the peer's close_notify, so its read is declined and the
  // resulting stream_truncated means "ours went out".
  net::awaitable<error_code> shutdown_send(Clock::time_point deadline) override {
    error_code ec;
    if (!shut_down_ && !interrupted_) {
      shut_down_ = true;
      tcp().expires_at(deadline);
      stream_.next_layer().decline_reads(true);
      std::tie(ec) = co_await stream_.async_shutdown(use_nothrow);
      stream_.next_layer().decline_reads(false);
      if (ec == ssl::error::stream_truncated) ec = {};
    }
    error_code fin_ec;
    tcp().socket().shutdown(tcp::socket::shutdown_send, fin_ec);
    co_return ec ? ec : fin_ec;
  }

  beast::tcp_stream& tcp() override { return stream_.next_layer().next_layer(); }

  ssl::stream<RecordingStream>& stream() { return stream_; }
  WireRecord& record() { return stream_.next_layer().record(); }
  AlertTrace& alerts() { return alerts_; }

 private:
  AlertTrace alerts_;     // before stream_: OpenSSL's message callback refers to it until SSL_free
  std::shared_ptr<ssl::context> context_;  // before stream_: the SSL object refers to it
  ssl::stream<RecordingStream> stream_;
  bool shut_down_ = false;
};

// Alerts: see keep_alert (wire/tls_record.hpp).
// RFC 8446 §4.3.2 / RFC 5246 §7.4.4: a CertificateRequest (handshake type 13) asks for a client
// certificate. After the handshake, a received alert other than close_notify (0) is kept apart: it
// answers what we sent since, e.g. TLS 1.3's certificate_required (116) to our empty Certificate.
void on_tls_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* arg) {
  auto* trace = static_cast<AlertTrace*>(arg);
  const auto* bytes = static_cast<const unsigned char*>(buf);
  if (content_type == SSL3_RT_HANDSHAKE && !write_p && len >= 1 && bytes[0] == SSL3_MT_CERTIFICATE_REQUEST) {
    trace->certificate_requested = true;
    if (trace->observation) trace->observation->certificate_requested = true;
    return;
  }
  if (content_type != SSL3_RT_ALERT || len < 2) return;
  const std::string_view alert(static_cast<const char*>(buf), len);
  if (trace->handshake_done) {
    if (write_p || bytes[1] == 0 || !trace->observation) return;
    keep_alert(trace->observation->alert_received_after_handshake, alert);
    return;
  }
  keep_alert(write_p ? trace->sent : trace->received, alert);
}

std::string asn1_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::vector<std::string> subject_alt_names(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    switch (name->type) {
      case GEN_DNS:
        out.push_back("DNS:" + asn1_text(name->d.dNSName));
        break;
      case GEN_URI:
        out.push_back("URI:" + asn1_text(name->d.uniformResourceIdentifier));
        break;
      case GEN_EMAIL:
        out.push_back("email:" + asn1_text(name->d.rfc822Name));
        break;
      case GEN_IPADD: {
        const unsigned char* data = ASN1_STRING_get0_data(name->d.iPAddress);
        int length = ASN1_STRING_length(name->d.iPAddress);
        if (length == 4) {
          net::ip::address_v4::bytes_type bytes;
          std::copy_n(data, 4, bytes.begin());
          out.push_back("IP:" + net::ip::address_v4(bytes).to_string());
        } else if (length == 16) {
          net::ip::address_v6::bytes_type bytes;
          std::copy_n(data, 16, bytes.begin());
          out.push_back("IP:" + net::ip::address_v6(bytes).to_string());
        }
        break;
      }
      default:
        break;
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// ISO 8601 UTC ("2025-01-31T23:59:59Z") and seconds since the epoch.
std::pair<std::string, std::int64_t> time_fields(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return {"", 0};
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {text, static_cast<std::int64_t>(timegm(&tm))};
}

std::string key_type(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key) return "unknown";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA " + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_DSA:
      return "DSA " + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC: {
      char group[80] = "";
      std::size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) return "EC";
      return "EC " + std::string(group, length);
    }
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return name ? name : "unknown";
    }
  }
}

std::string serial_hex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (!bn) return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), md, &length) != 1) return {};
  std::string out;
  char byte[4];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, i ? ":%02X" : "%02X", md[i]);
    out += byte;
  }
  return out;
}

Certificate describe_certificate(X509* cert) {
  Certificate c;
  c.subject = name_rfc2253(X509_get_subject_name(cert));
  c.issuer = name_rfc2253(X509_get_issuer_name(cert));
  c.subject_alt_names = subject_alt_names(cert);
  c.not_before = time_fields(X509_get0_notBefore(cert)).first;
  std::tie(c.not_after, c.not_after_epoch_s) = time_fields(X509_get0_notAfter(cert));
  c.key_type = key_type(cert);
  c.serial_hex = serial_hex(cert);
  c.sha256_fingerprint = sha256_fingerprint(cert);
  c.self_signed = X509_self_signed(cert, 0) == 1;
  return c;
}

std::string alert_words(int description) {
  std::string name(tls_alert_name(description));
  std::replace(name.begin(), name.end(), '_', ' ');
  return std::to_string(description) + " (" + name + ")";
}

bool is_ssl_error(const error_code& ec) { return ec.category() == net::error::get_ssl_category(); }

// First bytes that cannot start a TLS record, or OpenSSL's own "this is not TLS" reasons, mean the
// port speaks something else (typically plaintext HTTP).
bool peer_not_tls(const WireRecord& record, const error_code& ec) {
  if (!record.first_bytes.empty() && !starts_with_tls_content_type(record.first_bytes)) return true;
  if (!is_ssl_error(ec)) return false;
  int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
         reason == SSL_R_HTTP_REQUEST;
}

bool is_ip_address(const std::string& name) {
  error_code ec;
  net::ip::make_address(name, ec);
  return !ec;
}

// The name the certificate must cover and, unless it is an address or --sni '' was given, the SNI
// sent (RFC 6066 §3 allows host names only): --sni NAME replaces the URL's host for both.
struct ServerName {
  std::string verify;  // checked against the certificate's SANs (a name or an address)
  bool is_address = false;
  std::string sni;     // sent in the ClientHello; empty: no server_name extension
};

ServerName server_name(const ProbeOptions& options) {
  ServerName out;
  const bool override_name = options.sni && !options.sni->empty();
  out.verify = override_name ? *options.sni : options.target.host;
  out.is_address = (!override_name && options.target.host_is_ip_literal) || is_ip_address(out.verify);
  const bool sni_suppressed = options.sni && options.sni->empty();
  if (!out.is_address && !sni_suppressed) out.sni = out.verify;
  return out;
}

// OpenSSL's reasons for having nothing to offer: our own configuration (a version range and a
// cipher list with nothing in common), not the server.
bool nothing_to_offer(const error_code& ec) {
  if (!is_ssl_error(ec)) return false;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_NO_CIPHERS_AVAILABLE || reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
         reason == SSL_R_NO_CIPHERS_SPECIFIED;
}

// Fills what the handshake revealed, whether it completed or not.
void observe(TlsObservation& obs, SSL* ssl, const WireRecord& record, const AlertTrace& alerts,
             const error_code& ec) {
  obs.bytes_received = record.bytes_received;
  obs.alert_received = alerts.received;
  obs.alert_sent = alerts.sent;
  obs.certificate_requested = alerts.certificate_requested;
  if (const SSL_CIPHER* cipher = SSL_SESSION_get0_cipher(SSL_get_session(ssl))) {
    // Set once a ServerHello was processed: version and cipher are the negotiated ones.
    obs.version = SSL_get_version(ssl);
    obs.cipher = SSL_CIPHER_get_name(cipher);
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
  if (alpn_length > 0) obs.alpn = std::string(reinterpret_cast<const char*>(alpn), alpn_length);
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i)
      obs.peer_chain.push_back(describe_certificate(sk_X509_value(chain, i)));
  }
  // After a failed verification OpenSSL keeps the chain the peer sent but not the peer certificate.
  if (!obs.peer_chain.empty() || SSL_get0_peer_certificate(ssl)) {
    long result = SSL_get_verify_result(ssl);
    obs.verify_result = result;
    if (result != X509_V_OK) obs.verify_error = X509_verify_cert_error_string(result);
  }
  if (is_ssl_error(ec)) obs.openssl_error = openssl_error_text(static_cast<unsigned long>(ec.value()));
}

StageResult classify_failure(StageTimer& timer, const TlsObservation& obs, const WireRecord& record,
                             const error_code& ec, std::chrono::milliseconds allotted, const ProbeOptions& options) {
  auto failed = [&](Condition condition, std::string detail) {
    return timer.finish(StageStatus::failed, condition, std::move(detail));
  };
  std::string received = " (" + std::to_string(record.bytes_received) + " bytes received)";
  if (nothing_to_offer(ec) && record.bytes_received == 0)
    return failed(Condition::internal, "nothing to offer with --tls-min/--tls-max/--ciphers as given: " +
                                           obs.openssl_error.value_or(describe_error(ec)));
  if (peer_not_tls(record, ec)) {
    std::string line = printable_first_line(record.first_bytes);
    return failed(Condition::not_tls, line.empty() ? "peer answered the ClientHello with non-TLS bytes"
                                                   : "peer answered the ClientHello with \"" + line + "\"");
  }
  if (ec == beast::error::timeout || record.read_error == beast::error::timeout)
    return failed(Condition::timeout,
                  "no TLS handshake within " + std::to_string(allotted.count()) + " ms" + received);
  if (is_ssl_error(ec) &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED &&
      obs.verify_error)
    return failed(Condition::tls_verify_failed, *obs.verify_error);
  // A restricted cipher list is the first suspect when the server finds nothing to agree on; the
  // detail says so, as the observation has no field for it.
  const std::string ciphers = options.ciphers ? "; we offered only the ciphers " + *options.ciphers : "";
  if (obs.alert_received && *obs.alert_received != 0)
    return failed(Condition::tls_failure, "peer sent alert " + alert_words(*obs.alert_received) + ciphers);
  Condition lower = classify_io_error(record.read_error ? record.read_error : ec);
  if (lower == Condition::eof)
    return failed(Condition::eof, "peer closed the connection during the handshake" + received);
  if (lower == Condition::reset)
    return failed(Condition::reset, "peer reset the connection during the handshake" + received);
  std::string detail = is_ssl_error(ec) && obs.openssl_error ? *obs.openssl_error : describe_error(ec);
  if (obs.alert_sent) detail += "; we sent alert " + alert_words(*obs.alert_sent);
  return failed(Condition::tls_failure, detail + ciphers);
}

}  // namespace

net::awaitable<StageResult> run_tls(ProbeContext& context) {
  const ProbeOptions& options = context.options;
  TlsObservation& obs = context.observed.tls.emplace();
  auto local_failure = [&context](std::string detail) {
    return StageTimer(context, Stage::tls)
        .finish(StageStatus::failed, Condition::internal, std::move(detail));
  };
  if (!context.tcp) co_return local_failure("no TCP connection for TLS");

  const ServerName name = server_name(options);
  obs.sni = name.sni;
  obs.offered_alpn = options.alpn;
  obs.verification_enabled = !options.insecure;

  const auto prepared = client_context_for(options);
  if (prepared->error) co_return local_failure(*prepared->error);
  obs.version_min = prepared->version_min;
  obs.version_max = prepared->version_max;
  obs.client_certificate = prepared->client_certificate;

  auto connection = std::make_unique<TlsConnection>(std::move(*context.tcp), prepared->context);
  context.tcp.reset();
  SSL* ssl = connection->stream().native_handle();

  // RFC 7301 §3.1: the protocol list is length-prefixed strings. An empty list (--alpn none)
  // sends no ALPN extension at all.
  std::string alpn_wire;
  for (const auto& protocol : options.alpn) {
    if (protocol.empty() || protocol.size() > 255) continue;
    alpn_wire.push_back(static_cast<char>(protocol.size()));
    alpn_wire += protocol;
  }
  SSL_set_verify(ssl, options.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  bool configured = (alpn_wire.empty() ||
                     SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn_wire.data()),
                                         static_cast<unsigned>(alpn_wire.size())) == 0) &&
                    (name.is_address ? X509_VERIFY_PARAM_set1_ip_asc(param, name.verify.c_str()) == 1
                                     : X509_VERIFY_PARAM_set1_host(param, name.verify.c_str(), 0) == 1) &&
                    (name.sni.empty() || SSL_set_tlsext_host_name(ssl, name.sni.c_str()) == 1);
  if (!configured) {
    std::string why = take_openssl_error();
    co_return local_failure("cannot use the name \"" + name.verify + "\" for TLS: " + why);
  }

  AlertTrace& alerts = connection->alerts();
  SSL_set_msg_callback(ssl, &on_tls_message);
  SSL_set_msg_callback_arg(ssl, &alerts);

  // The clock starts here, not before loading the trust store: that is our cost, not the path's.
  StageTimer timer(context, Stage::tls);
  const Clock::time_point deadline = context.stage_deadline(options.budgets.tls);
  const auto allotted = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  connection->tcp().expires_at(deadline);
  const auto watch = context.on_interrupt([&connection] {
    if (connection) connection->interrupt();  // moved into the context once the handshake is done
  });
  auto [ec] = co_await connection->stream().async_handshake(ssl::stream_base::client, use_nothrow);
  connection->tcp().expires_never();
  WireRecord& record = connection->record();
  record.recording = false;

  observe(obs, ssl, record, alerts, ec);
  if (!ec) {
    // From here alerts go to the observation; `obs` lives in the context, which outlives the connection.
    alerts.handshake_done = true;
    alerts.observation = &obs;
    context.connection = std::move(connection);
    co_return timer.finish(StageStatus::ok, Condition::none,
                           prepared->legacy ? "OpenSSL security level 0, to allow TLS below 1.2" : "");
  }
  StageResult result = classify_failure(timer, obs, record, ec, allotted, options);
  if (result.condition == Condition::not_tls) obs.first_bytes_hex = to_hex(record.first_bytes, kFirstBytes);
  error_code ignored;
  connection->tcp().socket().close(ignored);
  co_return result;
}

}  // namespace wsprobe

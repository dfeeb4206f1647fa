#include "probe/tls_contexts.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "probe/openssl_text.hpp"

namespace wsprobe {
namespace {

namespace ssl = net::ssl;

// --tls-min / --tls-max as the CLI spells them ("1.2"), OpenSSL's codes, and the names reports use.
struct TlsVersion {
  std::string_view option;
  int code;
  std::string_view name;
};
constexpr TlsVersion kTlsVersions[] = {{"1.0", TLS1_VERSION, "TLSv1.0"},
                                       {"1.1", TLS1_1_VERSION, "TLSv1.1"},
                                       {"1.2", TLS1_2_VERSION, "TLSv1.2"},
                                       {"1.3", TLS1_3_VERSION, "TLSv1.3"}};

const TlsVersion* find_tls_version(const std::optional<std::string>& option) {
  if (!option) return nullptr;
  for (const auto& version : kTlsVersions)
    if (version.option == *option) return &version;
  return nullptr;
}

// Why the client configuration could not be applied (a local failure), or nothing.
using ConfigError = std::optional<std::string>;

// --tls-min / --tls-max. OpenSSL 3 refuses TLS 1.0 and 1.1 at security level 1 and above (their
// handshake signatures use SHA-1, below level 1's 80 bits; Debian's default is level 2), so a
// range reaching below TLS 1.2 runs at level 0: the user asked to test a legacy server, and the
// probe must be able to. `out.legacy` says whether the level was lowered.
ConfigError apply_version_range(SSL_CTX* ctx, const ProbeOptions& options, TlsClientContext& out) {
  const TlsVersion* min = find_tls_version(options.tls_min);
  const TlsVersion* max = find_tls_version(options.tls_max);
  if ((options.tls_min && !min) || (options.tls_max && !max))
    return "not a TLS version: --tls-min/--tls-max take 1.0, 1.1, 1.2 or 1.3";
  if (min) out.version_min = std::string(min->name);
  if (max) out.version_max = std::string(max->name);
  // --tls-max below 1.2 alone: a system policy's minimum (MinProtocol = TLSv1.2 in openssl.cnf on
  // some distributions) would leave nothing to offer.
  const int min_code = min ? min->code : max && max->code < TLS1_2_VERSION ? TLS1_VERSION : 0;
  if ((min_code && SSL_CTX_set_min_proto_version(ctx, min_code) != 1) ||
      (max && SSL_CTX_set_max_proto_version(ctx, max->code) != 1))
    return "OpenSSL refused the TLS version range: " + take_openssl_error();
  out.legacy = (min && min->code < TLS1_2_VERSION) || (max && max->code < TLS1_2_VERSION);
  if (out.legacy) SSL_CTX_set_security_level(ctx, 0);
  return std::nullopt;
}

// --ciphers: OpenSSL keeps TLS 1.3 suites (IANA names, "TLS_AES_128_GCM_SHA256") apart from the
// TLS 1.2-and-below list ("ECDHE-RSA-AES128-GCM-SHA256", keywords as "HIGH:!aNULL"); each part
// replaces its own default only, as curl's --ciphers / --tls13-ciphers do.
ConfigError apply_ciphers(SSL_CTX* ctx, const std::string& list) {
  std::string legacy_list, tls13_list;
  std::vector<std::string> tls13_names;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find_first_of(":, ", start), list.size());
    std::string item = list.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    std::string& into = item.rfind("TLS_", 0) == 0 ? tls13_list : legacy_list;
    if (&into == &tls13_list) tls13_names.push_back(item);
    into += (into.empty() ? "" : ":") + item;
  }
  if (legacy_list.empty() && tls13_list.empty()) return "--ciphers '" + list + "' names no cipher";
  if (!legacy_list.empty() && SSL_CTX_set_cipher_list(ctx, legacy_list.c_str()) != 1)
    return "--ciphers '" + legacy_list + "': " + take_openssl_error();
  if (!tls13_list.empty() && SSL_CTX_set_ciphersuites(ctx, tls13_list.c_str()) != 1)
    return "--ciphers '" + tls13_list + "': " + take_openssl_error();
  // OpenSSL skips TLS 1.3 names it does not know without an error: a typo would silently offer
  // fewer suites than asked.
  STACK_OF(SSL_CIPHER)* offered = SSL_CTX_get_ciphers(ctx);
  for (const auto& name : tls13_names) {
    bool known = false;
    for (int i = 0; i < sk_SSL_CIPHER_num(offered) && !known; ++i)
      known = name == SSL_CIPHER_get_name(sk_SSL_CIPHER_value(offered, i));
    if (!known) return "--ciphers: unknown TLS 1.3 cipher suite " + name;
  }
  return std::nullopt;
}

// PEM pass phrase callback that never prompts: an encrypted key fails instead of blocking on the
// terminal (OpenSSL's default callback reads one from it).
int no_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return 0;
}

// --cert FILE (the leaf first, then intermediates, as curl and nginx take a chain file) and
// --key FILE (default: the --cert file). On success `subject` is the leaf's subject.
ConfigError load_client_certificate(SSL_CTX* ctx, const std::string& cert_file, const std::optional<std::string>& key_option,
                                    std::string& subject) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    return "cannot load --cert " + cert_file + ": " + take_openssl_error();
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  const std::string& key_file = key_option ? *key_option : cert_file;
  const std::string key_flag = key_option ? "--key " + key_file : "--cert " + cert_file;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(key_file.c_str(), "r"), &BIO_free);
  if (!bio) return "cannot open " + key_flag + ": " + take_openssl_error();
  bool passphrase_asked = false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, &passphrase_asked), &EVP_PKEY_free);
  if (!key) {
    std::string why = take_openssl_error();
    if (passphrase_asked)
      return key_flag + " is encrypted and wsprobe does not ask for pass phrases: decrypt it first "
                        "(openssl pkey -in KEY -out KEY.plain)";
    return key_option ? "no private key in " + key_flag + ": " + why
                      : "no private key in --cert " + cert_file + " (pass it with --key): " + why;
  }
  if (!leaf || X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return (key_option ? "--key " + key_file + " does not match --cert " + cert_file
                       : "the private key in --cert " + cert_file + " does not match its certificate") +
           (leaf ? " (" + name_rfc2253(X509_get_subject_name(leaf)) + ")" : std::string{});
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) return "cannot use " + key_flag + ": " + take_openssl_error();
  subject = name_rfc2253(X509_get_subject_name(leaf));
  return std::nullopt;
}

struct StoreFree {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;

// Loads the trust --cacert names, or the system's default paths, into a store of its own: parsing
// the system bundle (about 145 certificates) costs 27-46 ms of CPU, once per run now.
std::optional<std::string> load_trust(const ProbeOptions& options, StorePtr& out) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> loader(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (!loader) return "cannot create a TLS context: " + take_openssl_error();
  const int loaded = options.cacert_file
                         ? SSL_CTX_load_verify_locations(loader.get(), options.cacert_file->c_str(), nullptr)
                         : SSL_CTX_set_default_verify_paths(loader.get());
  if (loaded != 1)
    return options.cacert_file ? "cannot load --cacert " + *options.cacert_file + " (not a PEM file of CA certificates?): " +
                                     take_openssl_error()
                               : "cannot load the system's CA certificates: " + take_openssl_error();
  X509_STORE* store = SSL_CTX_get_cert_store(loader.get());
  X509_STORE_up_ref(store);
  out = StorePtr(store);
  return std::nullopt;
}

// Applies what the options ask of the client side besides trust: version range, ciphers, client
// certificate. Fills `out`'s configured fields.
ConfigError configure(SSL_CTX* ctx, const ProbeOptions& options, TlsClientContext& out) {
  ERR_clear_error();
  if (auto error = apply_version_range(ctx, options, out)) return error;
  if (options.ciphers)
    if (auto error = apply_ciphers(ctx, *options.ciphers)) return error;
  if (options.client_cert_file) {
    std::string subject;
    if (auto error = load_client_certificate(ctx, *options.client_cert_file, options.client_key_file, subject))
      return error;
    out.client_certificate = std::move(subject);
  }
  return std::nullopt;
}

}  // namespace

struct TlsContexts::Stores {
  std::map<std::optional<std::string>, StorePtr> by_file;
};

TlsContexts::TlsContexts() : stores_(std::make_unique<Stores>()) {}
TlsContexts::~TlsContexts() = default;

std::shared_ptr<const TlsClientContext> TlsContexts::get(const ProbeOptions& options) {
  const Key key{options.cacert_file, options.client_cert_file, options.client_key_file,
                options.ciphers,     options.tls_min,          options.tls_max};
  const std::lock_guard lock(mutex_);
  if (auto found = contexts_.find(key); found != contexts_.end()) return found->second;

  auto made = std::make_shared<TlsClientContext>();
  auto& store = stores_->by_file[options.cacert_file];
  StorePtr loaded;
  if (!store) made->error = load_trust(options, loaded);
  if (!store && !made->error) store = std::move(loaded);
  if (!made->error) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* ctx = context->native_handle();
    SSL_CTX_set1_cert_store(ctx, store.get());
    // Each probe measures a full handshake: no session is kept to resume the next one with.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    // A held connection that is idle gives its 34 KiB of record buffers back.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    made->error = configure(ctx, options, *made);
    if (!made->error) made->context = std::move(context);
  }
  contexts_.emplace(key, made);
  return made;
}

std::shared_ptr<const TlsClientContext> client_context_for(const ProbeOptions& options) {
  if (options.tls_contexts) return options.tls_contexts->get(options);
  return TlsContexts().get(options);
}

}  // namespace wsprobe

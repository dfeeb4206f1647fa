#include "probe/lab/certs.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace wsprobe::lab {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;
using BnPtr = std::unique_ptr<BIGNUM, Free>;

[[noreturn]] void fail(const char* what) {
  char text[256] = "no OpenSSL error";
  if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  throw std::runtime_error(std::string("lab certificate: ") + what + ": " + text);
}

void check(int ok, const char* what) {
  if (ok != 1) fail(what);
}

KeyPtr make_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EC P-256 key generation");
  return key;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string cert_to_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  return bio_text(bio.get());
}

std::string key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "PEM_write_bio_PrivateKey");
  return bio_text(bio.get());
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) fail(value.c_str());
  check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// Everything but the extensions and the signature. Serials are 127 random bits: RFC 5280
// §4.1.2.2 wants them unique per issuer and positive, at most 20 octets.
CertPtr make_cert(const std::string& common_name, X509* issuer, EVP_PKEY* key,
                  std::chrono::seconds not_before, std::chrono::seconds not_after) {
  CertPtr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  BnPtr serial(BN_new());
  check(BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
  if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) fail("serial");
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count())) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count())))
    fail("validity");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("wsprobe lab"), -1, -1, 0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "subject CN");
  check(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name), "issuer");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  return cert;
}

std::string san_value(const LeafOptions& options) {
  std::string value;
  for (const auto& dns : options.dns_names) value += (value.empty() ? "" : ",") + ("DNS:" + dns);
  for (const auto& ip : options.ip_addresses) value += (value.empty() ? "" : ",") + ("IP:" + ip);
  return value;
}

// A leaf's extensions (RFC 5280 §4.2): not a CA, its usage (a server certificate by default),
// its names. `issuer` is the leaf itself when self-signed.
void add_leaf_extensions(X509* cert, X509* issuer, const LeafOptions& options) {
  add_extension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert, issuer, NID_key_usage, "critical,digitalSignature");
  if (!options.extended_key_usage.empty()) add_extension(cert, issuer, NID_ext_key_usage, options.extended_key_usage);
  add_extension(cert, issuer, NID_subject_key_identifier, "hash");
  add_extension(cert, issuer, NID_authority_key_identifier, "keyid:always");
  if (std::string san = san_value(options); !san.empty())
    add_extension(cert, issuer, NID_subject_alt_name, san);
}

}  // namespace

struct CertificateAuthority::Impl {
  KeyPtr key;
  CertPtr cert;
  std::string pem;
};

CertificateAuthority::CertificateAuthority(std::string common_name) : impl_(std::make_unique<Impl>()) {
  impl_->key = make_key();
  impl_->cert = make_cert(common_name, nullptr, impl_->key.get(), -std::chrono::hours(24),
                          std::chrono::hours(24 * 365));
  X509* cert = impl_->cert.get();
  add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert, cert, NID_subject_key_identifier, "hash");
  add_extension(cert, cert, NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert, impl_->key.get(), EVP_sha256()) <= 0) fail("X509_sign (CA)");
  impl_->pem = cert_to_pem(cert);
}

CertificateAuthority::~CertificateAuthority() = default;
CertificateAuthority::CertificateAuthority(CertificateAuthority&&) noexcept = default;
CertificateAuthority& CertificateAuthority::operator=(CertificateAuthority&&) noexcept = default;

const std::string& CertificateAuthority::cert_pem() const { return impl_->pem; }

CertifiedKey CertificateAuthority::issue(const LeafOptions& options) const {
  KeyPtr key = make_key();
  CertPtr cert =
      make_cert(options.common_name, impl_->cert.get(), key.get(), options.not_before, options.not_after);
  add_leaf_extensions(cert.get(), impl_->cert.get(), options);
  if (X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) <= 0) fail("X509_sign (leaf)");
  return {cert_to_pem(cert.get()), key_to_pem(key.get())};
}

CertifiedKey make_self_signed(const LeafOptions& options) {
  KeyPtr key = make_key();
  CertPtr cert = make_cert(options.common_name, nullptr, key.get(), options.not_before, options.not_after);
  add_leaf_extensions(cert.get(), cert.get(), options);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("X509_sign (self-signed)");
  return {cert_to_pem(cert.get()), key_to_pem(key.get())};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wsprobe-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(std::string_view name, std::string_view content) const {
  std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
  return file;
}

}  // namespace wsprobe::lab

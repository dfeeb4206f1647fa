#pragma once
// Throwaway certificates for `wsprobe demo` and the tests: a CA and leaves it signs, or
// self-signed leaves, generated in memory (EC P-256 keys: milliseconds each) and handed out as
// PEM. Local failures (OpenSSL refusing a name, a full disk) throw std::runtime_error: these
// helpers only run at the edges, never inside a probe.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsprobe::lab {

// A certificate and its private key, as a TLS server loads them.
struct CertifiedKey {
  std::string cert_pem;  // the leaf first; a server may append intermediates (a chain file)
  std::string key_pem;   // PKCS#8, unencrypted
};

// What a leaf certificate says. Validity is relative to the time of issue, so a test can ask
// for a certificate that expired an hour ago ({-48h, -1h}) or is not valid yet.
struct LeafOptions {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names{"localhost"};            // subjectAltName DNS entries
  std::vector<std::string> ip_addresses{"127.0.0.1", "::1"};  // subjectAltName IP entries
  std::chrono::seconds not_before{-std::chrono::hours(1)};
  std::chrono::seconds not_after{std::chrono::hours(24)};
  // extendedKeyUsage (RFC 5280 §4.2.1.12): "clientAuth" for an mTLS client certificate,
  // "serverAuth,clientAuth" for both; empty: no extension.
  std::string extended_key_usage = "serverAuth";
};

// A certificate authority with its key in memory; issue() signs leaves with it.
class CertificateAuthority {
 public:
  explicit CertificateAuthority(std::string common_name = "wsprobe lab CA");
  ~CertificateAuthority();
  CertificateAuthority(CertificateAuthority&&) noexcept;
  CertificateAuthority& operator=(CertificateAuthority&&) noexcept;

  // The CA certificate, for --cacert or a client's trust store.
  const std::string& cert_pem() const;
  // A leaf (CA:FALSE, options.extended_key_usage) signed by this CA; cert_pem holds the leaf only.
  CertifiedKey issue(const LeafOptions& options = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A leaf that signs itself (no CA): what a client without -k rejects as "self-signed certificate".
CertifiedKey make_self_signed(const LeafOptions& options = {});

// A fresh directory under the system temp dir, removed with its files when destroyed; for
// handing PEMs to code that wants file names (--cacert FILE).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name (replacing it) and returns the file's path.
  std::filesystem::path write(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace wsprobe::lab

#include "wire/http_connect.hpp"

#include <openssl/evp.h>

#include "wire/redact.hpp"

namespace wsprobe {

std::string connect_authority(std::string_view host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

ConnectRequest build_connect_request(std::string_view authority, std::string_view user_agent,
                                     const std::optional<std::string>& username,
                                     const std::optional<std::string>& password) {
  const std::string head = "CONNECT " + std::string(authority) + " HTTP/1.1\r\nHost: " + std::string(authority) +
                           "\r\nUser-Agent: " + std::string(user_agent) + "\r\n";
  ConnectRequest request;
  request.bytes = head;
  request.redacted = head;
  if (username) {
    // RFC 7617 §2: user-id ":" password, even when the password is empty.
    const auto credentials = base64_encode(*username + ":" + password.value_or(""));
    request.bytes += "Proxy-Authorization: Basic " + credentials + "\r\n";
    request.redacted += "Proxy-Authorization: " + redact_header_value("Proxy-Authorization", "Basic " + credentials) + "\r\n";
  }
  request.bytes += "\r\n";
  request.redacted += "\r\n";
  return request;
}

bool connect_succeeded(int status_code) { return status_code >= 200 && status_code <= 299; }

}  // namespace wsprobe

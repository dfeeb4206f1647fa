#include "wire/socks5.hpp"

#include <arpa/inet.h>

#include <array>

namespace wsprobe::socks5 {
namespace {

constexpr char kVersion = 0x05;
constexpr char kAuthVersion = 0x01;  // RFC 1929 §2: the sub-negotiation's own version
constexpr char kCommandConnect = 0x01;
constexpr int kAtypIpv4 = 0x01;
constexpr int kAtypDomain = 0x03;
constexpr int kAtypIpv6 = 0x04;

std::string port_bytes(std::uint16_t port) {
  return {static_cast<char>(port >> 8), static_cast<char>(port & 0xFF)};
}

TwoByteReply parse_two_bytes(std::string_view bytes, char version, std::string_view what) {
  TwoByteReply out;
  if (bytes.size() < 2) {
    out.error = std::string(what) + ": " + std::to_string(bytes.size()) + " of 2 bytes";
    return out;
  }
  if (bytes[0] != version) {
    out.error = std::string(what) + ": version " + std::to_string(static_cast<unsigned char>(bytes[0])) +
                ", expected " + std::to_string(static_cast<int>(version));
    return out;
  }
  out.valid = true;
  out.value = static_cast<unsigned char>(bytes[1]);
  return out;
}

}  // namespace

std::string greeting(bool offer_username_password) {
  std::string out{kVersion};
  if (offer_username_password) {
    out += static_cast<char>(2);
    out += static_cast<char>(kMethodNoAuth);
    out += static_cast<char>(kMethodUsernamePassword);
  } else {
    out += static_cast<char>(1);
    out += static_cast<char>(kMethodNoAuth);
  }
  return out;
}

TwoByteReply parse_method_choice(std::string_view bytes) { return parse_two_bytes(bytes, kVersion, "method choice"); }
TwoByteReply parse_auth_reply(std::string_view bytes) {
  return parse_two_bytes(bytes, kAuthVersion, "username/password reply");
}

std::optional<std::string> auth_request(std::string_view username, std::string_view password) {
  if (username.size() > 255 || password.size() > 255) return std::nullopt;
  std::string out{kAuthVersion};
  out += static_cast<char>(username.size());
  out += username;
  out += static_cast<char>(password.size());
  out += password;
  return out;
}

std::optional<std::string> connect_request(std::string_view host, std::uint16_t port) {
  std::string out{kVersion, kCommandConnect, 0x00};
  const std::string name(host);
  std::array<unsigned char, 16> address{};
  if (inet_pton(AF_INET, name.c_str(), address.data()) == 1) {
    out += static_cast<char>(kAtypIpv4);
    out.append(reinterpret_cast<const char*>(address.data()), 4);
  } else if (inet_pton(AF_INET6, name.c_str(), address.data()) == 1) {
    out += static_cast<char>(kAtypIpv6);
    out.append(reinterpret_cast<const char*>(address.data()), 16);
  } else {
    if (name.empty() || name.size() > 255) return std::nullopt;
    out += static_cast<char>(kAtypDomain);
    out += static_cast<char>(name.size());
    out += name;
  }
  return out + port_bytes(port);
}

ConnectReply parse_connect_reply(std::string_view bytes) {
  ConnectReply out;
  if (!bytes.empty() && bytes[0] != kVersion) {
    out.state = ReplyState::invalid;
    out.error = "reply version " + std::to_string(static_cast<unsigned char>(bytes[0])) + ", expected 5";
    return out;
  }
  if (bytes.size() >= 2) out.reply = static_cast<unsigned char>(bytes[1]);
  if (bytes.size() < 4) return out;

  const int atyp = static_cast<unsigned char>(bytes[3]);
  std::size_t address_size = 0;
  if (atyp == kAtypIpv4) {
    address_size = 4;
  } else if (atyp == kAtypIpv6) {
    address_size = 16;
  } else if (atyp == kAtypDomain) {
    if (bytes.size() < 5) {
      out.needed = 5;
      return out;
    }
    address_size = 1 + static_cast<unsigned char>(bytes[4]);
  } else {
    out.state = ReplyState::invalid;
    out.error = "reply address type " + std::to_string(atyp) + " is none of 1, 3, 4";
    return out;
  }
  out.needed = 4 + address_size + 2;
  if (bytes.size() < out.needed) return out;

  const auto address = bytes.substr(4, address_size);
  std::string text;
  if (atyp == kAtypDomain) {
    text = std::string(address.substr(1));
  } else {
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(atyp == kAtypIpv4 ? AF_INET : AF_INET6, address.data(), buffer, sizeof buffer);
    text = atyp == kAtypIpv6 ? "[" + std::string(buffer) + "]" : std::string(buffer);
  }
  const auto port_at = 4 + address_size;
  const int port = static_cast<unsigned char>(bytes[port_at]) * 256 + static_cast<unsigned char>(bytes[port_at + 1]);
  out.bound = text + ":" + std::to_string(port);
  out.state = ReplyState::complete;
  return out;
}

std::string_view reply_name(int reply) {
  switch (reply) {
    case 0x00: return "succeeded";
    case 0x01: return "general SOCKS server failure";
    case 0x02: return "connection not allowed by ruleset";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "command not supported";
    case 0x08: return "address type not supported";
    default: return "unassigned";
  }
}

std::string_view method_name(int method) {
  switch (method) {
    case 0x00: return "no authentication required";
    case 0x01: return "GSSAPI";
    case 0x02: return "username/password";
    case 0xFF: return "no acceptable methods";
    default: return "unassigned";
  }
}

}  // namespace wsprobe::socks5

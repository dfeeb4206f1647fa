#include "wire/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "wire/permessage_deflate.hpp"

namespace wsprobe {
namespace {

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool offered(const std::vector<HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const HttpHeader& h) { return iequals(h.name, name); });
}

std::string extension_name(std::string_view element) {
  std::string name(element.substr(0, element.find(';')));
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
  return name;
}

}  // namespace

std::string user_agent_value(const ProbeOptions& options) {
  return options.user_agent ? *options.user_agent : std::string(kDefaultUserAgent);
}

std::vector<std::string> extension_offers(const ProbeOptions& options) {
  std::vector<std::string> out;
  for (const auto& h : options.headers)
    if (iequals(h.name, "Sec-WebSocket-Extensions"))
      for (auto& element : split_list(h.value)) out.push_back(std::move(element));
  if (out.empty() && options.compress) out.emplace_back(kPermessageDeflateOffer);
  return out;
}

std::string make_websocket_key() {
  std::array<unsigned char, 16> nonce{};
  if (RAND_bytes(nonce.data(), nonce.size()) != 1) throw std::runtime_error("RAND_bytes failed");
  return base64(nonce.data(), nonce.size());
}

std::string compute_accept(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key);
  input.append(kGuid);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  return base64(digest.data(), digest.size());
}

std::string host_header_value(const Target& target) {
  const bool v6 = target.host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + target.host + "]" : target.host;
  const std::uint16_t default_port = target.secure ? 443 : 80;
  if (target.port != default_port) out += ":" + std::to_string(target.port);
  return out;
}

std::string build_upgrade_request(const ProbeOptions& options, std::string_view key) {
  const auto& user = options.headers;
  std::string out = "GET " + options.target.resource + " HTTP/1.1\r\n";
  auto add = [&](std::string_view name, std::string_view value) {
    if (offered(user, name)) return;  // the user's own value wins, written below
    out.append(name).append(": ").append(value).append("\r\n");
  };
  add("Host", options.host_header ? *options.host_header : host_header_value(options.target));
  add("Upgrade", "websocket");
  add("Connection", "Upgrade");
  out.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
  out.append("Sec-WebSocket-Version: 13\r\n");
  if (options.origin) add("Origin", *options.origin);
  if (!options.subprotocols.empty()) {
    std::string list;
    for (const auto& p : options.subprotocols) list += (list.empty() ? "" : ", ") + p;
    add("Sec-WebSocket-Protocol", list);
  }
  if (options.compress) add("Sec-WebSocket-Extensions", kPermessageDeflateOffer);
  add("User-Agent", user_agent_value(options));
  for (const auto& h : user) {
    if (iequals(h.name, "Sec-WebSocket-Key") || iequals(h.name, "Sec-WebSocket-Version")) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  out.append("\r\n");
  return out;
}

HandshakeCheck validate_101(const HttpResponseHead& head, std::string_view key,
                            const std::vector<std::string>& offered_subprotocols,
                            const std::vector<std::string>& offered_extensions) {
  HandshakeCheck check;
  const auto& headers = head.headers;
  const auto upgrade = find_header(headers, "Upgrade");
  if (!upgrade || !has_token(*upgrade, "websocket"))
    check.violations.push_back("Upgrade header is " + (upgrade ? "'" + *upgrade + "'" : std::string("missing")) +
                               ", expected 'websocket'");
  const auto connection = find_header(headers, "Connection");
  if (!connection || !has_token(*connection, "upgrade"))
    check.violations.push_back("Connection header is " +
                               (connection ? "'" + *connection + "'" : std::string("missing")) +
                               ", expected a token 'upgrade'");
  check.accept = find_header(headers, "Sec-WebSocket-Accept");
  const auto expected = compute_accept(key);
  check.accept_ok = check.accept && *check.accept == expected;
  if (!check.accept)
    check.violations.push_back("Sec-WebSocket-Accept is missing");
  else if (!check.accept_ok)
    check.violations.push_back("Sec-WebSocket-Accept is '" + *check.accept + "', expected '" + expected + "'");
  check.subprotocol = find_header(headers, "Sec-WebSocket-Protocol");
  if (check.subprotocol &&
      std::find(offered_subprotocols.begin(), offered_subprotocols.end(), *check.subprotocol) ==
          offered_subprotocols.end())
    check.violations.push_back("server selected subprotocol '" + *check.subprotocol + "' that was not offered");
  // The header may be repeated; its elements form one list (RFC 6455 §9.1, RFC 9110 §5.3).
  for (const auto& h : headers)
    if (iequals(h.name, "Sec-WebSocket-Extensions"))
      for (auto& element : split_list(h.value)) check.extensions.push_back(std::move(element));
  bool deflate_seen = false;
  for (const auto& element : check.extensions) {
    const auto name = extension_name(element);
    const auto offer = std::find_if(offered_extensions.begin(), offered_extensions.end(),
                                    [&](const std::string& o) { return iequals(extension_name(o), name); });
    if (offer == offered_extensions.end()) {
      check.violations.push_back("server accepted extension '" + element + "' that was not offered");
      continue;
    }
    if (!is_permessage_deflate(element)) continue;  // the user's own offer (-H): not ours to judge
    if (deflate_seen) {
      check.violations.push_back("server accepted permessage-deflate more than once ('" + element + "' again)");
      check.compression.reset();
      continue;
    }
    deflate_seen = true;
    const auto answer = parse_deflate_answer(element, offer_has_param(*offer, "client_max_window_bits"));
    if (!answer.params)
      check.violations.push_back("server's permessage-deflate answer '" + element + "' is invalid (RFC 7692 §7.1): " +
                                 answer.error);
    else
      check.compression = element;
  }
  return check;
}

}  // namespace wsprobe

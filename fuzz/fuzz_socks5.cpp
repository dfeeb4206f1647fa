// A SOCKS5 proxy's replies (wire/socks5): the method choice, the RFC 1929 status and the CONNECT
// reply, bounded by their own length fields whatever the proxy sends; and the CONNECT request we
// build read back with the reply parser (RFC 1928 §4 and §6 share the layout after the second byte).
#include "fuzz/fuzz_check.hpp"
#include "wire/socks5.hpp"

using namespace wsprobe;

namespace {

void check_connect_reply(std::string_view bytes) {
  const auto reply = socks5::parse_connect_reply(bytes);
  FUZZ_CHECK(reply.state != socks5::ReplyState::invalid || !reply.error.empty());
  FUZZ_CHECK(reply.bound.has_value() == (reply.state == socks5::ReplyState::complete));
  if (reply.state != socks5::ReplyState::invalid) FUZZ_CHECK(reply.reply.has_value() == (bytes.size() >= 2));
  if (reply.state == socks5::ReplyState::complete) {
    FUZZ_CHECK(reply.needed <= bytes.size());
    // Exactly `needed` bytes make the reply; one fewer does not.
    const auto exact = socks5::parse_connect_reply(bytes.substr(0, reply.needed));
    FUZZ_CHECK(exact.state == socks5::ReplyState::complete && exact.bound == reply.bound);
    const auto short_one = socks5::parse_connect_reply(bytes.substr(0, reply.needed - 1));
    FUZZ_CHECK(short_one.state == socks5::ReplyState::incomplete && short_one.needed > reply.needed - 1);
    FUZZ_CHECK(!socks5::reply_name(*reply.reply).empty());
  } else if (reply.state == socks5::ReplyState::incomplete) {
    FUZZ_CHECK(reply.needed > bytes.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto host = input.ConsumeRandomLengthString(300);
  const auto port = input.ConsumeIntegral<std::uint16_t>();
  const auto user = input.ConsumeRandomLengthString(300);
  const auto bytes = input.ConsumeRemainingBytesAsString();

  for (const auto& reply : {socks5::parse_method_choice(bytes), socks5::parse_auth_reply(bytes)}) {
    FUZZ_CHECK(reply.valid == reply.error.empty());
    if (reply.valid) FUZZ_CHECK(bytes.size() >= 2 && reply.value == static_cast<unsigned char>(bytes[1]));
  }
  FUZZ_CHECK(!socks5::method_name(static_cast<unsigned char>(bytes.empty() ? 0 : bytes[0])).empty());
  check_connect_reply(bytes);

  if (const auto request = socks5::connect_request(host, port)) {
    const auto read_back = socks5::parse_connect_reply(*request);
    FUZZ_CHECK(read_back.state == socks5::ReplyState::complete && read_back.needed == request->size());
    FUZZ_CHECK(read_back.reply == 1);  // CMD=CONNECT where a reply has REP
    if ((*request)[3] == 0x03) FUZZ_CHECK(read_back.bound == host + ":" + std::to_string(port));
  } else {
    FUZZ_CHECK(host.empty() || host.size() > 255);
  }
  if (const auto auth = socks5::auth_request(user, host)) {
    FUZZ_CHECK(auth->size() == 3 + user.size() + host.size());
    FUZZ_CHECK(socks5::parse_auth_reply(*auth).valid);  // VER=1 leads both
  } else {
    FUZZ_CHECK(user.size() > 255 || host.size() > 255);
  }
  return 0;
}

// The checks on a server's 101 (wire/handshake validate_101) and its permessage-deflate answer
// (wire/permessage_deflate parse_deflate_answer), over any response head the parser accepts.
#include <algorithm>

#include "fuzz/fuzz_check.hpp"
#include "wire/handshake.hpp"
#include "wire/permessage_deflate.hpp"

using namespace wsprobe;

namespace {

void check_deflate_answer(std::string_view element, bool client_bits_offered) {
  const auto answer = parse_deflate_answer(element, client_bits_offered);
  FUZZ_CHECK(answer.params.has_value() == answer.error.empty());
  if (!answer.params) return;
  FUZZ_CHECK(answer.params->server_max_window_bits >= 8 && answer.params->server_max_window_bits <= 15);
  FUZZ_CHECK(answer.params->client_max_window_bits >= 8 && answer.params->client_max_window_bits <= 15);
  FUZZ_CHECK(client_bits_offered || answer.params->client_max_window_bits == 15);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const bool offer_deflate = input.ConsumeBool();
  const auto element = input.ConsumeRandomLengthString(256);
  check_deflate_answer(element, offer_deflate);

  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3's sample key
  const std::vector<std::string> subprotocols{"chat", "graphql-ws"};
  std::vector<std::string> extensions;
  if (offer_deflate) extensions.emplace_back(kPermessageDeflateOffer);
  const auto rest = input.ConsumeRemainingBytesAsString();
  const auto parse = parse_response_head(rest);
  if (!parse.head) return 0;

  const auto check = validate_101(*parse.head, key, subprotocols, extensions);
  FUZZ_CHECK(!check.accept_ok || check.accept == compute_accept(key));
  if (check.violations.empty()) {
    FUZZ_CHECK(check.accept_ok);
    FUZZ_CHECK(!check.subprotocol ||
               std::find(subprotocols.begin(), subprotocols.end(), *check.subprotocol) != subprotocols.end());
    FUZZ_CHECK(offer_deflate || check.extensions.empty());
  }
  if (check.compression) {
    FUZZ_CHECK(offer_deflate);
    FUZZ_CHECK(is_permessage_deflate(*check.compression));
    FUZZ_CHECK(parse_deflate_answer(*check.compression, true).params.has_value());
  }
  for (const auto& e : check.extensions) check_deflate_answer(e, offer_deflate);
  return 0;
}

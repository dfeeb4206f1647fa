// A forward proxy's answer to CONNECT (wire/http_connect over wire/http_response), and the request
// we send it: credentials that decode back, and never reach the redacted copy.
#include <openssl/evp.h>

#include "fuzz/fuzz_check.hpp"
#include "wire/http_connect.hpp"
#include "wire/http_response.hpp"

using namespace wsprobe;

namespace {

std::string base64_decode(std::string_view text) {
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  FUZZ_CHECK(n >= 0);
  out.resize(static_cast<std::size_t>(n));
  // EVP_DecodeBlock keeps the zero bytes the padding stood for.
  const auto padding = text.size() - text.find_last_not_of('=') - 1;
  out.resize(out.size() - std::min(out.size(), padding));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  const auto user = input.ConsumeRandomLengthString(128);
  const auto password = input.ConsumeRandomLengthString(128);
  const auto answer = input.ConsumeRemainingBytesAsString();

  const auto parse = parse_response_head(answer);
  if (parse.head) FUZZ_CHECK(connect_succeeded(parse.head->status_code) == (parse.head->status_code / 100 == 2));

  const auto encoded = base64_encode(user + ":" + password);
  FUZZ_CHECK(encoded.size() % 4 == 0);
  FUZZ_CHECK(base64_decode(encoded) == user + ":" + password);

  const auto authority = connect_authority("proxy.example", 443);
  const auto request = build_connect_request(authority, "wsprobe", user, password);
  FUZZ_CHECK(request.bytes.rfind("CONNECT proxy.example:443 HTTP/1.1\r\n", 0) == 0);
  FUZZ_CHECK(request.bytes.find("Proxy-Authorization: Basic " + encoded + "\r\n") != std::string::npos);
  FUZZ_CHECK(request.redacted.find(encoded) == std::string::npos || encoded.size() < 12);
  FUZZ_CHECK(request.bytes.size() >= 4 && request.bytes.substr(request.bytes.size() - 4) == "\r\n\r\n");
  return 0;
}

// The PROXY protocol header parser (wire/proxy_protocol), as the lab's listener runs it on a
// connection's first bytes: bounded by the spec's own limits, and every header it reads back
// written again by our builders to the same endpoints.
#include "fuzz/fuzz_check.hpp"
#include "wire/proxy_protocol.hpp"

using namespace wsprobe;

namespace {

bool is_ip_literal_text(std::string_view address) {
  return !address.empty() && address.find_first_not_of("0123456789abcdefABCDEF.:") == std::string_view::npos;
}

ProxyEndpoints read_back(const std::string& header) {
  const auto parse = parse_proxy_header(header);
  FUZZ_CHECK(parse.state == ProxyHeaderState::complete && parse.length == header.size() && parse.endpoints);
  return *parse.endpoints;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto bytes = fuzz::as_view(data, size);
  const auto parse = parse_proxy_header(bytes);
  FUZZ_CHECK(parse.state != ProxyHeaderState::invalid || !parse.error.empty());
  if (parse.state != ProxyHeaderState::complete) {
    FUZZ_CHECK(!parse.endpoints);
    // An incomplete v1 line stays within the spec's 107 bytes: a peer cannot make us buffer more.
    if (parse.state == ProxyHeaderState::incomplete && parse.version == 1) FUZZ_CHECK(bytes.size() < kProxyV1MaxBytes);
    return 0;
  }
  FUZZ_CHECK(parse.version == 1 || parse.version == 2);
  FUZZ_CHECK(parse.length <= bytes.size());
  if (parse.version == 1) FUZZ_CHECK(parse.length <= kProxyV1MaxBytes);
  FUZZ_CHECK(!(parse.local && parse.endpoints));
  // What follows the header is the proxied stream: it never changes the header.
  const auto alone = parse_proxy_header(bytes.substr(0, parse.length));
  FUZZ_CHECK(alone.state == ProxyHeaderState::complete && alone.length == parse.length);
  if (!parse.endpoints) return 0;

  const auto& endpoints = *parse.endpoints;
  FUZZ_CHECK(is_ip_literal_text(endpoints.source_address) && is_ip_literal_text(endpoints.destination_address));
  const auto v1 = proxy_v1_header(endpoints);
  const auto v2 = proxy_v2_header(endpoints);
  FUZZ_CHECK(v1 && v2);
  FUZZ_CHECK(v1->size() <= kProxyV1MaxBytes);
  // Both versions carry the same connection (addresses in their canonical text).
  FUZZ_CHECK(proxy_v1_header(read_back(*v1)) == v1);
  FUZZ_CHECK(proxy_v1_header(read_back(*v2)) == v1);
  FUZZ_CHECK(read_back(*v2).source_port == endpoints.source_port);
  return 0;
}

// URLs the user types (app/url parse_target, app/proxy_env parse_proxy_url) and what becomes of
// an accepted one: the request head built from it has no line but its own (no header injection
// through a host or path), and redaction never fails.
#include "app/proxy_env.hpp"
#include "app/url.hpp"
#include "fuzz/fuzz_check.hpp"
#include "wire/handshake.hpp"
#include "wire/redact.hpp"

using namespace wsprobe;

namespace {

// Every CR is followed by LF, every LF preceded by CR, and the head ends at its one blank line.
void check_request_lines(const std::string& request) {
  FUZZ_CHECK(request.find("\r\n\r\n") == request.size() - 4);
  for (std::size_t i = 0; i < request.size(); ++i) {
    if (request[i] == '\r') FUZZ_CHECK(i + 1 < request.size() && request[i + 1] == '\n');
    if (request[i] == '\n') FUZZ_CHECK(i > 0 && request[i - 1] == '\r');
    FUZZ_CHECK(request[i] != '\0');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const auto text = fuzz::as_view(data, size);
  (void)redact_url(text);

  const auto parsed = parse_target(text);
  FUZZ_CHECK(parsed.target.has_value() == parsed.error.empty());
  if (parsed.target) {
    const auto& target = *parsed.target;
    FUZZ_CHECK(!target.host.empty() && target.port != 0);
    FUZZ_CHECK(target.resource.rfind('/', 0) == 0);
    ProbeOptions options;
    options.target = target;
    check_request_lines(build_upgrade_request(options, make_websocket_key()));
  }

  const auto proxy = parse_proxy_url(text, "--proxy");
  FUZZ_CHECK(proxy.proxy.has_value() == proxy.error.empty());
  if (proxy.proxy) FUZZ_CHECK(!proxy.proxy->host.empty() && proxy.proxy->port != 0);
  (void)redact_proxy_url(text);
  return 0;
}

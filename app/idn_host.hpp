#pragma once
// International domain names in URLs (issue 11): `wss://bücher.example/` is probed as
// `xn--bcher-kva.example`, the form DNS, SNI and the Host header carry, converted as curl converts
// it (libidn2: IDNA 2008 with the UTS #46 mapping, so upper case and NFC variants are the same name).
#include <string>
#include <string_view>

namespace wsprobe {

// `text` with each byte from 0x80 up percent-encoded (%C3%BC), so a URL typed with UTF-8 letters
// parses as RFC 3986 asks; a host comes out of the parser as its UTF-8 again.
std::string percent_encode_non_ascii(std::string_view text);

struct AsciiHost {
  std::string host;   // the A-label form; empty on error
  std::string error;  // why the name is not a valid international domain name
};

// `host` (UTF-8) in its ASCII form. A name that is ASCII already comes back as it is.
AsciiHost to_ascii_host(const std::string& host);

}  // namespace wsprobe

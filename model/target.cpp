#include "model/target.hpp"

namespace wsprobe {

std::string_view to_string(ProxyScheme scheme) {
  switch (scheme) {
    case ProxyScheme::http: return "http";
    case ProxyScheme::socks5: return "socks5";
    case ProxyScheme::socks5h: return "socks5h";
  }
  return "http";
}

std::string_view to_string(FailOn fail_on) { return fail_on == FailOn::warn ? "warn" : "fail"; }

}  // namespace wsprobe

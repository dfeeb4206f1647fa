#include "model/followup.hpp"

namespace wsprobe {

std::string_view to_string(FollowUpKind kind) {
  switch (kind) {
    case FollowUpKind::tls_offering_h2: return "tls_offering_h2";
    case FollowUpKind::tls_in_tls: return "tls_in_tls";
    case FollowUpKind::tls_on_plain_port: return "tls_on_plain_port";
    case FollowUpKind::proxy_protocol_v1: return "proxy_protocol_v1";
    case FollowUpKind::plain_get: return "plain_get";
    case FollowUpKind::http_on_tls_port: return "http_on_tls_port";
    case FollowUpKind::without_verification: return "without_verification";
  }
  return "unknown";
}

}  // namespace wsprobe

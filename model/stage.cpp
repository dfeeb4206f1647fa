#include "model/stage.hpp"

#include <array>
#include <utility>

namespace wsprobe {
namespace {
constexpr std::array<std::pair<Stage, std::string_view>, 8> kStageNames{{
    {Stage::dns, "dns"},
    {Stage::proxy, "proxy"},
    {Stage::tcp, "tcp"},
    {Stage::tls, "tls"},
    {Stage::upgrade, "upgrade"},
    {Stage::echo, "echo"},
    {Stage::hold, "hold"},
    {Stage::close, "close"},
}};
}  // namespace

std::string_view to_string(Stage stage) {
  for (const auto& [value, name] : kStageNames)
    if (value == stage) return name;
  return "unknown";
}

std::optional<Stage> stage_from_string(std::string_view name) {
  for (const auto& [value, text] : kStageNames)
    if (text == name) return value;
  return std::nullopt;
}

std::string_view to_string(StageStatus status) {
  switch (status) {
    case StageStatus::ok: return "ok";
    case StageStatus::warn: return "warn";
    case StageStatus::failed: return "failed";
    case StageStatus::skipped: return "skipped";
  }
  return "unknown";
}

std::string_view to_string(Condition condition) {
  switch (condition) {
    case Condition::none: return "none";
    case Condition::dns_nxdomain: return "dns_nxdomain";
    case Condition::dns_no_address: return "dns_no_address";
    case Condition::dns_timeout: return "dns_timeout";
    case Condition::dns_failure: return "dns_failure";
    case Condition::connect_refused: return "connect_refused";
    case Condition::connect_timeout: return "connect_timeout";
    case Condition::unreachable: return "unreachable";
    case Condition::reset: return "reset";
    case Condition::eof: return "eof";
    case Condition::timeout: return "timeout";
    case Condition::tls_failure: return "tls_failure";
    case Condition::tls_verify_failed: return "tls_verify_failed";
    case Condition::not_tls: return "not_tls";
    case Condition::not_http: return "not_http";
    case Condition::upgrade_rejected: return "upgrade_rejected";
    case Condition::proxy_refused: return "proxy_refused";
    case Condition::protocol_violation: return "protocol_violation";
    case Condition::frame_flood: return "frame_flood";
    case Condition::message_mismatch: return "message_mismatch";
    case Condition::not_echoed: return "not_echoed";
    case Condition::ping_unanswered: return "ping_unanswered";
    case Condition::closed_by_peer: return "closed_by_peer";
    case Condition::close_unclean: return "close_unclean";
    case Condition::internal: return "internal";
    case Condition::interrupted: return "interrupted";
  }
  return "unknown";
}

}  // namespace wsprobe

#include "checks/followup_plan.hpp"

#include "checks/rules.hpp"
#include "wire/http_response.hpp"

namespace wsprobe {
namespace {

const StageResult* first_failure(const TargetResult& result) {
  for (const auto& stage : result.stages)
    if (stage.status == StageStatus::failed) return &stage;
  return nullptr;
}

// The upgrade got nothing it could read: the peer closed or reset with no byte, or answered the
// HTTP request with a TLS record (knowledge base: tls_terminated_twice, plain_client_tls_server,
// nlb_tls_tg_plain_target, pp_expected_missing all look like this from the client).
bool upgrade_got_nothing(const StageResult& stage, const UpgradeObservation& upgrade) {
  if (stage.condition == Condition::not_http) return starts_with_tls_record(upgrade.first_bytes_hex);
  return (stage.condition == Condition::eof || stage.condition == Condition::reset) && upgrade.bytes_received == 0;
}

// A refusal the plain GET can put in context: 400 and 426 (is the path served at all?) and a 403
// that is not a credentials challenge.
bool refusal_worth_a_plain_get(const UpgradeObservation& upgrade) {
  const int status = upgrade.status_code.value_or(0);
  if (status != 400 && status != 426 && status != 403) return false;
  if (find_header(upgrade.headers, "WWW-Authenticate")) return false;
  return !is_plain_http_to_tls_page(upgrade);  // already certain: TLS terminated twice, or ws:// to TLS
}

}  // namespace

std::vector<FollowUpKind> plan_followups(const TargetResult& result) {
  const StageResult* failed = first_failure(result);
  if (!failed) return {};
  const auto& observed = result.observed;
  const bool secure = result.target.secure;

  switch (failed->stage) {
    case Stage::tls:
      if (failed->condition == Condition::tls_verify_failed) return {FollowUpKind::without_verification};
      if (failed->condition == Condition::not_tls) return {FollowUpKind::http_on_tls_port};
      return {};
    case Stage::upgrade: {
      if (!observed.upgrade) return {};
      const auto& upgrade = *observed.upgrade;
      if (upgrade_got_nothing(*failed, upgrade)) {
        if (secure) return {FollowUpKind::tls_in_tls, FollowUpKind::tls_offering_h2};
        // Under --proxy-protocol the main probe already sent a header: asking again would send two.
        if (observed.tcp && observed.tcp->proxy_protocol_version) return {FollowUpKind::tls_on_plain_port};
        return {FollowUpKind::tls_on_plain_port, FollowUpKind::proxy_protocol_v1};
      }
      if (failed->condition == Condition::upgrade_rejected && refusal_worth_a_plain_get(upgrade))
        return {FollowUpKind::plain_get};
      return {};
    }
    default:
      return {};
  }
}

}  // namespace wsprobe

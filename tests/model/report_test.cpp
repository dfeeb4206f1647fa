// Lookups every layer shares over a result: its stages, the certificate's days left.
#include <catch2/catch.hpp>

#include "model/report.hpp"
#include "support/report_fixtures.hpp"

namespace wsprobe {

TEST_CASE("stages are found by name, and passed means ok or warn", "[model]") {
  auto result = fixtures::pass_wss().results.front();
  REQUIRE(find_stage(result, Stage::tls));
  CHECK(find_stage(result, Stage::tls)->stage == Stage::tls);
  CHECK(stage_passed(result, Stage::tls));
  CHECK_FALSE(stage_passed(result, Stage::hold));  // skipped
  result.stages.clear();
  CHECK_FALSE(find_stage(result, Stage::tls));
}

TEST_CASE("days left on the certificate are counted from the probe's start", "[model]") {
  auto report = fixtures::pass_wss();
  auto& result = report.results.front();
  CHECK(leaf_cert_days_left(result) == 212);
  result.observed.tls->peer_chain.front().not_after_epoch_s = result.started_at_epoch_s - 2 * 86400;
  CHECK(leaf_cert_days_left(result) == -2);
  // Rounded down: half a day after expiry is already a day past.
  result.observed.tls->peer_chain.front().not_after_epoch_s = result.started_at_epoch_s - 43200;
  CHECK(leaf_cert_days_left(result) == -1);
  result.observed.tls->peer_chain.clear();
  CHECK_FALSE(leaf_cert_days_left(result));
}

}  // namespace wsprobe

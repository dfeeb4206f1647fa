#include <catch2/catch.hpp>

#include "model/latency.hpp"
#include "model/report.hpp"

using namespace wsprobe;
using std::chrono::microseconds;

TEST_CASE("latency figures use nearest-rank percentiles", "[model]") {
  std::vector<Micros> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(microseconds(i * 10));
  const auto stats = summarize_latency(samples);
  REQUIRE(stats);
  CHECK(stats->samples == 100);
  CHECK(stats->min == microseconds(10));
  CHECK(stats->p50 == microseconds(500));
  CHECK(stats->p90 == microseconds(900));
  CHECK(stats->p95 == microseconds(950));
  CHECK(stats->p99 == microseconds(990));
  CHECK(stats->max == microseconds(1000));
  CHECK(stats->mean == microseconds(505));
}

TEST_CASE("latency of one sample is that sample everywhere; none gives nothing", "[model]") {
  const auto one = summarize_latency({microseconds(42)});
  REQUIRE(one);
  CHECK(one->p50 == microseconds(42));
  CHECK(one->p95 == microseconds(42));
  CHECK(one->p99 == microseconds(42));
  CHECK_FALSE(summarize_latency({}));
}

TEST_CASE("latency p95 of five samples is the largest (nearest rank 5 of 5); of twenty, the 19th", "[model]") {
  // ceil(0.95 * 5) = 5: with the default --count 5, --max-latency p95 is the slowest round trip.
  const auto five = summarize_latency({microseconds(10), microseconds(50), microseconds(20), microseconds(40),
                                       microseconds(30)});
  REQUIRE(five);
  CHECK(five->p95 == microseconds(50));
  CHECK(five->p90 == microseconds(50));
  std::vector<Micros> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(microseconds(i));
  const auto stats = summarize_latency(twenty);
  REQUIRE(stats);
  CHECK(stats->p95 == microseconds(19));
  CHECK(stats->p90 == microseconds(18));
  CHECK(stats->p99 == microseconds(20));
}

TEST_CASE("exit code: fail beats degraded beats pass", "[model]") {
  RunReport report;
  CHECK(exit_code_for(report) == 0);
  report.results.resize(2);
  report.results[0].verdict.status = VerdictStatus::degraded;
  CHECK(exit_code_for(report) == 3);
  report.results[1].verdict.status = VerdictStatus::fail;
  CHECK(exit_code_for(report) == 1);
}

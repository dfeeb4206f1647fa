// run_bounded: the runner behind -j, --all-addresses and the nodes' follow-ups. Jobs yield to the
// event loop a few times instead of sleeping, so every interleaving below is deterministic.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "probe/fleet.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;

struct Log {
  std::size_t active = 0;
  std::size_t most_active = 0;
  std::vector<std::size_t> started;
  std::vector<std::size_t> finished;
  std::optional<std::size_t> throw_at;  // this job throws as it starts
  bool returned = false;
  std::size_t finished_at_return = 0;
  std::string error;  // what run_bounded rethrew
};

// Longer than any number of jobs started together below: every running job is still running when
// the next one starts, so the bound is what limits them.
constexpr int kYields = 8;

net::awaitable<void> job(Log* log, std::size_t index) {
  log->started.push_back(index);
  if (log->throw_at == index) throw std::runtime_error("job " + std::to_string(index) + " broke");
  ++log->active;
  log->most_active = std::max(log->most_active, log->active);
  const auto executor = co_await net::this_coro::executor;
  for (int i = 0; i < kYields; ++i) co_await net::post(executor, net::use_awaitable);
  --log->active;
  log->finished.push_back(index);
}

net::awaitable<void> run_jobs(Log* log, std::size_t count, std::size_t concurrency) {
  try {
    co_await run_bounded(count, concurrency, [log](std::size_t index) { return job(log, index); });
  } catch (const std::runtime_error& e) {
    log->error = e.what();
  }
  log->returned = true;
  log->finished_at_return = log->finished.size();
}

Log run(std::size_t count, std::size_t concurrency, std::optional<std::size_t> throw_at = std::nullopt) {
  Log log;
  log.throw_at = throw_at;
  net::io_context ioc;
  net::co_spawn(ioc, run_jobs(&log, count, concurrency), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  ioc.run_for(10s);
  REQUIRE(log.returned);
  return log;
}

std::vector<std::size_t> indices(std::size_t count) {
  std::vector<std::size_t> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = i;
  return out;
}

}  // namespace

TEST_CASE("run_bounded runs every job, at most N at once, started in index order", "[fleet]") {
  const auto log = run(10, 3);
  CHECK(log.started == indices(10));
  CHECK(log.finished.size() == 10);
  CHECK(log.most_active == 3);
  CHECK(log.active == 0);
  // It returned after the last job ended, not when the last one started.
  CHECK(log.finished_at_return == 10);
}

TEST_CASE("run_bounded with concurrency 1 runs the jobs one after another", "[fleet]") {
  const auto log = run(4, 1);
  CHECK(log.most_active == 1);
  CHECK(log.finished == indices(4));
}

TEST_CASE("run_bounded: concurrency 0 counts as 1, more than the jobs runs them all at once", "[fleet]") {
  CHECK(run(3, 0).most_active == 1);
  const auto all = run(5, 64);
  CHECK(all.most_active == 5);
  CHECK(all.finished.size() == 5);
}

TEST_CASE("run_bounded with no job returns at once", "[fleet]") {
  const auto log = run(0, 4);
  CHECK(log.started.empty());
  CHECK(log.error.empty());
}

TEST_CASE("run_bounded: a job that throws stops further starts; the error comes after the running jobs end",
          "[fleet]") {
  // Jobs 0 and 1 start together; 0 ends first and its worker takes job 2, which throws.
  const auto log = run(6, 2, 2);
  CHECK(log.error == "job 2 broke");
  CHECK(log.started == std::vector<std::size_t>{0, 1, 2});
  CHECK(log.finished_at_return == 2);  // job 1 ran to its end first
  CHECK(log.active == 0);
}

}  // namespace wsprobe

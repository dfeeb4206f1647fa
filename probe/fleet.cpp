#include "probe/fleet.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <exception>
#include <memory>

#include "model/stage.hpp"

namespace wsprobe {
namespace {

// Shared by the workers and the waiting caller; the workers keep it alive even if the caller's
// frame goes first (an io_context destroyed mid-run).
struct Pool {
  Pool(const net::any_io_executor& executor, std::size_t n, std::function<net::awaitable<void>(std::size_t)> f)
      : count(n), job(std::move(f)), done(executor, Clock::time_point::max()) {}
  const std::size_t count;
  const std::function<net::awaitable<void>(std::size_t)> job;
  std::size_t next = 0;     // the lowest index not started yet
  std::size_t workers = 0;  // still running
  std::exception_ptr error;
  net::steady_timer done;  // cancelled when the last worker ends
};

// Takes the next index until none is left: `concurrency` of these give the bound.
net::awaitable<void> worker(std::shared_ptr<Pool> pool) {
  while (pool->next < pool->count && !pool->error) {
    const auto index = pool->next++;
    try {
      co_await pool->job(index);
    } catch (...) {
      if (!pool->error) pool->error = std::current_exception();
    }
  }
}

}  // namespace

net::awaitable<void> run_bounded(std::size_t count, std::size_t concurrency,
                                 std::function<net::awaitable<void>(std::size_t)> job) {
  if (count == 0) co_return;
  const auto executor = co_await net::this_coro::executor;
  auto pool = std::make_shared<Pool>(executor, count, std::move(job));
  pool->workers = std::min(count, std::max<std::size_t>(concurrency, 1));
  const auto workers = pool->workers;
  for (std::size_t i = 0; i < workers; ++i)
    net::co_spawn(executor, worker(pool), [pool](std::exception_ptr) {
      if (--pool->workers == 0) pool->done.cancel();
    });
  // One thread: nothing runs between the test and the wait, so the last cancel cannot be missed.
  while (pool->workers > 0) co_await pool->done.async_wait(use_nothrow);
  if (pool->error) std::rethrow_exception(pool->error);
}

}  // namespace wsprobe

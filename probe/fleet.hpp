#pragma once
// Many probes on one event loop: the targets of a run (-j), the nodes of --all-addresses, the
// follow-ups of each node.
#include <cstddef>
#include <functional>

#include "probe/asio.hpp"

namespace wsprobe {

// Runs job(0) .. job(count - 1) on the caller's executor, at most `concurrency` at once (0 counts
// as 1), starting them in index order: job k starts when k is the lowest index not yet started and
// fewer than `concurrency` jobs run. Returns when every job has ended.
//
// `job` must return the awaitable of a named coroutine whose parameters are values or outlive the
// call (GCC 12 double-frees capturing lambda coroutines). A job that throws is a bug, not a network
// outcome: no further job starts, and the first exception is rethrown once the running ones end.
//
// The executor must be single-threaded (an io_context run by one thread), as every probe's is.
net::awaitable<void> run_bounded(std::size_t count, std::size_t concurrency,
                                 std::function<net::awaitable<void>(std::size_t)> job);

}  // namespace wsprobe

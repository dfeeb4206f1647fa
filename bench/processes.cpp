#include "bench/processes.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <cstdio>
#include <stdexcept>

extern char** environ;

namespace bench {
namespace {

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

}  // namespace

ProcessRun run_process(const std::vector<std::string>& argv, double sample_at_s) {
  char path[] = "/tmp/wsprobe-bench-XXXXXX";
  const int out_fd = mkstemp(path);
  if (out_fd < 0) throw std::runtime_error("mkstemp failed");
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    close(out_fd);
    unlink(path);
    throw std::runtime_error("cannot start " + argv[0]);
  }
  // Sampled from /proc, not wait4's ru_maxrss: Linux carries that across exec, so a spawned child
  // would report at least its parent's size.
  int status = 0;
  ProcessRun run;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    const long resident = resident_kib(pid);
    run.peak_rss_kib = std::max(run.peak_rss_kib, resident);
    if (run.rss_at_kib == 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= sample_at_s)
      run.rss_at_kib = resident;
    usleep(10000);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(out_fd, 0, SEEK_SET);
  char buffer[65536];
  for (ssize_t n; (n = read(out_fd, buffer, sizeof buffer)) > 0;) run.output.append(buffer, static_cast<std::size_t>(n));
  close(out_fd);
  unlink(path);
  return run;
}

}  // namespace bench

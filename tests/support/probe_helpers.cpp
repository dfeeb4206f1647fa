#include "support/probe_helpers.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstring>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "app/url.hpp"
#include "checks/verdict.hpp"
#include "probe/pipeline.hpp"
#include "probe/resolve.hpp"
#include "report/json.hpp"
#include "support/schema_validation.hpp"

namespace wsprobe::test {
namespace {

// Named, by-value coroutine (style.md: no capturing lambdas in co_spawn).
net::awaitable<void> dns_into(ProbeContext* context, std::optional<StageResult>* result) {
  *result = co_await run_dns(*context);
}

}  // namespace

ProbeOptions probe_options(std::string_view url, std::chrono::milliseconds stage_budget) {
  auto parsed = parse_target(url);
  INFO("url: " << url << " error: " << parsed.error);
  REQUIRE(parsed.target);
  ProbeOptions options;
  options.target = std::move(*parsed.target);
  options.count = 3;
  auto& b = options.budgets;
  b.dns = b.connect = b.tls = b.upgrade = b.echo = b.close = stage_budget;
  b.total = std::chrono::seconds(20);
  return options;
}

void pin_to_loopback(ProbeOptions& options) {
  options.resolve.push_back({options.target.host, options.target.port, "127.0.0.1"});
}

std::string loopback_url(std::string_view scheme, std::uint16_t port, std::string_view host, std::string_view path) {
  return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port) + std::string(path);
}

std::string ws_url(std::uint16_t port, std::string_view path) { return loopback_url("ws", port, "127.0.0.1", path); }

ProbeOptions ws_loopback(std::uint16_t port, std::string_view path) { return probe_options(ws_url(port, path)); }

ProbeOptions wss_localhost(std::uint16_t port, std::optional<std::string> ca_file, std::string_view path) {
  auto options = probe_options(loopback_url("wss", port, "localhost", path));
  pin_to_loopback(options);
  options.cacert_file = std::move(ca_file);
  return options;
}

ProbeRun probe_and_diagnose(const ProbeOptions& options, std::chrono::milliseconds bound) {
  // The worker owns copies of everything it touches, so abandoning it on a timeout is safe.
  struct Shared {
    ProbeOptions options;
    std::promise<TargetResult> done;
  };
  auto shared = std::make_shared<Shared>(Shared{options, {}});
  auto future = shared->done.get_future();
  const auto start = Clock::now();
  std::thread worker([shared] {
    try {
      shared->done.set_value(run_probe(shared->options));
    } catch (...) {
      shared->done.set_exception(std::current_exception());
    }
  });
  if (future.wait_for(bound) != std::future_status::ready) {
    worker.detach();
    FAIL("run_probe did not return within " << bound.count() << " ms (" << options.target.url << ")");
  }
  worker.join();
  ProbeRun run;
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  run.result = future.get();
  run.result.assertions = options.assertions;
  diagnose(run.result);
  require_valid_report(run.result);
  return run;
}

StageResult run_dns_stage(ProbeContext& context, std::chrono::milliseconds bound) {
  std::optional<StageResult> result;
  {
    net::io_context ioc;
    net::co_spawn(ioc, dns_into(&context, &result), net::detached);
    ioc.run_for(bound);
  }
  REQUIRE(result);
  return *result;
}

void require_valid_report(const TargetResult& result) {
  // Every report a probe test produces must be what the schema promises CI consumers.
  RunReport report;
  report.tool.version = "test";
  report.results.push_back(result);
  const auto errors = testing::schema_errors(to_json(report));
  INFO("schema errors for " << result.target.url << ": " << (errors.empty() ? "" : errors.front()));
  CHECK(errors.empty());
}

const StageResult& stage_of(const TargetResult& result, Stage stage) {
  for (const auto& s : result.stages)
    if (s.stage == stage) return s;
  FAIL("no stage " << to_string(stage) << " in the result");
  throw std::logic_error("unreachable");
}

void check_verdict(const TargetResult& result, VerdictStatus status, std::optional<Stage> stage,
                   const std::string& cause) {
  CHECK(result.verdict.status == status);
  CHECK(result.verdict.stage == stage);
  CHECK(result.verdict.cause == cause);
}

const Finding* find_finding(const TargetResult& result, std::string_view id) {
  for (const auto& finding : result.findings)
    if (finding.id == id) return &finding;
  return nullptr;
}

std::string describe(const TargetResult& result) {
  std::string out = "target " + result.target.url + "\n";
  for (const auto& s : result.stages) {
    out += "  " + std::string(to_string(s.stage)) + ": " + std::string(to_string(s.status)) + " (" +
           std::string(to_string(s.condition)) + ") +" + std::to_string(s.start_offset.count()) + "us " +
           std::to_string(s.duration.count()) + "us " + s.detail + "\n";
  }
  for (const auto& f : result.findings) {
    out += "  finding " + f.id + " [" + std::string(to_string(f.severity)) + "]";
    for (const auto& e : f.evidence) out += " | " + e;
    out += "\n";
  }
  out += "  verdict " + std::string(to_string(result.verdict.status)) + " " + result.verdict.cause +
         (result.verdict.stage ? " at " + std::string(to_string(*result.verdict.stage)) : std::string()) + "\n";
  return out;
}

RefusingPort::RefusingPort() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("bind: ") + std::strerror(error));
  }
  port_ = ntohs(address.sin_port);
}

RefusingPort::~RefusingPort() {
  if (fd_ >= 0) ::close(fd_);
}

TestPki::TestPki() : ca_file_(files_.write("ca.pem", authority_.cert_pem()).string()) {}

lab::CertifiedKey TestPki::leaf() const {
  lab::LeafOptions options;
  options.not_after = std::chrono::hours(24 * 90);
  return authority_.issue(options);
}

}  // namespace wsprobe::test

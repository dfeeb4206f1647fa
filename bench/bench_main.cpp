// wsprobe benchmarks (issue 12): every figure is a ratio against a baseline measured in the same
// run, on the same machine, so a busy machine moves both. Not part of the test suite: tests must
// not fail because the machine is busy. Run with `scripts/setup.sh bench [SCALE]`.
//   frame decode / head parse   vs memcpy / string_view::find of the same bytes
//   one-shot probe              wsprobe process to exit vs a Beast client process (open/ping/echo/close)
//   fleets of 200               ws://, wss:// -k (system trust store), wss:// --cacert at -j 1/8/32:
//                               targets/s vs the Beast client and vs the bare TCP / TLS 1.3 floor
//   mixed -j 12                 ws:// upgrade p90 beside wss:// targets vs the same targets alone
//   first target                its upgrade vs the later targets' median
//   held connections            KiB each (200 held vs 1), wsprobe vs the Beast client
//   ping RTT                    wsprobe's ping p50 vs the Beast client's
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bench/baselines.hpp"
#include "bench/processes.hpp"
#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"
#include "wire/http_response.hpp"
#include "wire/ws_frame.hpp"

namespace {

using Seconds = std::chrono::duration<double>;
using Json = nlohmann::json;

template <class F>
double time_it(int iterations, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  return Seconds(std::chrono::steady_clock::now() - start).count();
}

void ratio_line(const char* name, double subject, double baseline, const char* unit, const char* against) {
  std::printf("%-34s %11.2f %-9s %-26s %11.2f   ratio %6.2fx\n", name, subject, unit, against, baseline,
              baseline > 0 ? subject / baseline : 0.0);
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(q * static_cast<double>(values.size())))];
}

// Server frames (unmasked): 1000 text frames of 1 KiB.
std::string server_frames() {
  std::string out;
  const std::string payload(1024, 'x');
  for (int i = 0; i < 1000; ++i) {
    out.push_back(static_cast<char>(0x81));
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
    out += payload;
  }
  return out;
}

void parsing_benchmarks(int scale) {
  volatile std::size_t sink = 0;
  const auto bytes = server_frames();
  std::vector<char> copy(bytes.size());
  const int frames_n = 200 * scale;
  const double copied = time_it(frames_n, [&] {
    std::memcpy(copy.data(), bytes.data(), bytes.size());
    sink = sink + static_cast<std::size_t>(copy[bytes.size() / 2]);
  });
  const double decoded = time_it(frames_n, [&] {
    wsprobe::FrameDecoder decoder(1 << 20);
    decoder.feed(bytes);
    while (auto frame = decoder.next()) sink = sink + frame->payload.size();
  });
  ratio_line("frame decode (1000 x 1 KiB)", decoded / frames_n * 1e6, copied / frames_n * 1e6, "us", "memcpy us");
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: bench\r\nDate: Wed, 25 Nov 2026 01:00:00 GMT\r\n\r\n";
  const int heads_n = 200000 * scale;
  const double found = time_it(heads_n, [&] { sink = sink + std::string_view(head).find("\r\n\r\n"); });
  const double parsed = time_it(heads_n, [&] { sink = sink + wsprobe::parse_response_head(head).head->headers.size(); });
  ratio_line("head parse", parsed / heads_n * 1e9, found / heads_n * 1e9, "ns", "find ns");
}

struct Lab {
  wsprobe::lab::CertificateAuthority authority;
  wsprobe::lab::TempDir files;
  std::string ca_file;
  wsprobe::lab::EchoServer plain;
  wsprobe::lab::EchoServer secure;

  static wsprobe::lab::EchoServerOptions tls_options(const wsprobe::lab::CertificateAuthority& authority) {
    wsprobe::lab::EchoServerOptions options;
    wsprobe::lab::LeafOptions leaf;
    leaf.not_after = std::chrono::hours(24 * 90);  // not "expiring": the verdicts should be passes
    options.tls = authority.issue(leaf);
    return options;
  }
  Lab() : ca_file(files.write("ca.pem", authority.cert_pem()).string()), secure(tls_options(authority)) {}

  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(plain.port()) + "/echo"; }
  std::string wss_url() const { return "wss://localhost:" + std::to_string(secure.port()) + "/echo"; }
};

enum class Trust { none, system, cacert };

// wsprobe as a user runs it: one echo and one ping per target (as the Beast client does), no
// follow-ups, the JSON report on stdout.
bench::ProcessRun wsprobe_run(const Lab& lab, int ws_targets, int wss_targets, Trust trust, int jobs,
                              std::vector<std::string> extra = {}, double sample_at_s = 0) {
  std::vector<std::string> argv{WSPROBE_BINARY, "--no-followup", "--count", "1", "--json", "-j", std::to_string(jobs)};
  if (wss_targets > 0) {
    argv.insert(argv.end(), {"--resolve", "localhost:" + std::to_string(lab.secure.port()) + ":127.0.0.1"});
    if (trust == Trust::cacert) argv.insert(argv.end(), {"--cacert", lab.ca_file});
    if (trust == Trust::system) argv.push_back("-k");  // the system store is loaded; the lab CA is not in it
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  // Interleaved, so a mixed fleet has wss:// neighbours around every ws:// target.
  for (int i = 0; i < std::max(ws_targets, wss_targets); ++i) {
    if (i < ws_targets) argv.push_back(lab.ws_url());
    if (i < wss_targets) argv.push_back(lab.wss_url());
  }
  return bench::run_process(argv, sample_at_s);
}

// Stage durations in ms of one stage across the results whose URL starts with `scheme`.
std::vector<double> stage_ms(const Json& report, const std::string& scheme, const std::string& stage) {
  std::vector<double> out;
  for (const auto& result : report["results"]) {
    if (result["target"]["url"].get<std::string>().rfind(scheme, 0) != 0) continue;
    for (const auto& each : result["stages"])
      if (each["name"] == stage && each["duration_us"].is_number()) out.push_back(each["duration_us"].get<double>() / 1e3);
  }
  return out;
}

// Targets that passed (a wss:// -k target's verdict is degraded by tls_verification_disabled, which
// counts here as a pass); the first other verdict's cause goes to stderr.
std::size_t passed(const Json& report) {
  std::size_t n = 0;
  bool told = false;
  for (const auto& result : report["results"]) {
    const auto& verdict = result["verdict"];
    const bool ok = verdict["status"] == "pass" || verdict["cause"] == "tls_verification_disabled";
    n += ok;
    if (!ok && !told) std::fprintf(stderr, "  first failure: %s\n", verdict.dump().c_str());
    told = told || !ok;
  }
  return n;
}

void fleet_benchmarks(const Lab& lab, int scale) {
  const int n = 200;
  const double tcp_floor = bench::tcp_connect_floor(lab.plain.port(), 200 * scale);
  const double tls_floor = bench::tls_handshake_floor(lab.secure.port(), 100 * scale);
  const double beast_ws = bench::beast_open_echo_close(lab.plain.port(), false, 100 * scale);
  const double beast_wss = bench::beast_open_echo_close(lab.secure.port(), true, 100 * scale);
  std::printf("floors: TCP connect %.0f/s, TLS 1.3 handshake %.0f/s; Beast client open/echo/close ws %.0f/s, wss %.0f/s\n",
              1 / tcp_floor, 1 / tls_floor, 1 / beast_ws, 1 / beast_wss);

  struct Case {
    const char* name;
    bool tls;
    Trust trust;
  };
  for (const Case& each : {Case{"ws://", false, Trust::none}, Case{"wss:// -k (system store)", true, Trust::system},
                           Case{"wss:// --cacert", true, Trust::cacert}}) {
    double best = 0;
    for (int jobs : {1, 8, 32}) {
      const auto run = wsprobe_run(lab, each.tls ? 0 : n, each.tls ? n : 0, each.trust, jobs);
      const auto report = Json::parse(run.output, nullptr, false);
      const double rate = n / run.seconds;
      best = std::max(best, rate);
      char name[96];
      std::snprintf(name, sizeof name, "fleet %s -j %d (%zu/%d pass)", each.name, jobs,
                    report.is_discarded() ? 0 : passed(report), n);
      ratio_line(name, rate, 1 / (each.tls ? beast_wss : beast_ws), "targets/s", "Beast client/s");
    }
    char name[96];
    std::snprintf(name, sizeof name, "fleet %s best -j", each.name);
    ratio_line(name, best, 1 / (each.tls ? tls_floor : tcp_floor), "targets/s", each.tls ? "TLS floor/s" : "TCP floor/s");
  }

  // A ws:// target's upgrade beside wss:// neighbours (whose handshakes share the event loop).
  const auto mixed = Json::parse(wsprobe_run(lab, 100, 100, Trust::system, 12).output, nullptr, false);
  const auto alone = Json::parse(wsprobe_run(lab, 100, 0, Trust::none, 12).output, nullptr, false);
  if (!mixed.is_discarded() && !alone.is_discarded()) {
    ratio_line("mixed -j 12: ws upgrade p90", quantile(stage_ms(mixed, "ws://", "upgrade"), 0.9),
               quantile(stage_ms(alone, "ws://", "upgrade"), 0.9), "ms", "alone p90 ms");
    std::size_t flagged = 0;
    for (const auto& result : mixed["results"])
      for (const auto& finding : result["findings"]) flagged += finding["id"] == "probe_clock_contaminated";
    std::printf("%-34s %11zu of 200 targets\n", "  flagged probe_clock_contaminated", flagged);
  }
  const auto sequential = Json::parse(wsprobe_run(lab, 50, 0, Trust::none, 1).output, nullptr, false);
  if (!sequential.is_discarded()) {
    auto upgrades = stage_ms(sequential, "ws://", "upgrade");
    const double first = upgrades.front();
    upgrades.erase(upgrades.begin());
    ratio_line("first target's upgrade", first, median(upgrades), "ms", "later median ms");
  }
}

void one_shot_benchmarks(const Lab& lab, int scale) {
  std::vector<double> probe, beast;
  const auto port = std::to_string(lab.plain.port());
  for (int i = 0; i < 20 * scale; ++i) {
    probe.push_back(wsprobe_run(lab, 1, 0, Trust::none, 1).seconds * 1e3);
    beast.push_back(bench::run_process({BENCH_BINARY, "beast-once", port, "0"}).seconds * 1e3);
  }
  ratio_line("one-shot ws:// probe, to exit", median(probe), median(beast), "ms", "Beast client ms");

  const auto report = Json::parse(wsprobe_run(lab, 1, 0, Trust::none, 1, {"--count", "20"}).output, nullptr, false);
  if (!report.is_discarded()) {
    double p50 = 0;
    for (const auto& stage : report["results"][0]["stages"])
      if (stage["name"] == "echo") p50 = stage["observed"]["ping_latency"]["p50_us"].get<double>();
    ratio_line("ping RTT p50", p50, bench::beast_ping_rtt_us(lab.plain.port(), 20), "us", "Beast client us");
  }
}

// KiB per held connection, from 1 and n held: in the middle of the hold (what the connections
// themselves take) and at the process's peak (with the results and the JSON report built at the end).
void held_benchmarks(const Lab& lab) {
  const int n = 200;
  const double mid_hold_s = 2.5;
  const std::vector<std::string> hold{"--hold", "3s"};
  for (bool tls : {false, true}) {
    const auto one = wsprobe_run(lab, tls ? 0 : 1, tls ? 1 : 0, Trust::cacert, 1, hold, mid_hold_s);
    const auto many = wsprobe_run(lab, tls ? 0 : n, tls ? n : 0, Trust::cacert, n, hold, mid_hold_s);
    const auto port = std::to_string(tls ? lab.secure.port() : lab.plain.port());
    const auto beast = [&](int count) {
      return bench::run_process({BENCH_BINARY, "beast-hold", port, tls ? "1" : "0", std::to_string(count), "3"}, mid_hold_s);
    };
    const auto beast_one = beast(1);
    const auto beast_many = beast(n);
    for (const auto* run : {&one, &many, &beast_one, &beast_many})
      std::fprintf(stderr, "  held run: exit %d after %.1f s, %ld KiB mid-hold, peak %ld KiB\n", run->exit_code,
                   run->seconds, run->rss_at_kib, run->peak_rss_kib);
    const auto each = [n](long one_kib, long many_kib) { return static_cast<double>(many_kib - one_kib) / (n - 1); };
    const double beast_each = each(beast_one.rss_at_kib, beast_many.rss_at_kib);
    const std::string name = tls ? "held wss:// connection" : "held ws:// connection";
    ratio_line(name.c_str(), each(one.rss_at_kib, many.rss_at_kib), beast_each, "KiB each", "Beast client KiB");
    ratio_line((name + ", peak").c_str(), each(one.peak_rss_kib, many.peak_rss_kib), beast_each, "KiB each",
               "Beast client KiB");
  }
}

}  // namespace

// Usage: wsprobe_bench [SCALE [CASE...]], CASE one of parse, one-shot, fleet, held (default: all).
//        wsprobe_bench serve: the lab's servers until stdin closes, to profile wsprobe by hand
//        (heaptrack, perf) against the same peers the cases use.
int main(int argc, char** argv) {
  if (int code = bench::child_main(argc, argv); code >= 0) return code;
  if (argc == 2 && std::string_view(argv[1]) == "serve") {
    Lab lab;
    std::printf("%s\n%s\n--cacert %s --resolve localhost:%u:127.0.0.1\n", lab.ws_url().c_str(), lab.wss_url().c_str(),
                lab.ca_file.c_str(), static_cast<unsigned>(lab.secure.port()));
    std::fflush(stdout);
    while (std::getchar() != EOF) {
    }
    return 0;
  }
  const int scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
  const std::vector<std::string> only(argv + std::min(argc, 2), argv + argc);
  const auto wanted = [&only](const char* name) { return only.empty() || std::find(only.begin(), only.end(), name) != only.end(); };
  std::printf("%-34s %11s %-9s %-26s %11s\n", "case", "wsprobe", "", "baseline", "");
  if (wanted("parse")) parsing_benchmarks(scale);
  Lab lab;
  if (wanted("one-shot")) one_shot_benchmarks(lab, scale);
  if (wanted("fleet")) fleet_benchmarks(lab, scale);
  if (wanted("held")) held_benchmarks(lab);
  return 0;
}

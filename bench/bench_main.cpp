// wsprobe benchmarks. Every figure is a ratio against a baseline measured in the same run, on the
// same machine, so a busy machine moves both:
//   frame decoding   vs memcpy of the same bytes (what decoding costs over touching the bytes)
//   head parsing     vs std::string_view::find of the head's end
//   whole probe      vs a bare TCP connect + close to the same local server (what a full staged
//                    probe costs over the cheapest possible check)
// Usage: wsprobe_bench [iterations-scale]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "app/run.hpp"
#include "app/url.hpp"
#include "checks/verdict.hpp"
#include "probe/lab/echo_server.hpp"
#include "probe/pipeline.hpp"
#include "wire/http_response.hpp"
#include "wire/ws_frame.hpp"

namespace {

using Seconds = std::chrono::duration<double>;

template <class F>
double time_it(int iterations, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  return Seconds(std::chrono::steady_clock::now() - start).count();
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

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void report(const char* name, double subject, double baseline, int iterations) {
  std::printf("%-16s %10.3f us/op   baseline %10.3f us/op   ratio %6.2fx\n", name, subject / iterations * 1e6,
              baseline / iterations * 1e6, subject / baseline);
}

}  // namespace

int main(int argc, char** argv) {
  const int scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
  volatile std::size_t sink = 0;

  {
    const auto bytes = server_frames();
    std::vector<char> copy(bytes.size());
    const int n = 200 * scale;
    const double baseline = time_it(n, [&] {
      std::memcpy(copy.data(), bytes.data(), bytes.size());
      sink = sink + static_cast<std::size_t>(copy[bytes.size() / 2]);
    });
    const double subject = time_it(n, [&] {
      wsprobe::FrameDecoder decoder(1 << 20);
      decoder.feed(bytes);
      while (auto frame = decoder.next()) sink = sink + frame->payload.size();
    });
    report("frame decode", subject, baseline, n);
  }
  {
    const std::string head =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: bench\r\nDate: Wed, 25 Nov 2026 01:00:00 GMT\r\n\r\n";
    const int n = 200000 * scale;
    const double baseline = time_it(n, [&] { sink = sink + std::string_view(head).find("\r\n\r\n"); });
    const double subject = time_it(n, [&] { sink = sink + wsprobe::parse_response_head(head).head->headers.size(); });
    report("head parse", subject, baseline, n);
  }
  {
    wsprobe::lab::EchoServer server;
    auto options = wsprobe::ProbeOptions{};
    options.target = *wsprobe::parse_target("ws://127.0.0.1:" + std::to_string(server.port()) + "/").target;
    options.count = 5;
    const int n = 50 * scale;
    boost::asio::io_context ioc;
    const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port());
    const double baseline = time_it(n, [&] {
      boost::asio::ip::tcp::socket socket(ioc);
      socket.connect(endpoint);
      socket.close();
    });
    const long rss_before = peak_rss_kib();
    const double subject = time_it(n, [&] {
      auto result = wsprobe::run_probe(options);
      wsprobe::diagnose(result);
      sink = sink + result.stages.size();
    });
    report("whole probe", subject, baseline, n);
    std::printf("peak RSS %ld KiB (grew %ld KiB over %d probes)\n", peak_rss_kib(), peak_rss_kib() - rss_before, n);
  }
  {
    // Many targets on one event loop (issue 6): N probes through probe_all with -j 32 against the
    // same N run one after another with run_probe. On loopback a probe is mostly CPU, so the ratio
    // shows what the fleet machinery costs (about 1x), not network overlap; the RSS shows what 32
    // probes at once hold.
    wsprobe::lab::EchoServer server;
    auto options = wsprobe::ProbeOptions{};
    options.target = *wsprobe::parse_target("ws://127.0.0.1:" + std::to_string(server.port()) + "/").target;
    options.count = 5;
    const int n = 128 * scale;
    const double baseline = time_it(1, [&] {
      for (int i = 0; i < n; ++i) sink = sink + wsprobe::run_probe(options).stages.size();
    });
    wsprobe::CliOptions cli;
    cli.concurrency = 32;
    cli.followups = false;
    const std::vector<wsprobe::ProbeOptions> targets(static_cast<std::size_t>(n), options);
    const long rss_before = peak_rss_kib();
    const double subject = time_it(1, [&] {
      sink = sink + wsprobe::probe_all(targets, cli, [](const wsprobe::TargetResult&) {}).size();
    });
    report("fleet -j 32", subject / n, baseline / n, 1);
    std::printf("peak RSS %ld KiB (grew %ld KiB over %d targets, 32 at once)\n", peak_rss_kib(),
                peak_rss_kib() - rss_before, n);
  }
  return sink == 42 ? 1 : 0;
}

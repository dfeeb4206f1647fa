// wsprobe's own work off the clocks (issue 12): TLS contexts built once per set of options and
// shared, and the event loop's lateness measured where it happened.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

#include "probe/lab/certs.hpp"
#include "probe/loop_lag.hpp"
#include "probe/tls_contexts.hpp"

namespace wsprobe {

TEST_CASE("tls contexts: one per set of options, shared, trust loaded once; -k and ALPN share it", "[probe][tls]") {
  lab::CertificateAuthority authority;
  lab::TempDir files;
  ProbeOptions options;
  options.cacert_file = files.write("ca.pem", authority.cert_pem()).string();
  TlsContexts contexts;
  const auto first = contexts.get(options);
  REQUIRE_FALSE(first->error);
  REQUIRE(first->context);

  auto follow_up = options;  // what the follow-ups change is set per handshake
  follow_up.insecure = true;
  follow_up.alpn = {"h2", "http/1.1"};
  CHECK(contexts.get(follow_up) == first);

  auto narrower = options;
  narrower.tls_max = "1.2";
  const auto other = contexts.get(narrower);
  REQUIRE(other->context);
  CHECK(other != first);
  CHECK(other->version_max == "TLSv1.2");
  // The same trust store, loaded once, behind both contexts.
  CHECK(SSL_CTX_get_cert_store(other->context->native_handle()) == SSL_CTX_get_cert_store(first->context->native_handle()));

  auto broken = options;
  broken.cacert_file = files.write("not-pem.txt", "hello").string();
  const auto refused = contexts.get(broken);
  CHECK_FALSE(refused->context);
  REQUIRE(refused->error);
  CHECK(refused->error->find("cannot load --cacert") != std::string::npos);
}

TEST_CASE("loop lag: a handler that hogs the loop shows as lateness over its span, not elsewhere", "[probe][clock]") {
  net::io_context ioc;
  const auto lag = std::make_shared<LoopLag>(ioc.get_executor());
  lag->start();
  Clock::time_point hog_from, hog_to;
  net::steady_timer later(ioc);
  later.expires_after(std::chrono::milliseconds(20));
  later.async_wait([&](const error_code&) {
    hog_from = Clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(40));  // a busy handler: nothing else runs
    hog_to = Clock::now();
    net::post(ioc, [&] {
      // Asked right after the hog, before the late tick has run: the overdue tick counts too.
      CHECK(lag->late_between(hog_from, hog_to) >= Micros(30000));
      lag->stop();
    });
  });
  ioc.run_for(std::chrono::seconds(5));
  CHECK(lag->late_between(hog_from, hog_to) >= Micros(30000));
  CHECK(lag->late_between(hog_from - std::chrono::milliseconds(15), hog_from - std::chrono::milliseconds(5)) <
        Micros(5000));
  CHECK(lag->worst() >= Micros(30000));
}

}  // namespace wsprobe

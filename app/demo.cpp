#include "app/demo.hpp"

#include "app/url.hpp"

namespace wsprobe {

DemoLab::DemoLab() {
  ca_file_ = files_.write("demo-ca.pem", authority_.cert_pem());
  plain_ = std::make_unique<lab::EchoServer>();
  lab::EchoServerOptions tls;
  // Valid for 90 days, so the demo's own certificate does not trip the expiry warning.
  lab::LeafOptions leaf;
  leaf.not_after = std::chrono::hours(24 * 90);
  tls.tls = authority_.issue(leaf);
  secure_ = std::make_unique<lab::EchoServer>(std::move(tls));
}

std::vector<ProbeOptions> DemoLab::targets(const ProbeOptions& base) const {
  std::vector<ProbeOptions> out;
  auto plain = base;
  plain.target = *parse_target("ws://127.0.0.1:" + std::to_string(plain_->port()) + "/echo").target;
  out.push_back(std::move(plain));

  // wss by name, as users probe: the name is pinned to the local server (curl's --resolve) and
  // the throwaway CA is trusted (--cacert), so the certificate verifies for real.
  auto secure = base;
  secure.target = *parse_target("wss://localhost:" + std::to_string(secure_->port()) + "/echo").target;
  secure.resolve.push_back({"localhost", secure_->port(), "127.0.0.1"});
  secure.cacert_file = ca_file_.string();
  out.push_back(std::move(secure));
  return out;
}

}  // namespace wsprobe

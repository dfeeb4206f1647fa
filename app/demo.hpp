#pragma once
// `wsprobe demo`: a ws:// and a wss:// echo endpoint on loopback that wsprobe starts itself (a
// throwaway CA and certificate made at start), so the tool shows real reports with no network.
#include <memory>
#include <vector>

#include "model/target.hpp"
#include "probe/lab/certs.hpp"
#include "probe/lab/echo_server.hpp"

namespace wsprobe {

class DemoLab {
 public:
  DemoLab();
  // The probes to run: `base`'s settings (counts, budgets) aimed at each local endpoint.
  std::vector<ProbeOptions> targets(const ProbeOptions& base) const;

 private:
  lab::CertificateAuthority authority_;
  lab::TempDir files_;
  std::filesystem::path ca_file_;
  std::unique_ptr<lab::EchoServer> plain_;
  std::unique_ptr<lab::EchoServer> secure_;
};

}  // namespace wsprobe

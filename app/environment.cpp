#include "app/environment.hpp"

#include <ares.h>
#include <openssl/crypto.h>
#include <sys/utsname.h>
#include <zlib.h>

#include <boost/version.hpp>

namespace wsprobe {

std::vector<std::pair<std::string, std::string>> run_environment() {
  std::vector<std::pair<std::string, std::string>> out;
  // uname's nodename is the host name: left out on purpose.
  utsname name{};
  if (uname(&name) == 0)
    out.emplace_back("os", std::string(name.sysname) + " " + name.release + " " + name.machine);
  out.emplace_back("openssl", OpenSSL_version(OPENSSL_VERSION));
  std::string boost = BOOST_LIB_VERSION;  // "1_81"
  for (auto& c : boost)
    if (c == '_') c = '.';
  out.emplace_back("boost", boost);
  out.emplace_back("c-ares", ares_version(nullptr));
  out.emplace_back("zlib", zlibVersion());
  return out;
}

}  // namespace wsprobe

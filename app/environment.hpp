#pragma once
// Where wsprobe runs, for reports a support ticket carries (ToolInfo::environment): the OS and the
// libraries that shape what the probe can do. No host or user names: a support bundle leaves the
// building.
#include <string>
#include <utility>
#include <vector>

namespace wsprobe {

// {"os", "Linux 6.1.0-18-amd64 x86_64"}, {"openssl", "OpenSSL 3.0.11 19 Sep 2023"}, {"boost", "1.81"},
// {"c-ares", "1.18.1"}, {"zlib", "1.2.13"}, in that order.
std::vector<std::pair<std::string, std::string>> run_environment();

}  // namespace wsprobe

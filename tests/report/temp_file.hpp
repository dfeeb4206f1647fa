#pragma once
// A file holding a rendered report for an external checker (xmllint, the Prometheus parser),
// removed when the test is done with it.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace wsprobe::testing {

class TempFile {
 public:
  // `suffix` keeps the name telling ("report.xml") in a failing test's log.
  TempFile(const std::string& suffix, const std::string& content) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("wsprobe-XXXXXX-" + suffix)).string();
    const int fd = ::mkstemps(pattern.data(), static_cast<int>(suffix.size() + 1));
    if (fd < 0) throw std::runtime_error("mkstemps " + pattern);
    ::close(fd);
    path_ = pattern;
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path_);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace wsprobe::testing

#include "app/outputs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <iostream>

#include "report/json.hpp"
#include "report/junit.hpp"
#include "report/markdown.hpp"
#include "report/prometheus.hpp"

namespace wsprobe {
namespace {

namespace fs = std::filesystem;

std::string cannot_write(const std::string& path, int error) {
  return "cannot write " + path + ": " + std::strerror(error);
}

std::string render(OutputFormat format, const RunReport& report) {
  switch (format) {
    case OutputFormat::json: return render_json(report);
    case OutputFormat::junit: return render_junit(report);
    case OutputFormat::prometheus: return render_prometheus(report);
    case OutputFormat::markdown: return render_markdown(report);
    case OutputFormat::jsonl: break;  // streamed by target_ended
  }
  return {};
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

mode_t creation_mode() {
  // A collector that runs as another user must be able to read the report: mkstemp's 0600 would
  // hide it. umask can only be read by setting it.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

struct Outputs::Sink {
  OutputSpec spec;
  int fd = -1;            // -1 for stdout
  std::string temp_path;  // set while a temporary file waits to be renamed over `target`
  std::string target;     // where the report lands (a symlink resolved)
  int write_error = 0;    // the first errno a streamed write met

  ~Sink() {
    if (fd >= 0) ::close(fd);
    if (!temp_path.empty()) ::unlink(temp_path.c_str());
  }
};

namespace {

std::optional<std::string> open_sink(const OutputSpec& spec, Outputs::Sink& sink) {
  sink.spec = spec;
  if (spec.path == "-") return std::nullopt;
  struct stat info{};
  const bool exists = ::stat(spec.path.c_str(), &info) == 0;
  if (exists && S_ISDIR(info.st_mode)) return cannot_write(spec.path, EISDIR);
  const bool device = exists && !S_ISREG(info.st_mode);
  if (spec.format == OutputFormat::jsonl || device) {
    // Streamed, or a device or FIFO that a rename would replace instead of writing to.
    sink.fd = ::open(spec.path.c_str(), O_WRONLY | O_CLOEXEC | (device ? 0 : O_CREAT | O_TRUNC), 0666);
    if (sink.fd < 0) return cannot_write(spec.path, errno);
    return std::nullopt;
  }
  // Rename over what a symlink points to, not over the link.
  std::error_code ec;
  const fs::path target = exists ? fs::canonical(spec.path, ec) : fs::path(spec.path);
  if (ec) return cannot_write(spec.path, ec.value());
  const auto directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string temp = (directory / ("." + target.filename().string() + ".XXXXXX")).string();
  sink.fd = ::mkstemp(temp.data());
  if (sink.fd < 0) return cannot_write(spec.path, errno);
  sink.temp_path = temp;
  sink.target = target.string();
  if (::fchmod(sink.fd, creation_mode()) != 0) return cannot_write(spec.path, errno);
  return std::nullopt;
}

}  // namespace


Outputs::Outputs() = default;
Outputs::~Outputs() = default;

std::optional<std::string> Outputs::open(const std::vector<OutputSpec>& specs) {
  sinks_.clear();
  sinks_.resize(specs.size());
  // Streamed files are truncated when opened: only once every other output is known to open.
  for (const bool streamed : {false, true})
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if ((specs[i].format == OutputFormat::jsonl) != streamed) continue;
      sinks_[i] = std::make_unique<Sink>();
      if (auto error = open_sink(specs[i], *sinks_[i])) return error;
    }
  return std::nullopt;
}

std::vector<std::string> Outputs::temporary_paths() const {
  std::vector<std::string> paths;
  for (const auto& sink : sinks_)
    if (sink && !sink->temp_path.empty()) paths.push_back(sink->temp_path);
  return paths;
}

bool Outputs::claims_stdout() const {
  for (const auto& sink : sinks_)
    if (sink->spec.path == "-") return true;
  return false;
}

void Outputs::target_ended(const TargetResult& result) {
  for (auto& sink : sinks_) {
    if (sink->spec.format != OutputFormat::jsonl) continue;
    const auto line = render_json_line(result);
    if (sink->fd < 0) {
      std::cout << line << std::flush;
    } else if (!sink->write_error && !write_all(sink->fd, line)) {
      sink->write_error = errno ? errno : EIO;
    }
  }
}

std::optional<std::string> Outputs::finish(const RunReport& report) {
  std::optional<std::string> first_error;
  const auto fail = [&](const Sink& sink, int error) {
    if (!first_error) first_error = cannot_write(sink.spec.path, error);
  };
  for (auto& sink : sinks_) {
    if (sink->spec.format == OutputFormat::jsonl) {
      if (sink->write_error) fail(*sink, sink->write_error);
      if (sink->fd >= 0 && ::close(sink->fd) != 0) fail(*sink, errno);
      sink->fd = -1;
      continue;
    }
    const auto text = render(sink->spec.format, report);
    if (sink->fd < 0) {
      std::cout << text << std::flush;
      continue;
    }
    const bool written = write_all(sink->fd, text);
    const int write_errno = errno;
    const bool closed = ::close(sink->fd) == 0;
    sink->fd = -1;
    if (!written || !closed) {
      fail(*sink, !written ? write_errno : errno);
      continue;  // the destructor removes the temporary file
    }
    if (sink->temp_path.empty()) continue;
    if (::rename(sink->temp_path.c_str(), sink->target.c_str()) != 0) {
      fail(*sink, errno);
      continue;
    }
    sink->temp_path.clear();
  }
  if (!std::cout) first_error = first_error.value_or("cannot write to stdout");
  return first_error;
}

}  // namespace wsprobe

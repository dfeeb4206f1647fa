#pragma once
// The reports a run writes besides the human one: --json, --jsonl, --junit, --prometheus,
// --markdown, several at once, each to a file or to stdout ("-").
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "model/report.hpp"

namespace wsprobe {

class Outputs {
 public:
  Outputs();
  // Removes the temporary files of outputs never finished (a run that ended in an error).
  ~Outputs();
  Outputs(const Outputs&) = delete;
  Outputs& operator=(const Outputs&) = delete;

  // Opens every output before anything is probed, so a path that cannot be written costs no probe
  // and leaves no half-written report: "cannot write PATH: <reason>" for the first that fails.
  //
  // --jsonl FILE is truncated now and grows a line per target. Every other FILE gets a temporary
  // file next to it (".NAME.XXXXXX", mode 0666 less the umask), renamed over FILE by finish(), so a
  // reader (node_exporter's textfile collector) sees the old report or the new one, never half of
  // one. A FILE that exists and is not a regular file (/dev/null, a FIFO) is written in place.
  std::optional<std::string> open(const std::vector<OutputSpec>& specs);

  // The temporary files open() made, not yet renamed: what a process ended by a signal removes.
  std::vector<std::string> temporary_paths() const;

  // Whether an output writes to stdout; the human report then stays off it.
  bool claims_stdout() const;

  // --jsonl: the line of a target that just ended, written and flushed at once, so a reader sees
  // results in completion order while the run goes on.
  void target_ended(const TargetResult& result);

  // Writes every whole-run format (json, junit, prometheus, markdown) of `report`, in the order
  // given. Returns "cannot write PATH: <reason>" for the first that fails; the others still run.
  std::optional<std::string> finish(const RunReport& report);

  struct Sink;  // one output once opened (outputs.cpp)

 private:
  std::vector<std::unique_ptr<Sink>> sinks_;
};

}  // namespace wsprobe

#pragma once
// The per-target parser: a targets file entry's words (targets_file.hpp) on top of the command
// line's options, as a full ProbeOptions for that target.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/probe_flags.hpp"
#include "app/targets_file.hpp"
#include "model/target.hpp"

namespace wsprobe {

// Whether `name` ("--junit", "-j") is a command-line option, so that an entry using one of those
// a target cannot have (outputs, -j, --deadline, --targets...) is told so rather than "unknown".
using IsCommandLineOption = std::function<bool(std::string_view name)>;

struct EntryBase {
  const ProbeOptions& probe;  // the command line's options, which every entry starts from
  const ProbeFlags& flags;    // the command line's flags as typed (proxy, sizes and hold: see inherit_linked_flags)
  IsCommandLineOption is_command_line_option;
};

// Appends one ProbeOptions per entry to `out`, in order. On the first bad entry, the error naming
// `source` and the line ("targets.yaml line 7: --max-stage: ..."), and `out` is left as it was.
std::optional<std::string> parse_target_entries(std::string_view source, const std::vector<TargetEntry>& entries,
                                                const EntryBase& base, std::vector<ProbeOptions>& out);

}  // namespace wsprobe

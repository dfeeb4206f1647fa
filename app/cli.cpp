#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>

#include "app/probe_flags.hpp"
#include "app/proxy_env.hpp"
#include "app/target_entries.hpp"
#include "app/targets_file.hpp"
#include "report/text.hpp"
#include "wire/redact.hpp"

#ifndef WSPROBE_VERSION
#define WSPROBE_VERSION "0.0.0"
#endif

namespace wsprobe {
namespace {

// Schemes are case-insensitive (RFC 3986 §3.1): WS://host is a URL too.
bool looks_like_url(std::string_view arg) {
  auto starts_with_scheme = [arg](std::string_view scheme) {
    return arg.size() >= scheme.size() && std::equal(scheme.begin(), scheme.end(), arg.begin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  };
  return starts_with_scheme("ws://") || starts_with_scheme("wss://");
}

// `--json` and `--jsonl` take an optional FILE: `--json wss://x` means JSON to stdout for that URL,
// and `--json -v` is the flag followed by another option (and `--json -` the flag followed by `-`,
// the targets on stdin; `--json=-` names stdout as the FILE). CLI11 cannot tell these apart, so the
// optional value is settled here, before parsing.
std::vector<std::string> normalize_json_flag(std::vector<std::string> args) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool matched = false;
    for (const std::string flag : {"--json", "--jsonl"}) {
      if (args[i] == flag) {
        const bool has_file = i + 1 < args.size() && !looks_like_url(args[i + 1]) && !args[i + 1].starts_with("-") &&
                              args[i + 1] != "demo" && args[i + 1] != "causes";
        out.push_back(has_file ? flag + "-file=" + args[++i] : flag + "-stdout");
        matched = true;
      } else if (args[i].starts_with(flag + "=")) {
        out.push_back(flag + "-file=" + args[i].substr(flag.size() + 1));
        matched = true;
      }
      if (matched) break;
    }
    if (!matched) out.push_back(args[i]);
  }
  return out;
}

std::vector<std::string> redacted_argv(const std::vector<std::string>& args, bool show_secrets) {
  std::vector<std::string> out;
  bool next_is_header = false;
  bool next_is_proxy = false;
  bool next_is_subprotocol = false;
  auto redact_header_arg = [](std::string_view text) {
    auto header = parse_header(text);
    return header ? header->name + ": " + redact_header_value(header->name, header->value) : std::string(text);
  };
  for (const auto& arg : args) {
    std::string shown = arg;
    if (!show_secrets) {
      if (next_is_header) {
        shown = redact_header_arg(arg);
      } else if (arg.starts_with("--header=")) {
        shown = "--header=" + redact_header_arg(std::string_view(arg).substr(9));
      } else if (arg.starts_with("-H") && arg.size() > 2) {
        shown = "-H" + redact_header_arg(std::string_view(arg).substr(2));
      } else if (next_is_proxy) {
        shown = redact_proxy_url(arg);
      } else if (arg.starts_with("--proxy=")) {
        shown = "--proxy=" + redact_proxy_url(arg.substr(8));
      } else if (arg.starts_with("-x") && arg.size() > 2) {
        shown = "-x" + redact_proxy_url(arg.substr(2));
      } else if (next_is_subprotocol) {
        shown = redact_subprotocol(arg);
      } else if (const auto eq = arg.find('=');
                 eq != std::string::npos && (arg.starts_with("--subprotocol=") || arg.starts_with("--expect-subprotocol="))) {
        shown = arg.substr(0, eq + 1) + redact_subprotocol(std::string_view(arg).substr(eq + 1));
      } else if (looks_like_url(arg)) {
        shown = redact_url(arg);
      }
    }
    next_is_header = arg == "-H" || arg == "--header";
    next_is_proxy = arg == "--proxy" || arg == "-x";
    next_is_subprotocol = arg == "--subprotocol" || arg == "--expect-subprotocol";
    out.push_back(std::move(shown));
  }
  return out;
}

// What the output flags were given, before they are checked.
struct OutputFlags {
  bool json_stdout = false;
  bool jsonl_stdout = false;
  bool help_only = false;  // --json and --jsonl as --help shows them
  std::vector<std::string> json_files, jsonl_files;  // vectors only to name the flag when given twice
  std::optional<std::string> junit, prometheus, markdown;
};

void add_output_flags(CLI::App& app, OutputFlags& flags) {
  const auto* group = "Outputs (several at once; FILE '-' is stdout, which then has no human report)";
  app.add_flag("--json-stdout", flags.json_stdout, "")->group("");
  app.add_option("--json-file", flags.json_files, "")->allow_extra_args(false)->group("");
  app.add_flag("--jsonl-stdout", flags.jsonl_stdout, "")->group("");
  app.add_option("--jsonl-file", flags.jsonl_files, "")->allow_extra_args(false)->group("");
  // Shown in --help as `--json [FILE]` and `--jsonl [FILE]`; parsed by normalize_json_flag.
  for (const auto& [name, help] :
       {std::pair{"--json", "Write the JSON report to stdout, or with FILE (--json FILE) to that file"},
        std::pair{"--jsonl", "Write one JSON result a line, as each target ends, to stdout or to FILE (--jsonl FILE)"}})
    app.add_flag(name, flags.help_only, help)->option_text("[FILE]")->group(group);
  for (const auto& [name, slot, help] :
       {std::tuple{"--junit", &flags.junit, "Write a JUnit XML report (one testcase per target) to FILE"},
        std::tuple{"--prometheus", &flags.prometheus,
                   "Write Prometheus text metrics to FILE (for node_exporter's textfile collector)"},
        std::tuple{"--markdown", &flags.markdown,
                   "Write a Markdown support bundle (verdict, evidence, timings, environment) to FILE"}})
    app.add_option(name, *slot, help)->type_name("FILE")->group(group);
}

// The outputs in a fixed order, or the usage error's words: at most one on stdout, one per file.
std::optional<std::string> collect_outputs(const OutputFlags& flags, std::vector<OutputSpec>& outputs) {
  struct Given {
    OutputFormat format;
    const char* flag;
    std::optional<std::string> path;
  };
  for (const auto& [files, flag] : {std::pair{&flags.json_files, "--json"}, std::pair{&flags.jsonl_files, "--jsonl"}})
    if (files->size() > 1) return std::string(flag) + " FILE is given twice: one report per format";
  auto first = [](const std::vector<std::string>& files) {
    return files.empty() ? std::nullopt : std::optional<std::string>(files.front());
  };
  const Given given[] = {
      {OutputFormat::json, "--json", flags.json_stdout ? std::optional<std::string>("-") : std::nullopt},
      {OutputFormat::json, "--json", first(flags.json_files)},
      {OutputFormat::jsonl, "--jsonl", flags.jsonl_stdout ? std::optional<std::string>("-") : std::nullopt},
      {OutputFormat::jsonl, "--jsonl", first(flags.jsonl_files)},
      {OutputFormat::junit, "--junit", flags.junit},
      {OutputFormat::prometheus, "--prometheus", flags.prometheus},
      {OutputFormat::markdown, "--markdown", flags.markdown},
  };
  std::map<std::string, const char*> by_path;
  for (const auto& output : given) {
    if (!output.path) continue;
    if (output.path->empty()) return std::string(output.flag) + ": the FILE is empty ('-' is stdout)";
    const auto [it, added] = by_path.emplace(*output.path, output.flag);
    if (!added) {
      if (*output.path == "-")
        return std::string("only one report can go to stdout: ") + it->second + " and " + output.flag +
               " both write to '-'";
      return std::string(it->second) + " and " + output.flag + " both write to " + *output.path;
    }
    outputs.push_back({output.format, *output.path});
  }
  return std::nullopt;
}

// Every target in input order: the URL arguments, then the files in the order given, then `-`
// (stdin). The usage error's words on the first that is wrong.
std::optional<std::string> collect_targets(const std::vector<std::string>& positionals,
                                           const std::vector<std::string>& targets_files, const EntryBase& base,
                                           std::istream& in, std::vector<ProbeOptions>& out) {
  std::vector<std::string> sources = targets_files;
  for (const auto& arg : positionals) {
    if (arg == "-") {
      sources.push_back(arg);
      continue;
    }
    if (out.size() == kMaxTargets) return "more than " + std::to_string(kMaxTargets) + " targets";
    auto target = base.probe;
    if (auto error = aim_probe(arg, base.flags, target)) {
      std::error_code ignored;
      if (std::filesystem::is_regular_file(arg, ignored)) *error += " (a targets file? --targets " + arg + ")";
      return error;
    }
    out.push_back(std::move(target));
  }
  if (std::count(sources.begin(), sources.end(), "-") > 1)
    return std::string("stdin can be read once: '-' is given twice ('-' or --targets -)");
  for (const auto& path : sources) {
    const auto name = targets_source_name(path);
    std::string error;
    const auto content = read_targets_source(path, in, error);
    if (!content) return "--targets: " + error;
    auto split = split_targets(name, *content, kMaxTargets - out.size());
    if (!split.error.empty()) return split.error;
    if (auto failed = parse_target_entries(name, split.entries, base, out)) return failed;
  }
  if (out.empty() && !sources.empty()) {
    std::string names;
    for (const auto& path : sources) names += (names.empty() ? "" : ", ") + targets_source_name(path);
    return "no targets: " + names + (sources.size() == 1 ? " lists none" : " list none");
  }
  return std::nullopt;
}

}  // namespace

std::string usage_text(std::string_view message) {
  // The message quotes what the user typed (argv, a targets file): escaped, as a peer's bytes are,
  // so an escape sequence in it cannot retitle or recolour the terminal.
  return "wsprobe: " + text::escape_for_terminal(message) + "\nRun 'wsprobe --help' for the options.";
}

std::string_view to_string(OutputFormat format) {
  switch (format) {
    case OutputFormat::json: return "json";
    case OutputFormat::jsonl: return "jsonl";
    case OutputFormat::junit: return "junit";
    case OutputFormat::prometheus: return "prometheus";
    case OutputFormat::markdown: return "markdown";
  }
  return "json";
}

CliParse parse_cli(int argc, const char* const* argv, std::istream* in) {
  std::vector<std::string> raw(argv + 1, argv + argc);
  auto args = normalize_json_flag(raw);

  CLI::App app{"wsprobe: why a WebSocket does not work behind a load balancer, and proof when it does.",
               "wsprobe"};
  app.set_version_flag("--version", std::string("wsprobe ") + WSPROBE_VERSION);
  app.footer(
      "Examples:\n"
      "  wsprobe wss://chat.example.com/ws\n"
      "  wsprobe --json report.json -H 'Authorization: Bearer $TOKEN' wss://api.example.com/stream\n"
      "  wsprobe --resolve chat.example.com:443:10.0.0.5 wss://chat.example.com/ws\n"
      "  wsprobe --max-latency p95=200ms --max-stage tls=300ms --min-cert-days 14 wss://chat.example.com/ws\n"
      "  wsprobe --targets env.yaml -j 8 --deadline 2m --junit report.xml --prometheus wsprobe.prom\n"
      "  grep -v staging urls.txt | wsprobe - --jsonl results.jsonl\n"
      "  wsprobe demo            probe a local ws and wss echo endpoint wsprobe starts itself\n"
      "  wsprobe causes          list every cause id a verdict can name, with its fix\n\n"
      "A targets file holds one target a line (URL [per-target options], quoted as in a shell; # comments),\n"
      "or a JSON / YAML list of maps: url, name, tags, headers, and any per-target option by its long name\n"
      "(timeout: 5s, max-stage: {tls: 300ms}, expect-status: 101). Per target: every option but the outputs,\n"
      "-j, --deadline, --targets, --all-addresses, --show-secrets, --no-followup, --no-color and -v. An entry's\n"
      "-H, --resolve, --connect-to, --subprotocol, --tag, --max-latency and --max-stage add to the command\n"
      "line's; its other options replace them.\n\n"
      "Exit codes: 0 pass, 1 fail, 2 usage error, 3 degraded, 4 internal error, 5 interrupted (SIGINT, SIGTERM).");

  CliOptions cli;
  ProbeFlags flags;
  OutputFlags output_flags;
  std::vector<std::string> positionals, targets_files;
  std::string deadline;

  app.add_option("url", positionals,
                 "ws:// or wss:// URLs to probe; '-' reads targets from stdin; 'demo' to probe local endpoints "
                 "wsprobe starts itself; 'causes' to list the cause ids");
  add_output_flags(app, output_flags);
  const auto* run_group = "Many targets";
  app.add_option("--targets", targets_files,
                 "Probe the targets listed in FILE ('-': stdin; repeatable), each with its own options: see below")
      ->allow_extra_args(false)
      ->type_name("FILE")
      ->group(run_group);
  app.add_option("-j,--concurrency", cli.concurrency, "Probe up to N targets at once (1 to 256, default 1)")
      ->type_name("N")
      ->check(CLI::Range(1, 256))
      ->group(run_group);
  app.add_option("--deadline", deadline,
                 "Deadline for the whole run (e.g. 5m): targets not started by then are reported as not run")
      ->type_name("DURATION")
      ->group(run_group);
  app.add_flag("--no-color", cli.no_color, "No colours in the human report (also NO_COLOR=1)");
  app.add_flag("-v,--verbose", cli.verbose, "Show every header and certificate");
  app.add_flag("--show-secrets", cli.probe.show_secrets,
               "Keep Authorization, Cookie and token values in reports (redacted by default)");
  bool no_followup = false;
  app.add_flag("--no-followup", no_followup,
               "Skip the follow-up probes that separate look-alike causes after an ambiguous failure");
  app.add_flag("--all-addresses", cli.all_addresses,
               "Probe every resolved address (each LB node) separately and show a per-node table");
  add_probe_flags(app, flags, cli.probe);

  try {
    std::reverse(args.begin(), args.end());  // CLI11 parses a vector from the back
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, 0, app.version()};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, 2, usage_text(e.what())};
  }
  auto usage_error = [](std::string message) { return CliParse{std::nullopt, 2, usage_text(std::move(message))}; };

  auto& probe = cli.probe;
  if (auto error = apply_probe_flags(flags, probe)) return usage_error(std::move(*error));
  // Servers and LB logs see which wsprobe asked; -A replaces it.
  if (!probe.user_agent) probe.user_agent = std::string("wsprobe/") + WSPROBE_VERSION;
  cli.followups = !no_followup;
  if (!deadline.empty()) {
    cli.deadline = parse_duration(deadline);
    if (!cli.deadline || cli.deadline->count() <= 0)
      return usage_error("--deadline: '" + deadline + "' is not a duration (e.g. 90s, 5m)");
  }
  if (auto error = collect_outputs(output_flags, cli.outputs)) return usage_error(std::move(*error));

  if (!positionals.empty() && (positionals[0] == "demo" || positionals[0] == "causes")) {
    if (positionals.size() > 1 || !targets_files.empty())
      return usage_error("'" + positionals[0] + "' takes no URLs and no --targets");
    (positionals[0] == "demo" ? cli.demo : cli.list_causes) = true;
    cli.argv = redacted_argv(raw, probe.show_secrets);
    return {std::move(cli), 0, {}};
  }

  const EntryBase base{probe, flags, [&app](std::string_view name) {
                         return app.get_option_no_throw(std::string(name)) != nullptr;
                       }};
  if (auto error = collect_targets(positionals, targets_files, base, in ? *in : std::cin, cli.targets))
    return usage_error(std::move(*error));
  if (cli.targets.empty())
    return usage_error("no URL given (e.g. wsprobe wss://host/path, wsprobe --targets FILE, or wsprobe demo)");
  if (flags.name && cli.targets.size() > 1)
    return usage_error("--name names one target: with several, name each in a targets file");
  for (const auto& target : cli.targets)
    if (cli.all_addresses && target.proxy && target.proxy->scheme != ProxyScheme::socks5)
      return usage_error("--all-addresses needs the addresses resolved here: not with an HTTP or socks5h proxy, "
                         "which resolves the name itself (" + target.target.url + ")");
  cli.argv = redacted_argv(raw, probe.show_secrets);
  return {std::move(cli), 0, {}};
}

}  // namespace wsprobe

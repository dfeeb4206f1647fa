#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "app/proxy_env.hpp"
#include "app/url.hpp"
#include "wire/redact.hpp"

#ifndef WSPROBE_VERSION
#define WSPROBE_VERSION "0.0.0"
#endif

namespace wsprobe {
namespace {

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

std::optional<HttpHeader> parse_header(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto value = text.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  const auto name = text.substr(0, colon);
  // Header names are tokens; CR/LF anywhere would let a value inject headers (RFC 9110 §5.5).
  if (name.find_first_of(" \t\r\n") != std::string_view::npos || value.find_first_of("\r\n") != std::string_view::npos)
    return std::nullopt;
  return HttpHeader{std::string(name), std::string(value)};
}

std::optional<ResolveOverride> parse_resolve(std::string_view text) {
  // HOST:PORT:ADDR, ADDR possibly a bracketed IPv6 literal (curl's form).
  const auto first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  ResolveOverride out;
  out.host = std::string(text.substr(0, first));
  const auto port = text.substr(first + 1, second - first - 1);
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || ptr != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
  out.port = static_cast<std::uint16_t>(value);
  auto address = text.substr(second + 1);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
  if (out.host.empty() || address.empty()) return std::nullopt;
  out.address = std::string(address);
  unsigned char parsed[16];
  if (inet_pton(AF_INET, out.address.c_str(), parsed) != 1 && inet_pton(AF_INET6, out.address.c_str(), parsed) != 1)
    return std::nullopt;
  return out;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits "a:b:c:d" where any part may be a bracketed IPv6 literal ("[::1]").
std::vector<std::string> split_colons(std::string_view text) {
  std::vector<std::string> parts(1);
  bool in_brackets = false;
  for (const char ch : text) {
    if (ch == '[') in_brackets = true;
    if (ch == ']') in_brackets = false;
    if (ch == ':' && !in_brackets) {
      parts.emplace_back();
      continue;
    }
    parts.back().push_back(ch);
  }
  return parts;
}

std::string unbracket(std::string text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') return text.substr(1, text.size() - 2);
  return text;
}

// curl's --connect-to HOST:PORT:HOST2:PORT2; any part may be empty.
std::optional<ConnectTo> parse_connect_to(std::string_view text) {
  const auto parts = split_colons(text);
  if (parts.size() != 4) return std::nullopt;
  ConnectTo out;
  out.host = unbracket(parts[0]);
  out.to_host = unbracket(parts[2]);
  for (const auto& [part, slot] : {std::pair{&parts[1], &out.port}, std::pair{&parts[3], &out.to_port}}) {
    if (part->empty()) continue;
    *slot = parse_port(*part);
    if (!*slot) return std::nullopt;
  }
  return out;
}

// Reads a file the user named with @FILE, bounded: an option value is not a place for gigabytes.
std::optional<std::string> read_small_file(const std::string& path, std::size_t limit, std::string& error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string content;
  content.resize(limit + 1);
  file.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(file.gcount()));
  if (content.size() > limit) {
    error = path + " is larger than " + std::to_string(limit / 1024) + " KiB";
    return std::nullopt;
  }
  return content;
}

std::optional<std::string> tls_version_name(std::string_view text) {
  for (const auto* version : {"1.0", "1.1", "1.2", "1.3"})
    if (text == version) return std::string(version);
  return std::nullopt;
}

bool looks_like_url(std::string_view arg) { return arg.starts_with("ws://") || arg.starts_with("wss://"); }

// `--json` takes an optional FILE: `--json wss://x` means JSON to stdout for that URL, and
// `--json -v` is the flag followed by another option. CLI11 cannot tell these apart, so the
// optional value is settled here, before parsing.
std::vector<std::string> normalize_json_flag(std::vector<std::string> args) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      const bool has_file = i + 1 < args.size() && !looks_like_url(args[i + 1]) && !args[i + 1].starts_with("-") &&
                            args[i + 1] != "demo";
      out.push_back(has_file ? "--json-file=" + args[++i] : "--json-stdout");
    } else if (args[i].starts_with("--json=")) {
      out.push_back("--json-file=" + args[i].substr(7));
    } else {
      out.push_back(args[i]);
    }
  }
  return out;
}

std::vector<std::string> redacted_argv(const std::vector<std::string>& args, bool show_secrets) {
  std::vector<std::string> out;
  bool next_is_header = false;
  bool next_is_proxy = false;
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
      } else if (looks_like_url(arg)) {
        shown = redact_url(arg);
      }
    }
    next_is_header = arg == "-H" || arg == "--header";
    next_is_proxy = arg == "--proxy" || arg == "-x";
    out.push_back(std::move(shown));
  }
  return out;
}

}  // namespace

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

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double millis;
  };
  static constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  for (const auto& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
      const auto number = parse_number(text.substr(0, text.size() - unit.suffix.size()));
      if (!number) continue;
      return std::chrono::milliseconds(static_cast<long long>(std::llround(*number * unit.millis)));
    }
  }
  if (const auto seconds = parse_number(text))
    return std::chrono::milliseconds(static_cast<long long>(std::llround(*seconds * 1000)));
  return std::nullopt;
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t multiplier = 1;
  if (text.ends_with("K") || text.ends_with("k")) multiplier = 1024;
  if (text.ends_with("M") || text.ends_with("m")) multiplier = 1024 * 1024;
  if (multiplier != 1) text.remove_suffix(1);
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  if (value > std::numeric_limits<std::size_t>::max() / multiplier) return std::nullopt;
  return value * multiplier;
}

// --hold, --hold-ping and --hold-message into `probe`; the usage error's words when they make no sense.
static std::optional<std::string> apply_hold_flags(const std::string& hold, const std::string& hold_ping,
                                                   ProbeOptions& probe) {
  // A keepalive more often than this is a flood, not a keepalive.
  constexpr auto kMinInterval = std::chrono::milliseconds(50);
  constexpr auto kMaxHold = std::chrono::hours(24);
  if (!hold.empty()) {
    const auto value = parse_duration(hold);
    if (!value || *value <= std::chrono::milliseconds(0) || *value > kMaxHold)
      return "--hold: '" + hold + "' is not a duration from 1ms to 24h (e.g. 90s, 5m)";
    probe.hold = *value;
  }
  if (!hold_ping.empty()) {
    if (!probe.hold) return std::string("--hold-ping needs --hold (how long to hold)");
    const auto value = parse_duration(hold_ping);
    if (!value || *value < kMinInterval) return "--hold-ping: '" + hold_ping + "' is not a duration of 50ms or more";
    if (*value >= *probe.hold)
      return "--hold-ping " + hold_ping + " must be shorter than --hold " + hold + ", or no keepalive is ever sent";
    probe.hold_ping = *value;
  }
  if (probe.hold_message && !probe.hold_ping)
    return std::string("--hold-message needs --hold-ping (the interval between keepalive messages)");
  return std::nullopt;
}

// --sizes LIST or --max-size SIZE into probe.sweep_sizes (ascending, no repeats); the usage error's
// words when they make no sense. --max-size doubles from --size when given, else from 1K.
static std::optional<std::string> apply_sweep_flags(const std::string& sizes, const std::string& max_size,
                                                    const std::string& size, ProbeOptions& probe) {
  constexpr std::size_t kMaxBytes = 16 * 1024 * 1024;
  constexpr std::size_t kMaxSizes = 32;
  constexpr std::size_t kDefaultStart = 1024;
  if (!sizes.empty() && !max_size.empty()) return std::string("--sizes and --max-size exclude each other");
  auto& sweep = probe.sweep_sizes;
  if (!sizes.empty()) {
    std::string_view rest = sizes;
    while (!rest.empty() || sweep.empty()) {
      const auto comma = rest.find(',');
      const auto item = rest.substr(0, comma);
      const auto value = parse_size(item);
      if (!value || *value == 0 || *value > kMaxBytes)
        return "--sizes: '" + std::string(item) + "' is not a size from 1 byte to 16M (e.g. --sizes 1K,64K,1M)";
      sweep.push_back(*value);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (comma != std::string_view::npos && rest.empty()) return std::string("--sizes: a size is missing after ','");
    }
    std::sort(sweep.begin(), sweep.end());
    sweep.erase(std::unique(sweep.begin(), sweep.end()), sweep.end());
    if (sweep.size() > kMaxSizes) return "--sizes: at most " + std::to_string(kMaxSizes) + " sizes";
  }
  if (!max_size.empty()) {
    const auto max = parse_size(max_size);
    if (!max || *max == 0 || *max > kMaxBytes)
      return "--max-size: '" + max_size + "' is not a size from 1 byte to 16M (e.g. 1M)";
    const auto start = size.empty() ? std::min(kDefaultStart, *max) : probe.message_size;
    if (start > *max) return "--max-size " + max_size + " is below --size " + size;
    // start, 2*start, 4*start, ... then the maximum itself: at most 25 sizes from 1 byte to 16M.
    for (auto value = start; value < *max; value *= 2) sweep.push_back(value);
    sweep.push_back(*max);
  }
  if (!sweep.empty() && probe.echo == EchoMode::off)
    return std::string(sizes.empty() ? "--max-size" : "--sizes") + " needs echoes: not with --echo off";
  return std::nullopt;
}

CliParse parse_cli(int argc, const char* const* argv) {
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
      "  wsprobe demo            probe a local ws and wss echo endpoint wsprobe starts itself\n"
      "  wsprobe causes          list every cause id a verdict can name, with its fix\n\n"
      "Exit codes: 0 pass, 1 fail, 2 usage error, 3 degraded, 4 internal error.");

  CliOptions cli;
  auto& probe = cli.probe;
  std::string url, dns_timeout, connect_timeout, tls_timeout, upgrade_timeout, echo_timeout, close_timeout, timeout,
      size, echo_mode = "auto";
  std::vector<std::string> headers, resolves;

  app.add_option("url", url, "ws:// or wss:// URL to probe; 'demo' to probe local endpoints wsprobe starts itself; "
                 "'causes' to list the cause ids");
  bool json_stdout = false;
  std::optional<std::string> json_path;
  app.add_flag("--json-stdout", json_stdout, "")->group("");
  app.add_option("--json-file", json_path, "")->group("");
  // Shown in --help as `--json [FILE]`; parsed by normalize_json_flag.
  bool json_shown_in_help = false;
  app.add_flag("--json", json_shown_in_help, "Write the JSON report to stdout, or with FILE (--json FILE) to that file");
  app.add_option("--dns-server", probe.dns_server, "Resolve with this DNS server: ADDR or ADDR:PORT ([v6]:PORT)");
  // Repeatable options take one value per use: a vector option would otherwise swallow the URL after it.
  app.add_option("--resolve", resolves, "HOST:PORT:ADDR - connect to ADDR for HOST:PORT, skipping DNS (as curl)")
      ->allow_extra_args(false);
  app.add_option("--cacert", probe.cacert_file, "Trust the CA certificates in this PEM file")->check(CLI::ExistingFile);
  app.add_flag("-k,--insecure", probe.insecure, "Do not verify the server certificate (reported as a warning)");
  app.add_option("--origin", probe.origin, "Send this Origin header");
  app.add_option("--subprotocol", probe.subprotocols, "Offer this subprotocol (repeatable)")->allow_extra_args(false);
  app.add_option("-H,--header", headers, "Add a request header 'Name: value' (repeatable)")->allow_extra_args(false);
  app.add_option("--echo", echo_mode, "auto: report whether the server echoes; require: fail if it does not; off")
      ->check(CLI::IsMember({"auto", "require", "off"}));
  app.add_option("--count", probe.count, "Pings, and echo messages, to send (default 5)")->check(CLI::Range(1, 10000));
  app.add_option("--size", size, "Bytes per echo message: 32, 4K, 1M (default 32)");
  std::string sweep_sizes, sweep_max;
  app.add_option("--sizes", sweep_sizes,
                 "After the echoes, echo one message of each size (e.g. 1K,64K,1M, up to 16M) and report the "
                 "largest that came back");
  app.add_option("--max-size", sweep_max,
                 "Like --sizes, doubling from --size (or 1K) up to this size: --max-size 1M");
  app.add_option("--timeout", timeout, "Deadline for the whole probe (default 30s)");
  app.add_option("--dns-timeout", dns_timeout, "DNS budget (default 5s)");
  app.add_option("--connect-timeout", connect_timeout, "TCP connect budget (default 5s)");
  app.add_option("--tls-timeout", tls_timeout, "TLS handshake budget (default 5s)");
  app.add_option("--upgrade-timeout", upgrade_timeout, "HTTP upgrade budget (default 5s)");
  app.add_option("--echo-timeout", echo_timeout, "Ping and echo budget (default 5s)");
  app.add_option("--close-timeout", close_timeout, "Close handshake budget (default 2s)");
  app.add_flag("--no-color", cli.no_color, "No colours in the human report (also NO_COLOR=1)");
  app.add_flag("-v,--verbose", cli.verbose, "Show every header and certificate");
  app.add_flag("--show-secrets", probe.show_secrets,
               "Keep Authorization, Cookie and token values in reports (redacted by default)");
  bool no_followup = false;
  app.add_flag("--no-followup", no_followup,
               "Skip the follow-up probes that separate look-alike causes after an ambiguous failure");

  // Reaching the endpoint.
  std::optional<std::string> proxy_url, noproxy, proxy_protocol, tls_min, tls_max, alpn, message;
  std::vector<std::string> connect_tos;
  bool only_v4 = false, only_v6 = false;
  app.add_option("-x,--proxy", proxy_url,
                 "Forward proxy: http://[user:pass@]host:port (CONNECT), socks5://, socks5h:// (names resolved by the "
                 "proxy); '' ignores the proxy environment variables");
  app.add_option("--noproxy", noproxy, "Comma-separated hosts or domains to reach directly ('*' for all), as NO_PROXY");
  app.add_option("--proxy-protocol", proxy_protocol,
                 "Send a PROXY protocol header first (v1 or v2), as an NLB or HAProxy with proxy protocol would")
      ->check(CLI::IsMember({"v1", "v2"}));
  app.add_option("--connect-to", connect_tos,
                 "HOST:PORT:HOST2:PORT2 - connect to HOST2:PORT2 instead of HOST:PORT; SNI and Host stay (as curl)")
      ->allow_extra_args(false);
  app.add_option("--sni", probe.sni, "TLS server name (and certificate name) to use instead of the URL's host; '' sends none");
  app.add_option("--host", probe.host_header, "Host header value to send instead of the URL's host");
  app.add_flag("-4,--ipv4", only_v4, "Use IPv4 addresses only");
  app.add_flag("-6,--ipv6", only_v6, "Use IPv6 addresses only");
  app.add_flag("--all-addresses", cli.all_addresses,
               "Probe every resolved address (each LB node) separately and show a per-node table");

  // TLS.
  app.add_option("--cert", probe.client_cert_file, "Client certificate (PEM) for mTLS")->check(CLI::ExistingFile);
  app.add_option("--key", probe.client_key_file, "Private key (PEM) for --cert (default: the --cert file)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-min", tls_min, "Lowest TLS version to offer: 1.0, 1.1, 1.2, 1.3");
  app.add_option("--tls-max", tls_max, "Highest TLS version to offer: 1.0, 1.1, 1.2, 1.3");
  app.add_option("--alpn", alpn, "ALPN protocols to offer, comma-separated (default http/1.1); 'none' offers none");
  app.add_option("--ciphers", probe.ciphers,
                 "OpenSSL cipher list (TLS_* names set the TLS 1.3 suites), e.g. ECDHE-RSA-AES128-GCM-SHA256");
  app.add_option("--cert-warn-days", probe.cert_warn_days,
                 "Warn (degraded) when the certificate expires within this many days (default 14)")
      ->check(CLI::Range(0, 3650));

  // Request and messages.
  app.add_option("-A,--user-agent", probe.user_agent, "User-Agent header (default wsprobe/VERSION)");
  app.add_flag("--compress", probe.compress, "Offer permessage-deflate and report what was negotiated");
  app.add_option("--message", message, "Echo this message instead of random bytes: TEXT or @FILE");
  app.add_flag("--binary", probe.binary, "Send messages as binary frames (default text)");
  app.add_option("--expect", probe.expect,
                 "A reply must match this regular expression (ECMAScript), else the echo stage fails");

  // Beyond the handshake: the hold stage.
  std::string hold, hold_ping;
  app.add_option("--hold", hold,
                 "After the echo, keep the connection open this long (e.g. 90s), then check it is still alive; "
                 "reports when and how it was cut");
  app.add_option("--hold-ping", hold_ping,
                 "During --hold, send a ping at this interval (e.g. 20s): shows whether keepalive traffic keeps "
                 "the connection up");
  app.add_flag("--hold-message", probe.hold_message,
               "With --hold-ping, keep alive (and check) with small text messages instead of pings");

  try {
    std::reverse(args.begin(), args.end());  // CLI11 parses a vector from the back
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    auto help = app.help();
    // Show the --json option with its optional FILE, as users type it.
    if (const auto pos = help.find("  --json "); pos != std::string::npos) help.replace(pos, 9, "  --json [FILE] ");
    return {std::nullopt, 0, help};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, 0, app.version()};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, 2, std::string("wsprobe: ") + e.what() + "\nRun 'wsprobe --help' for the options."};
  }

  auto usage_error = [](std::string message) {
    return CliParse{std::nullopt, 2, "wsprobe: " + message + "\nRun 'wsprobe --help' for the options."};
  };
  struct DurationFlag {
    const std::string& text;
    std::chrono::milliseconds& target;
    const char* name;
  };
  auto& budgets = probe.budgets;
  for (const auto& flag : {DurationFlag{dns_timeout, budgets.dns, "--dns-timeout"},
                           DurationFlag{connect_timeout, budgets.connect, "--connect-timeout"},
                           DurationFlag{tls_timeout, budgets.tls, "--tls-timeout"},
                           DurationFlag{upgrade_timeout, budgets.upgrade, "--upgrade-timeout"},
                           DurationFlag{echo_timeout, budgets.echo, "--echo-timeout"},
                           DurationFlag{close_timeout, budgets.close, "--close-timeout"},
                           DurationFlag{timeout, budgets.total, "--timeout"}}) {
    if (flag.text.empty()) continue;
    const auto value = parse_duration(flag.text);
    if (!value || value->count() <= 0)
      return usage_error(std::string(flag.name) + ": '" + flag.text + "' is not a duration (e.g. 500ms, 5s, 2m)");
    flag.target = *value;
  }
  if (!size.empty()) {
    const auto value = parse_size(size);
    if (!value || *value == 0 || *value > 16 * 1024 * 1024)
      return usage_error("--size: '" + size + "' is not a size from 1 byte to 16M (e.g. 32, 4K, 1M)");
    probe.message_size = *value;
  }
  for (const auto& text : headers) {
    if (text.starts_with("@")) {
      // curl's -H @FILE: one header a line; blank lines and lines starting with '#' are skipped.
      std::string error;
      const auto content = read_small_file(text.substr(1), 64 * 1024, error);
      if (!content) return usage_error("-H: " + error);
      std::istringstream lines(*content);
      std::string line;
      int number = 0;
      while (std::getline(lines, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        auto header = parse_header(line);
        if (!header)
          return usage_error("-H: " + text.substr(1) + " line " + std::to_string(number) + ": '" + line +
                             "' is not 'Name: value'");
        probe.headers.push_back(std::move(*header));
      }
      continue;
    }
    auto header = parse_header(text);
    if (!header) return usage_error("-H: '" + text + "' is not 'Name: value'");
    probe.headers.push_back(std::move(*header));
  }
  for (const auto& text : resolves) {
    auto entry = parse_resolve(text);
    if (!entry) return usage_error("--resolve: '" + text + "' is not HOST:PORT:ADDR");
    probe.resolve.push_back(std::move(*entry));
  }
  for (const auto& text : connect_tos) {
    auto entry = parse_connect_to(text);
    if (!entry) return usage_error("--connect-to: '" + text + "' is not HOST:PORT:HOST2:PORT2 (parts may be empty)");
    probe.connect_to.push_back(std::move(*entry));
  }
  if (only_v4 && only_v6) return usage_error("-4 and -6 exclude each other");
  probe.family = only_v4 ? AddressFamily::v4 : only_v6 ? AddressFamily::v6 : AddressFamily::any;
  if (proxy_protocol) probe.proxy_protocol = *proxy_protocol == "v1" ? ProxyProtocolVersion::v1 : ProxyProtocolVersion::v2;
  for (const auto& [text, slot, name] : {std::tuple{&tls_min, &probe.tls_min, "--tls-min"},
                                         std::tuple{&tls_max, &probe.tls_max, "--tls-max"}}) {
    if (!*text) continue;
    *slot = tls_version_name(**text);
    if (!*slot) return usage_error(std::string(name) + ": '" + **text + "' is not a TLS version (1.0, 1.1, 1.2, 1.3)");
  }
  if (probe.tls_min && probe.tls_max && *probe.tls_min > *probe.tls_max)
    return usage_error("--tls-min " + *probe.tls_min + " is above --tls-max " + *probe.tls_max);
  if (probe.client_key_file && !probe.client_cert_file) return usage_error("--key needs --cert");
  if (alpn) {
    probe.alpn.clear();
    if (*alpn != "none") {
      std::string_view rest = *alpn;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        if (item.empty() || item.size() > 255)
          return usage_error("--alpn: '" + *alpn + "' is not a comma-separated list of protocol names");
        probe.alpn.emplace_back(item);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      }
    }
  }
  if (probe.ciphers && probe.ciphers->empty()) return usage_error("--ciphers: empty cipher list");
  if (message) {
    if (message->starts_with("@")) {
      std::string error;
      auto content = read_small_file(message->substr(1), 16 * 1024 * 1024, error);
      if (!content) return usage_error("--message: " + error);
      probe.message = std::move(*content);
    } else {
      probe.message = *message;
    }
    if (probe.message->empty()) return usage_error("--message: the message is empty");
  }
  if (probe.expect) {
    try {
      std::regex check(*probe.expect, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return usage_error("--expect: '" + *probe.expect + "' is not a regular expression (" + e.what() + ")");
    }
  }
  if (auto error = apply_hold_flags(hold, hold_ping, probe)) return usage_error(std::move(*error));
  // Servers and LB logs see which wsprobe asked; -A replaces it.
  if (!probe.user_agent) probe.user_agent = std::string("wsprobe/") + WSPROBE_VERSION;
  probe.echo = echo_mode == "require" ? EchoMode::require : echo_mode == "off" ? EchoMode::off : EchoMode::automatic;
  if (auto error = apply_sweep_flags(sweep_sizes, sweep_max, size, probe)) return usage_error(*error);
  cli.followups = !no_followup;

  if (url == "demo") {
    cli.demo = true;
  } else if (url == "causes") {
    cli.list_causes = true;
  } else {
    if (url.empty()) return usage_error("no URL given (e.g. wsprobe wss://host/path, or wsprobe demo)");
    auto parsed = parse_target(url);
    if (!parsed.target) return usage_error(parsed.error);
    probe.target = std::move(*parsed.target);
    if (!probe.show_secrets) probe.target.url = redact_url(probe.target.url);
  }
  if (!cli.list_causes && !cli.demo) {
    // --proxy, else the environment, as curl reads it. The demo's endpoints are local: always direct.
    auto selected = select_proxy(probe.target, proxy_url, noproxy, [](const char* name) { return std::getenv(name); });
    if (!selected.error.empty()) return usage_error(selected.error);
    probe.proxy = std::move(selected.proxy);
  }
  if (cli.all_addresses && probe.proxy && probe.proxy->scheme != ProxyScheme::socks5)
    return usage_error("--all-addresses needs the addresses resolved here: not with an HTTP or socks5h proxy, "
                       "which resolves the name itself");
  if (json_stdout) cli.outputs.push_back({OutputFormat::json, "-"});
  if (json_path) cli.outputs.push_back({OutputFormat::json, *json_path});
  if (!cli.demo && !cli.list_causes) cli.targets.push_back(probe);
  cli.argv = redacted_argv(raw, probe.show_secrets);
  return {std::move(cli), 0, {}};
}

}  // namespace wsprobe

#include "app/probe_flags.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "app/option_values.hpp"
#include "app/proxy_env.hpp"
#include "app/url.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxMessageBytes = 16 * 1024 * 1024;

template <typename T>
void add_if_absent(std::vector<T>& items, const T& item) {
  if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
}

// A name or tag ends up in reports of every format, Prometheus labels and JUnit names included.
bool is_label(const std::string& text) {
  return !text.empty() && text.size() <= 200 &&
         std::none_of(text.begin(), text.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; });
}

std::optional<std::string> apply_budgets(const ProbeFlags& flags, Budgets& budgets) {
  struct DurationFlag {
    const std::string& text;
    std::chrono::milliseconds& target;
    const char* name;
  };
  for (const auto& flag : {DurationFlag{flags.dns_timeout, budgets.dns, "--dns-timeout"},
                           DurationFlag{flags.connect_timeout, budgets.connect, "--connect-timeout"},
                           DurationFlag{flags.tls_timeout, budgets.tls, "--tls-timeout"},
                           DurationFlag{flags.upgrade_timeout, budgets.upgrade, "--upgrade-timeout"},
                           DurationFlag{flags.echo_timeout, budgets.echo, "--echo-timeout"},
                           DurationFlag{flags.close_timeout, budgets.close, "--close-timeout"},
                           DurationFlag{flags.timeout, budgets.total, "--timeout"}}) {
    if (flag.text.empty()) continue;
    const auto value = parse_duration(flag.text);
    if (!value || value->count() <= 0)
      return std::string(flag.name) + ": '" + flag.text + "' is not a duration (e.g. 500ms, 5s, 2m)";
    flag.target = *value;
  }
  return std::nullopt;
}

std::optional<std::string> apply_headers(const std::vector<std::string>& texts, std::vector<HttpHeader>& headers) {
  for (const auto& text : texts) {
    if (text.starts_with("@")) {
      // curl's -H @FILE: one header a line; blank lines and lines starting with '#' are skipped.
      std::string error;
      const auto content = read_small_file(text.substr(1), 64 * 1024, error);
      if (!content) return "-H: " + error;
      std::istringstream lines(*content);
      std::string line;
      int number = 0;
      while (std::getline(lines, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        auto header = parse_header(line);
        if (!header)
          return "-H: " + text.substr(1) + " line " + std::to_string(number) + ": '" + line + "' is not 'Name: value'";
        headers.push_back(std::move(*header));
      }
      continue;
    }
    auto header = parse_header(text);
    if (!header) return "-H: '" + text + "' is not 'Name: value'";
    headers.push_back(std::move(*header));
  }
  return std::nullopt;
}

std::optional<std::string> apply_reach_flags(const ProbeFlags& flags, ProbeOptions& probe) {
  for (const auto& text : flags.resolves) {
    auto entry = parse_resolve(text);
    if (!entry) return "--resolve: '" + text + "' is not HOST:PORT:ADDR";
    probe.resolve.push_back(std::move(*entry));
  }
  for (const auto& text : flags.connect_tos) {
    auto entry = parse_connect_to(text);
    if (!entry) return "--connect-to: '" + text + "' is not HOST:PORT:HOST2:PORT2 (parts may be empty)";
    probe.connect_to.push_back(std::move(*entry));
  }
  if (probe.dns_server && !is_dns_server(*probe.dns_server))
    return "--dns-server: '" + *probe.dns_server +
           "' is not a numeric IP address with an optional port (e.g. 10.0.0.2, 10.0.0.2:5353, [2001:db8::53]:53)";
  if (flags.only_v4 && flags.only_v6) return std::string("-4 and -6 exclude each other");
  if (flags.only_v4) probe.family = AddressFamily::v4;
  if (flags.only_v6) probe.family = AddressFamily::v6;
  if (flags.proxy_protocol)
    probe.proxy_protocol = *flags.proxy_protocol == "v1" ? ProxyProtocolVersion::v1 : ProxyProtocolVersion::v2;
  return std::nullopt;
}

std::optional<std::string> apply_tls_flags(const ProbeFlags& flags, ProbeOptions& probe) {
  for (const auto& [text, slot, name] : {std::tuple{&flags.tls_min, &probe.tls_min, "--tls-min"},
                                         std::tuple{&flags.tls_max, &probe.tls_max, "--tls-max"}}) {
    if (!*text) continue;
    *slot = tls_version_name(**text);
    if (!*slot) return std::string(name) + ": '" + **text + "' is not a TLS version (1.0, 1.1, 1.2, 1.3)";
  }
  if (probe.tls_min && probe.tls_max && *probe.tls_min > *probe.tls_max)
    return "--tls-min " + *probe.tls_min + " is above --tls-max " + *probe.tls_max;
  if (probe.client_key_file && !probe.client_cert_file) return std::string("--key needs --cert");
  if (flags.alpn) {
    probe.alpn.clear();
    if (*flags.alpn != "none") {
      std::string_view rest = *flags.alpn;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = rest.substr(0, comma);
        if (item.empty() || item.size() > 255)
          return "--alpn: '" + *flags.alpn + "' is not a comma-separated list of protocol names";
        probe.alpn.emplace_back(item);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      }
    }
  }
  if (probe.ciphers && probe.ciphers->empty()) return std::string("--ciphers: empty cipher list");
  return std::nullopt;
}

std::optional<std::string> apply_message_flags(const ProbeFlags& flags, ProbeOptions& probe) {
  if (!flags.size.empty()) {
    const auto value = parse_size(flags.size);
    if (!value || *value == 0 || *value > kMaxMessageBytes)
      return "--size: '" + flags.size + "' is not a size from 1 byte to 16M (e.g. 32, 4K, 1M)";
    probe.message_size = *value;
  }
  if (flags.echo_mode)
    probe.echo = *flags.echo_mode == "require" ? EchoMode::require
                 : *flags.echo_mode == "off"   ? EchoMode::off
                                               : EchoMode::automatic;
  for (const auto& name : flags.subprotocols) add_if_absent(probe.subprotocols, name);
  if (flags.message) {
    if (flags.message->starts_with("@")) {
      std::string error;
      auto content = read_small_file(flags.message->substr(1), kMaxMessageBytes, error);
      if (!content) return "--message: " + error;
      probe.message = std::move(*content);
    } else {
      probe.message = *flags.message;
    }
    if (probe.message->empty()) return std::string("--message: the message is empty");
  }
  if (flags.expect) {
    try {
      std::regex check(*flags.expect, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return "--expect: '" + *flags.expect + "' is not a regular expression (" + e.what() + ")";
    }
    probe.expect = flags.expect;
  }
  return std::nullopt;
}

// --hold, --hold-ping and --hold-message, checked together on the result (an entry's --hold
// against the command line's --hold-ping too).
std::optional<std::string> apply_hold_flags(const ProbeFlags& flags, ProbeOptions& probe) {
  // A keepalive more often than this is a flood, not a keepalive.
  constexpr auto kMinInterval = 50ms;
  constexpr auto kMaxHold = std::chrono::hours(24);
  if (!flags.hold.empty()) {
    const auto value = parse_duration(flags.hold);
    if (!value || *value <= 0ms || *value > kMaxHold)
      return "--hold: '" + flags.hold + "' is not a duration from 1ms to 24h (e.g. 90s, 5m)";
    probe.hold = *value;
  }
  if (!flags.hold_ping.empty()) {
    if (!probe.hold) return std::string("--hold-ping needs --hold (how long to hold)");
    const auto value = parse_duration(flags.hold_ping);
    if (!value || *value < kMinInterval) return "--hold-ping: '" + flags.hold_ping + "' is not a duration of 50ms or more";
    probe.hold_ping = *value;
  }
  if (probe.hold_ping && *probe.hold_ping >= *probe.hold) {
    auto shown = [](const std::string& text, std::chrono::milliseconds value) {
      return text.empty() ? format_duration(value) : text;
    };
    return "--hold-ping " + shown(flags.hold_ping, *probe.hold_ping) + " must be shorter than --hold " +
           shown(flags.hold, *probe.hold) + ", or no keepalive is ever sent";
  }
  if (probe.hold_message && !probe.hold_ping)
    return std::string("--hold-message needs --hold-ping (the interval between keepalive messages)");
  return std::nullopt;
}

// --sizes LIST or --max-size SIZE into probe.sweep_sizes (ascending, no repeats). --max-size
// doubles from --size when given, else from 1K.
std::optional<std::string> apply_sweep_flags(const ProbeFlags& flags, ProbeOptions& probe) {
  constexpr std::size_t kMaxSizes = 32;
  constexpr std::size_t kDefaultStart = 1024;
  const auto& sizes = flags.sizes;
  const auto& max_size = flags.max_size;
  if (!sizes.empty() && !max_size.empty()) return std::string("--sizes and --max-size exclude each other");
  auto& sweep = probe.sweep_sizes;
  if (!sizes.empty()) {
    sweep.clear();
    std::string_view rest = sizes;
    while (!rest.empty() || sweep.empty()) {
      const auto comma = rest.find(',');
      const auto item = rest.substr(0, comma);
      const auto value = parse_size(item);
      if (!value || *value == 0 || *value > kMaxMessageBytes)
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
    sweep.clear();
    const auto max = parse_size(max_size);
    if (!max || *max == 0 || *max > kMaxMessageBytes)
      return "--max-size: '" + max_size + "' is not a size from 1 byte to 16M (e.g. 1M)";
    const auto start = flags.size.empty() ? std::min(kDefaultStart, *max) : probe.message_size;
    if (start > *max) return "--max-size " + max_size + " is below --size " + flags.size;
    // start, 2*start, 4*start, ... then the maximum itself: at most 25 sizes from 1 byte to 16M.
    for (auto value = start; value < *max; value *= 2) sweep.push_back(value);
    sweep.push_back(*max);
  }
  if (probe.echo == EchoMode::off && probe.expect)
    return std::string("--expect checks an echo reply: not with --echo off");
  if (probe.echo == EchoMode::off && probe.message)
    return std::string("--message is the echo message: not with --echo off");
  if (!sweep.empty() && probe.echo == EchoMode::off)
    return std::string(!max_size.empty() ? "--max-size" : "--sizes") + " needs echoes: not with --echo off";
  return std::nullopt;
}

std::optional<std::string> apply_label_flags(const ProbeFlags& flags, Target& target) {
  if (flags.name) {
    if (!is_label(*flags.name)) return "--name: '" + *flags.name + "' is not a name (1 to 200 printable characters)";
    target.name = flags.name;
  }
  for (const auto& tag : flags.tags) {
    if (!is_label(tag)) return "--tag: '" + tag + "' is not a tag (1 to 200 printable characters)";
    add_if_absent(target.tags, tag);
  }
  return std::nullopt;
}

}  // namespace

void add_probe_flags(CLI::App& app, ProbeFlags& flags, ProbeOptions& probe) {
  app.add_option("--name", flags.name, "Name the target in reports (a targets file names each entry)");
  // Repeatable options take one value per use: a vector option would otherwise swallow the URL after it.
  app.add_option("--tag", flags.tags, "Label the target in reports, e.g. prod (repeatable)")->allow_extra_args(false);
  app.add_option("--dns-server", probe.dns_server, "Resolve with this DNS server: ADDR or ADDR:PORT ([v6]:PORT)");
  app.add_option("--resolve", flags.resolves, "HOST:PORT:ADDR - connect to ADDR for HOST:PORT, skipping DNS (as curl)")
      ->allow_extra_args(false);
  app.add_option("--cacert", probe.cacert_file, "Trust the CA certificates in this PEM file")->check(CLI::ExistingFile);
  app.add_flag("-k,--insecure", probe.insecure, "Do not verify the server certificate (reported as a warning)");
  app.add_option("--origin", probe.origin, "Send this Origin header");
  app.add_option("--subprotocol", flags.subprotocols, "Offer this subprotocol (repeatable)")->allow_extra_args(false);
  app.add_option("-H,--header", flags.headers, "Add a request header 'Name: value', or @FILE of them (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--echo", flags.echo_mode,
                 "auto (default): report whether the server echoes; require: fail if it does not; off")
      ->check(CLI::IsMember({"auto", "require", "off"}));
  app.add_option("--count", probe.count, "Pings, and echo messages, to send (default 5)")->check(CLI::Range(1, 10000));
  app.add_option("--size", flags.size, "Bytes per echo message: 32, 4K, 1M (default 32)");
  app.add_option("--sizes", flags.sizes,
                 "After the echoes, echo one message of each size (e.g. 1K,64K,1M, up to 16M) and report the "
                 "largest that came back");
  app.add_option("--max-size", flags.max_size,
                 "Like --sizes, doubling from --size (or 1K) up to this size: --max-size 1M");
  app.add_option("--timeout", flags.timeout, "Deadline for the whole probe (default 30s)");
  app.add_option("--dns-timeout", flags.dns_timeout, "DNS budget (default 5s)");
  app.add_option("--connect-timeout", flags.connect_timeout, "TCP connect budget (default 5s)");
  app.add_option("--tls-timeout", flags.tls_timeout, "TLS handshake budget (default 5s)");
  app.add_option("--upgrade-timeout", flags.upgrade_timeout, "HTTP upgrade budget (default 5s)");
  app.add_option("--echo-timeout", flags.echo_timeout, "Ping and echo budget (default 5s)");
  app.add_option("--close-timeout", flags.close_timeout, "Close handshake budget (default 2s)");

  // Reaching the endpoint.
  app.add_option("-x,--proxy", flags.proxy_url,
                 "Forward proxy: http://[user:pass@]host:port (CONNECT), socks5://, socks5h:// (names resolved by the "
                 "proxy); '' ignores the proxy environment variables");
  app.add_option("--noproxy", flags.noproxy,
                 "Comma-separated hosts or domains to reach directly ('*' for all), as NO_PROXY");
  app.add_option("--proxy-protocol", flags.proxy_protocol,
                 "Send a PROXY protocol header first (v1 or v2), as an NLB or HAProxy with proxy protocol would")
      ->check(CLI::IsMember({"v1", "v2"}));
  app.add_option("--connect-to", flags.connect_tos,
                 "HOST:PORT:HOST2:PORT2 - connect to HOST2:PORT2 instead of HOST:PORT; SNI and Host stay (as curl)")
      ->allow_extra_args(false);
  app.add_option("--sni", probe.sni, "TLS server name (and certificate name) to use instead of the URL's host; '' sends none");
  app.add_option("--host", probe.host_header, "Host header value to send instead of the URL's host");
  app.add_flag("-4,--ipv4", flags.only_v4, "Use IPv4 addresses only");
  app.add_flag("-6,--ipv6", flags.only_v6, "Use IPv6 addresses only");

  // TLS.
  app.add_option("--cert", probe.client_cert_file, "Client certificate (PEM) for mTLS")->check(CLI::ExistingFile);
  app.add_option("--key", probe.client_key_file, "Private key (PEM) for --cert (default: the --cert file)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-min", flags.tls_min, "Lowest TLS version to offer: 1.0, 1.1, 1.2, 1.3");
  app.add_option("--tls-max", flags.tls_max, "Highest TLS version to offer: 1.0, 1.1, 1.2, 1.3");
  app.add_option("--alpn", flags.alpn, "ALPN protocols to offer, comma-separated (default http/1.1); 'none' offers none");
  app.add_option("--ciphers", probe.ciphers,
                 "OpenSSL cipher list (TLS_* names set the TLS 1.3 suites), e.g. ECDHE-RSA-AES128-GCM-SHA256");
  app.add_option("--cert-warn-days", probe.cert_warn_days,
                 "Warn (degraded) when the certificate expires within this many days (default 14)")
      ->check(CLI::Range(0, 3650));

  // Request and messages.
  app.add_option("-A,--user-agent", probe.user_agent, "User-Agent header (default wsprobe/VERSION)");
  app.add_flag("--compress", probe.compress, "Offer permessage-deflate and report what was negotiated");
  app.add_option("--message", flags.message, "Echo this message instead of random bytes: TEXT or @FILE");
  app.add_flag("--binary", probe.binary, "Send messages as binary frames (default text)");
  app.add_option("--expect", flags.expect,
                 "A reply must match this regular expression (ECMAScript), else the echo stage fails");

  // Beyond the handshake: the hold stage.
  app.add_option("--hold", flags.hold,
                 "After the echo, keep the connection open this long (e.g. 90s), then check it is still alive; "
                 "reports when and how it was cut");
  app.add_option("--hold-ping", flags.hold_ping,
                 "During --hold, send a ping at this interval (e.g. 20s): shows whether keepalive traffic keeps "
                 "the connection up");
  app.add_flag("--hold-message", probe.hold_message,
               "With --hold-ping, keep alive (and check) with small text messages instead of pings");

  // How --help shows their values.
  for (const auto* name : {"--timeout", "--dns-timeout", "--connect-timeout", "--tls-timeout", "--upgrade-timeout",
                           "--echo-timeout", "--close-timeout", "--hold", "--hold-ping"})
    app.get_option(name)->type_name("DURATION");
  for (const auto* name : {"--size", "--max-size"}) app.get_option(name)->type_name("SIZE");
  app.get_option("--sizes")->type_name("SIZE,...");

  add_assertion_flags(app, flags.assertions);
}

std::optional<std::string> apply_probe_flags(const ProbeFlags& flags, ProbeOptions& probe) {
  if (auto error = apply_label_flags(flags, probe.target)) return error;
  if (auto error = apply_budgets(flags, probe.budgets)) return error;
  if (auto error = apply_message_flags(flags, probe)) return error;
  if (auto error = apply_headers(flags.headers, probe.headers)) return error;
  if (auto error = apply_reach_flags(flags, probe)) return error;
  if (auto error = apply_tls_flags(flags, probe)) return error;
  if (auto error = apply_hold_flags(flags, probe)) return error;
  if (auto error = apply_sweep_flags(flags, probe)) return error;
  return apply_assertion_flags(flags.assertions, probe);
}

std::optional<std::string> aim_probe(std::string_view url, const ProbeFlags& flags, ProbeOptions& probe) {
  auto parsed = parse_target(url);
  if (!parsed.target) return parsed.error;
  parsed.target->name = std::move(probe.target.name);
  parsed.target->tags = std::move(probe.target.tags);
  probe.target = std::move(*parsed.target);
  if (!probe.show_secrets) probe.target.url = redact_url(probe.target.url);
  auto selected =
      select_proxy(probe.target, flags.proxy_url, flags.noproxy, [](const char* name) { return std::getenv(name); });
  if (!selected.error.empty()) return selected.error;
  probe.proxy = std::move(selected.proxy);
  return std::nullopt;
}

ProbeFlags inherit_linked_flags(ProbeFlags entry, const ProbeFlags& base) {
  if (!entry.proxy_url) entry.proxy_url = base.proxy_url;
  if (!entry.noproxy) entry.noproxy = base.noproxy;
  if (entry.size.empty()) entry.size = base.size;
  if (entry.sizes.empty() && entry.max_size.empty()) {
    entry.sizes = base.sizes;
    entry.max_size = base.max_size;
  }
  if (entry.hold.empty()) entry.hold = base.hold;
  if (entry.hold_ping.empty()) entry.hold_ping = base.hold_ping;
  return entry;
}

}  // namespace wsprobe

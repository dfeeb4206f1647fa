// parse_cli, parse_duration and parse_size: what a command line becomes, and what it refuses
// (exit code 2 with a message that says why).
#include <catch2/catch.hpp>

#include <sstream>

#include "app/cli.hpp"
#include "probe/lab/certs.hpp"
#include "support/parse_args.hpp"
#include "support/text_checks.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::any_contains;
using test::contains;
using test::parse_args;

// Parses and REQUIREs a runnable result.
CliOptions parse_ok(std::vector<std::string> args) {
  auto parsed = parse_args(std::move(args));
  INFO("exit " << parsed.exit_code << ": " << parsed.message);
  REQUIRE(parsed.options);
  return std::move(*parsed.options);
}

// Parses and REQUIREs a usage error; returns its message.
std::string parse_usage_error(std::vector<std::string> args) {
  auto parsed = parse_args(std::move(args));
  REQUIRE_FALSE(parsed.options);
  CHECK(parsed.exit_code == 2);
  CHECK(parsed.message.starts_with("wsprobe: "));
  return parsed.message;
}

// The one target a single URL argument becomes.
const ProbeOptions& only_target(const CliOptions& cli) {
  REQUIRE(cli.targets.size() == 1);
  return cli.targets.front();
}

// ---------------------------------------------------------------------------------------------
// Durations and sizes

TEST_CASE("parse_duration reads ms, s, m, h and bare seconds", "[cli]") {
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("5s") == 5000ms);
  CHECK(parse_duration("1.5s") == 1500ms);
  CHECK(parse_duration("2m") == 120000ms);
  CHECK(parse_duration("1h") == 3600000ms);
  CHECK(parse_duration("3") == 3000ms);
  CHECK(parse_duration("0.25") == 250ms);
  CHECK(parse_duration("0") == 0ms);  // parsed; the CLI refuses a zero budget
}

TEST_CASE("parse_duration refuses what is not a duration", "[cli]") {
  for (const char* text : {"", "s", "ms", "abc", "-1s", "-1", "5x", "5 s", " 5s", "1..5s", "inf", "nan", "5sec", "1d"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_duration(text));
  }
}

TEST_CASE("parse_size reads bytes, K and M", "[cli]") {
  CHECK(parse_size("32") == 32u);
  CHECK(parse_size("4K") == 4096u);
  CHECK(parse_size("4k") == 4096u);
  CHECK(parse_size("1M") == 1048576u);
  CHECK(parse_size("0") == 0u);  // parsed; the CLI refuses it
  for (const char* text : {"", "K", "M", "-1", "1.5K", "4G", "4KB", " 4", "x"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_size(text));
  }
}

// Regression: `value * multiplier` once wrapped, turning a huge count of K into a small size.
TEST_CASE("parse_size refuses sizes that overflow", "[cli]") {
  CHECK_FALSE(parse_size("18014398509481985K"));  // 2^54 + 1 KiB: wraps to 1024 bytes
  CHECK(parse_args(std::vector<std::string>{"--size", "18014398509481985K", "ws://h/"}).exit_code == 2);
}

TEST_CASE("duration and size options set the budgets, or exit 2", "[cli]") {
  const auto cli = parse_ok({"--dns-timeout", "1s", "--connect-timeout", "1500ms", "--tls-timeout", "2s",
                             "--upgrade-timeout", "3s", "--echo-timeout", "4s", "--close-timeout", "500ms",
                             "--timeout", "1m", "--size", "4K", "--count", "7", "ws://h/"});
  const auto& b = cli.probe.budgets;
  CHECK(b.dns == 1000ms);
  CHECK(b.connect == 1500ms);
  CHECK(b.tls == 2000ms);
  CHECK(b.upgrade == 3000ms);
  CHECK(b.echo == 4000ms);
  CHECK(b.close == 500ms);
  CHECK(b.total == 60000ms);
  CHECK(cli.probe.message_size == 4096u);
  CHECK(cli.probe.count == 7);

  const auto defaults = parse_ok({"ws://h/"});
  CHECK(defaults.probe.budgets.total == 30s);
  CHECK(defaults.probe.count == 5);
  CHECK(defaults.probe.message_size == 32u);

  CHECK(contains(parse_usage_error({"--timeout", "0", "ws://h/"}), "--timeout"));
  CHECK(contains(parse_usage_error({"--tls-timeout", "soon", "ws://h/"}), "--tls-timeout: 'soon'"));
  CHECK(contains(parse_usage_error({"--size", "0", "ws://h/"}), "--size"));
  CHECK(contains(parse_usage_error({"--size", "17M", "ws://h/"}), "--size"));
  CHECK(parse_ok({"--size", "16M", "ws://h/"}).probe.message_size == 16u * 1024 * 1024);
  parse_usage_error({"--count", "0", "ws://h/"});
  parse_usage_error({"--count", "many", "ws://h/"});
}

// The --json output as the old single-output fields read: stdout, or a file.
bool json_stdout(const CliOptions& cli) {
  for (const auto& o : cli.outputs) if (o.format == OutputFormat::json && o.path == "-") return true;
  return false;
}
std::optional<std::string> json_path(const CliOptions& cli) {
  for (const auto& o : cli.outputs) if (o.format == OutputFormat::json && o.path != "-") return o.path;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// --json [FILE]

TEST_CASE("option --json with a URL after it means JSON on stdout", "[cli]") {
  const auto cli = parse_ok({"--json", "wss://x/"});
  CHECK(json_stdout(cli));
  CHECK_FALSE(json_path(cli));
  CHECK(only_target(cli).target.host == "x");
  CHECK(only_target(cli).target.secure);

  const auto ws = parse_ok({"--json", "ws://x/"});
  CHECK(json_stdout(ws));
  CHECK_FALSE(json_path(ws));
}

TEST_CASE("option --json FILE or --json=FILE or --json before an option or at the end", "[cli]") {
  SECTION("--json FILE URL") {
    const auto cli = parse_ok({"--json", "report.json", "wss://x/"});
    CHECK_FALSE(json_stdout(cli));
    CHECK(json_path(cli) == "report.json");
    CHECK(only_target(cli).target.host == "x");
  }
  SECTION("--json=FILE URL") {
    const auto cli = parse_ok({"--json=out/r.json", "wss://x/"});
    CHECK_FALSE(json_stdout(cli));
    CHECK(json_path(cli) == "out/r.json");
  }
  SECTION("URL --json") {
    const auto cli = parse_ok({"wss://x/", "--json"});
    CHECK(json_stdout(cli));
    CHECK_FALSE(json_path(cli));
  }
  SECTION("--json -v URL") {
    const auto cli = parse_ok({"--json", "-v", "wss://x/"});
    CHECK(json_stdout(cli));
    CHECK(cli.verbose);
  }
  SECTION("--json demo") {
    const auto cli = parse_ok({"--json", "demo"});
    CHECK(json_stdout(cli));
    CHECK(cli.demo);
  }
  SECTION("demo --json FILE") {
    const auto cli = parse_ok({"demo", "--json", "r.json"});
    CHECK(cli.demo);
    CHECK(json_path(cli) == "r.json");
    CHECK_FALSE(json_stdout(cli));
  }
}

// ---------------------------------------------------------------------------------------------
// -H

TEST_CASE("option -H adds request headers in order", "[cli]") {
  const auto cli = parse_ok({"ws://h/", "-H", "X-Trace: abc", "--header", "X-Tenant:blue", "-H", "X-Empty:"});
  REQUIRE(cli.probe.headers.size() == 3);
  CHECK(cli.probe.headers[0].name == "X-Trace");
  CHECK(cli.probe.headers[0].value == "abc");
  CHECK(cli.probe.headers[1].name == "X-Tenant");
  CHECK(cli.probe.headers[1].value == "blue");
  CHECK(cli.probe.headers[2].name == "X-Empty");
  CHECK(cli.probe.headers[2].value.empty());
}

TEST_CASE("option -H refuses what is not 'Name: value', and CR or LF anywhere", "[cli]") {
  for (const char* header : {"NoColon", ": value", "Bad Name: v", "X-A: one\r\nX-Injected: two", "X-A: one\ntwo",
                             "X-A\r: v", "X-A: v\r"}) {
    INFO("-H '" << header << "'");
    CHECK(contains(parse_usage_error({"ws://h/", "-H", header}), "-H"));
  }
}

// Regression: -H, --resolve and --subprotocol are CLI11 vector options, which by default take every
// following non-option argument, so the URL after them was swallowed as one more value and the
// help's own example (`wsprobe --json report.json -H 'Authorization: ...' wss://...`) failed.
TEST_CASE("repeatable options before the URL do not swallow it", "[cli]") {
  SECTION("-H") {
    auto parsed = parse_args({"-H", "X-Trace: abc", "wss://h/"});
    INFO(parsed.message);
    REQUIRE(parsed.options);
    CHECK(only_target(*parsed.options).target.host == "h");
    CHECK(parsed.options->probe.headers.size() == 1);
  }
  SECTION("--resolve") {
    auto parsed = parse_args({"--resolve", "h:443:192.0.2.1", "wss://h/"});
    INFO(parsed.message);
    REQUIRE(parsed.options);
    CHECK(parsed.options->probe.resolve.size() == 1);
  }
  SECTION("--subprotocol") {
    auto parsed = parse_args({"--subprotocol", "v1", "wss://h/"});
    INFO(parsed.message);
    REQUIRE(parsed.options);
    CHECK(parsed.options->probe.subprotocols == std::vector<std::string>{"v1"});
  }
}

// ---------------------------------------------------------------------------------------------
// --resolve

TEST_CASE("option --resolve HOST:PORT:ADDR, ADDR v4 or v6 (bracketed or not)", "[cli]") {
  const auto cli = parse_ok({"wss://chat.example.test/", "--resolve", "chat.example.test:443:192.0.2.10", "--resolve",
                             "chat.example.test:8443:[2001:db8::1]", "--resolve", "h:80:::1"});
  REQUIRE(cli.probe.resolve.size() == 3);
  CHECK(cli.probe.resolve[0].host == "chat.example.test");
  CHECK(cli.probe.resolve[0].port == 443);
  CHECK(cli.probe.resolve[0].address == "192.0.2.10");
  CHECK(cli.probe.resolve[1].port == 8443);
  CHECK(cli.probe.resolve[1].address == "2001:db8::1");
  CHECK(cli.probe.resolve[2].address == "::1");
}

TEST_CASE("option --resolve refuses malformed entries", "[cli]") {
  for (const char* entry : {"h", "h:443", "h:443:", ":443:192.0.2.1", "h::192.0.2.1", "h:0:192.0.2.1",
                            "h:70000:192.0.2.1", "h:https:192.0.2.1", "h:-1:192.0.2.1"}) {
    INFO("--resolve '" << entry << "'");
    CHECK(contains(parse_usage_error({"ws://h/", "--resolve", entry}), "--resolve"));
  }
}

// A typo in ADDR is a usage error (exit 2), not a dns-stage failure at run time.
TEST_CASE("option --resolve refuses an ADDR that is not an IP address", "[cli]") {
  for (const char* entry : {"h:443:not-an-ip", "h:443:[]", "h:443:192.0.2"}) {
    INFO("--resolve '" << entry << "'");
    CHECK(parse_args({"ws://h/", "--resolve", entry}).exit_code == 2);
  }
}

// ---------------------------------------------------------------------------------------------
// URLs

TEST_CASE("ws:// and wss:// URLs become targets", "[cli]") {
  SECTION("defaults") {
    const auto t = only_target(parse_ok({"ws://example.test"})).target;
    CHECK_FALSE(t.secure);
    CHECK(t.host == "example.test");
    CHECK(t.port == 80);
    CHECK(t.resource == "/");
    CHECK_FALSE(t.host_is_ip_literal);
  }
  SECTION("wss with port, path and query") {
    const auto t = only_target(parse_ok({"wss://example.test:8443/ws/v1?room=7"})).target;
    CHECK(t.secure);
    CHECK(t.port == 8443);
    CHECK(t.resource == "/ws/v1?room=7");
    CHECK(t.url == "wss://example.test:8443/ws/v1?room=7");
  }
  SECTION("wss default port") { CHECK(only_target(parse_ok({"wss://example.test/x"})).target.port == 443); }
  SECTION("IPv6 literal") {
    const auto t = only_target(parse_ok({"ws://[::1]:9000/"})).target;
    CHECK(t.host == "::1");
    CHECK(t.port == 9000);
    CHECK(t.host_is_ip_literal);
  }
  SECTION("IPv4 literal") {
    const auto t = only_target(parse_ok({"ws://127.0.0.1:9/"})).target;
    CHECK(t.host == "127.0.0.1");
    CHECK(t.host_is_ip_literal);
  }
}

TEST_CASE("URLs that are not ws:// or wss:// exit 2 and say why", "[cli]") {
  CHECK(contains(parse_usage_error({"http://example.test/"}), "ws://"));
  CHECK(contains(parse_usage_error({"http://example.test/"}), "did you mean ws://"));
  CHECK(contains(parse_usage_error({"https://example.test/"}), "did you mean wss://"));
  CHECK(contains(parse_usage_error({"ftp://example.test/"}), "unsupported scheme 'ftp'"));
  CHECK(contains(parse_usage_error({"ws://example.test/chat#room"}), "fragment"));
  CHECK(contains(parse_usage_error({"wss://user:pa55@example.test/"}), "credentials"));
  CHECK(contains(parse_usage_error({"ws://"}), "host"));
  CHECK(contains(parse_usage_error({"ws://example.test:0/"}), "port"));
  parse_usage_error({"example.test"});
  parse_usage_error({"not a url"});
}

// Issue 11: an international host was refused as "not a URL". It is converted as curl converts it
// (what DNS, SNI and the Host header carry); the URL is shown as typed.
TEST_CASE("international host names are probed in their ASCII form (IDNA, as curl)", "[cli]") {
  SECTION("letters beyond ASCII") {
    const auto t = only_target(parse_ok({"wss://bücher.example/ws"})).target;
    CHECK(t.host == "xn--bcher-kva.example");
    CHECK(t.url == "wss://bücher.example/ws");
  }
  SECTION("upper case and a port, a UTF-8 path percent-encoded as browsers send it") {
    const auto t = only_target(parse_ok({"wss://BÜCHER.example:8443/straße?q=ü"})).target;
    CHECK(t.host == "xn--bcher-kva.example");
    CHECK(t.port == 8443);
    CHECK(t.resource == "/stra%C3%9Fe?q=%C3%BC");
  }
  SECTION("already percent-encoded in the URL") {
    CHECK(only_target(parse_ok({"ws://b%C3%BCcher.example/"})).target.host == "xn--bcher-kva.example");
  }
  SECTION("an ASCII name is left as it is") {
    CHECK(only_target(parse_ok({"ws://xn--bcher-kva.example/"})).target.host == "xn--bcher-kva.example");
  }
  SECTION("a name IDNA forbids is refused before any connection, naming the host and why") {
    const auto message = parse_usage_error({"ws://-bücher.example/"});
    CHECK(contains(message, "the host '-bücher.example' is not a valid international domain name"));
    CHECK(contains(message, "hyphen"));
  }
}

TEST_CASE("user-info in the URL is refused without echoing the password", "[cli]") {
  const auto message = parse_usage_error({"wss://user:pa55w0rd@example.test/"});
  CHECK_FALSE(contains(message, "pa55w0rd"));
}

TEST_CASE("no URL exits 2 with a clear message", "[cli]") {
  CHECK(contains(parse_usage_error({}), "no URL given"));
  CHECK(contains(parse_usage_error({"-v", "--count", "3"}), "no URL given"));
}

TEST_CASE("an unknown option exits 2; --help and --version exit 0", "[cli]") {
  CHECK(contains(parse_usage_error({"--bogus", "ws://h/"}), "--bogus"));

  const auto help = parse_args({"--help"});
  CHECK_FALSE(help.options);
  CHECK(help.exit_code == 0);
  CHECK(contains(help.message, "--json [FILE]"));
  CHECK(contains(help.message, "Exit codes"));

  const auto version = parse_args({"--version"});
  CHECK_FALSE(version.options);
  CHECK(version.exit_code == 0);
  CHECK(version.message.starts_with("wsprobe "));
}

TEST_CASE("other flags: -k, --echo, --origin, --subprotocol, --cacert, demo", "[cli]") {
  const auto cli = parse_ok({"-k", "--echo", "require", "--origin", "https://app.example.test", "--no-color", "-v",
                             "wss://h/", "--subprotocol", "v2", "--subprotocol", "v1"});
  CHECK(cli.probe.insecure);
  CHECK(cli.probe.echo == EchoMode::require);
  CHECK(cli.probe.origin == "https://app.example.test");
  CHECK(cli.probe.subprotocols == std::vector<std::string>{"v2", "v1"});
  CHECK(cli.no_color);
  CHECK(cli.verbose);
  CHECK_FALSE(cli.demo);
  CHECK(parse_ok({"--echo", "off", "ws://h/"}).probe.echo == EchoMode::off);
  CHECK(parse_ok({"ws://h/"}).probe.echo == EchoMode::automatic);
  parse_usage_error({"--echo", "sometimes", "ws://h/"});
  parse_usage_error({"--cacert", "/nonexistent/wsprobe-ca.pem", "wss://h/"});
  CHECK(parse_ok({"demo"}).demo);
}

// ---------------------------------------------------------------------------------------------
// Secrets

TEST_CASE("secrets are redacted in argv and target.url, but sent as given", "[cli]") {
  const std::vector<std::string> args{"wss://h/stream?token=t0k3n&room=7", "-H", "Authorization: Bearer s3cret",
                                      "--header", "X-Api-Key: k3y"};
  SECTION("by default") {
    const auto cli = parse_ok(args);
    INFO([&] {
      std::string all;
      for (const auto& a : cli.argv) all += "'" + a + "' ";
      return all;
    }());
    CHECK(cli.argv.size() == args.size());
    CHECK_FALSE(any_contains(cli.argv, "s3cret"));
    CHECK_FALSE(any_contains(cli.argv, "k3y"));
    CHECK_FALSE(any_contains(cli.argv, "t0k3n"));
    CHECK(any_contains(cli.argv, "Authorization: Bearer REDACTED"));
    CHECK(any_contains(cli.argv, "X-Api-Key: REDACTED"));
    CHECK(any_contains(cli.argv, "wss://h/stream?token=REDACTED&room=7"));
    CHECK(only_target(cli).target.url == "wss://h/stream?token=REDACTED&room=7");
    // The request carries the real values.
    CHECK(only_target(cli).target.resource == "/stream?token=t0k3n&room=7");
    REQUIRE(cli.probe.headers.size() == 2);
    CHECK(cli.probe.headers[0].value == "Bearer s3cret");
    CHECK(cli.probe.headers[1].value == "k3y");
    CHECK_FALSE(cli.probe.show_secrets);
  }
  SECTION("with --show-secrets") {
    auto with = args;
    with.insert(with.begin(), "--show-secrets");
    const auto cli = parse_ok(with);
    CHECK(cli.probe.show_secrets);
    CHECK(any_contains(cli.argv, "Authorization: Bearer s3cret"));
    CHECK(any_contains(cli.argv, "X-Api-Key: k3y"));
    CHECK(any_contains(cli.argv, "token=t0k3n"));
    CHECK(only_target(cli).target.url == "wss://h/stream?token=t0k3n&room=7");
  }
}

TEST_CASE("a bearer token carried as a subprotocol is redacted in argv, but offered as given", "[cli]") {
  const std::string token = "base64url.bearer.authorization.k8s.io.c2VjcmV0LXRva2Vu";
  for (const auto& args : std::vector<std::vector<std::string>>{{"ws://h/", "--subprotocol", token},
                                                                {"ws://h/", "--subprotocol=" + token},
                                                                {"ws://h/", "--expect-subprotocol", token}}) {
    const auto cli = parse_ok(args);
    CHECK_FALSE(any_contains(cli.argv, "c2VjcmV0LXRva2Vu"));
    CHECK(any_contains(cli.argv, "base64url.bearer.authorization.k8s.io.REDACTED"));
    REQUIRE(only_target(cli).subprotocols.size() == 1);
    CHECK(only_target(cli).subprotocols[0] == token);
  }
}

// Regression: only a header in the argument after a separate "-H"/"--header" was redacted; the
// attached forms CLI11 also accepts kept the secret in argv (and the JSON report's tool.argv).
TEST_CASE("secrets in attached -H forms are redacted in argv", "[cli]") {
  for (const char* form : {"--header=Authorization: Bearer s3cret", "-HAuthorization: Bearer s3cret"}) {
    const auto cli = parse_ok({"ws://h/", form});
    INFO(form);
    REQUIRE(cli.probe.headers.size() == 1);
    CHECK(cli.probe.headers[0].value == "Bearer s3cret");
    CHECK_FALSE(any_contains(cli.argv, "s3cret"));
  }
}

// ---------------------------------------------------------------------------------------------
// Reaching the endpoint, TLS and request controls (issue 4)

std::string write_file(const lab::TempDir& dir, const std::string& name, const std::string& content) {
  return dir.write(name, content).string();
}

TEST_CASE("connect-to takes curl's four parts, any of them empty", "[cli][reach]") {
  auto cli = parse_ok({"--connect-to", "chat.example.com:443:lb-2.example.net:8443", "--connect-to", "::[::1]:",
                       "wss://chat.example.com/ws"});
  REQUIRE(cli.probe.connect_to.size() == 2);
  const auto& first = cli.probe.connect_to[0];
  CHECK(first.host == "chat.example.com");
  CHECK(first.port == std::uint16_t{443});
  CHECK(first.to_host == "lb-2.example.net");
  CHECK(first.to_port == std::uint16_t{8443});
  const auto& any = cli.probe.connect_to[1];
  CHECK(any.host.empty());
  CHECK_FALSE(any.port);
  CHECK(any.to_host == "::1");
  CHECK_FALSE(any.to_port);

  CHECK(contains(parse_usage_error({"--connect-to", "a:443:b", "wss://a/"}), "--connect-to"));
  CHECK(contains(parse_usage_error({"--connect-to", "a:99999:b:1", "wss://a/"}), "HOST:PORT:HOST2:PORT2"));
}

TEST_CASE("The -4 and -6 flags pick a family and exclude each other", "[cli][reach]") {
  CHECK(parse_ok({"-4", "wss://h/"}).probe.family == AddressFamily::v4);
  CHECK(parse_ok({"--ipv6", "wss://h/"}).probe.family == AddressFamily::v6);
  CHECK(parse_ok({"wss://h/"}).probe.family == AddressFamily::any);
  CHECK(contains(parse_usage_error({"-4", "-6", "wss://h/"}), "exclude"));
}

TEST_CASE("An empty sni means no SNI, distinct from no --sni", "[cli][reach]") {
  CHECK_FALSE(parse_ok({"wss://h/"}).probe.sni);
  CHECK(parse_ok({"--sni", "", "wss://h/"}).probe.sni == std::string{});
  CHECK(parse_ok({"--sni", "chat.example.com", "--host", "vhost.example", "wss://10.0.0.5/"}).probe.host_header ==
        std::string("vhost.example"));
}

TEST_CASE("proxy-protocol and all-addresses flags", "[cli][reach]") {
  CHECK(parse_ok({"--proxy-protocol", "v2", "ws://h/"}).probe.proxy_protocol == ProxyProtocolVersion::v2);
  CHECK(parse_ok({"--proxy-protocol", "v1", "ws://h/"}).probe.proxy_protocol == ProxyProtocolVersion::v1);
  parse_usage_error({"--proxy-protocol", "v3", "ws://h/"});
  CHECK(parse_ok({"--all-addresses", "wss://h/"}).all_addresses);
}

TEST_CASE("TLS versions, ALPN and ciphers are checked before probing", "[cli][tls-controls]") {
  auto cli = parse_ok({"--tls-min", "1.2", "--tls-max", "1.3", "--alpn", "h2,http/1.1", "wss://h/"});
  CHECK(cli.probe.tls_min == std::string("1.2"));
  CHECK(cli.probe.tls_max == std::string("1.3"));
  CHECK(cli.probe.alpn == std::vector<std::string>{"h2", "http/1.1"});
  CHECK(parse_ok({"--alpn", "none", "wss://h/"}).probe.alpn.empty());
  CHECK(parse_ok({"wss://h/"}).probe.alpn == std::vector<std::string>{"http/1.1"});
  CHECK(contains(parse_usage_error({"--tls-min", "1.4", "wss://h/"}), "--tls-min"));
  CHECK(contains(parse_usage_error({"--tls-min", "1.3", "--tls-max", "1.2", "wss://h/"}), "above --tls-max"));
  CHECK(contains(parse_usage_error({"--alpn", "h2,,x", "wss://h/"}), "--alpn"));
  CHECK(contains(parse_usage_error({"--ciphers", "", "wss://h/"}), "--ciphers"));
  CHECK(parse_ok({"--cert-warn-days", "30", "wss://h/"}).probe.cert_warn_days == 30);
  CHECK(parse_ok({"wss://h/"}).probe.cert_warn_days == 14);
  parse_usage_error({"--cert-warn-days", "-1", "wss://h/"});
}

TEST_CASE("A client cert must exist and --key needs it", "[cli][tls-controls]") {
  lab::TempDir dir;
  const auto cert = write_file(dir, "client.pem", "not checked here");
  CHECK(parse_ok({"--cert", cert, "wss://h/"}).probe.client_cert_file == cert);
  parse_usage_error({"--cert", (dir.path() / "missing.pem").string(), "wss://h/"});
  CHECK(contains(parse_usage_error({"--key", cert, "wss://h/"}), "--key needs --cert"));
}

TEST_CASE("Headers from @FILE: one a line, a bad line named", "[cli][request]") {
  lab::TempDir dir;
  const auto good = write_file(dir, "headers.txt", "# team headers\r\nX-Team: sre\r\n\r\nAuthorization: Bearer abc\n");
  auto cli = parse_ok({"-H", "@" + good, "-H", "X-Extra: 1", "wss://h/"});
  REQUIRE(cli.probe.headers.size() == 3);
  CHECK(cli.probe.headers[0].name == "X-Team");
  CHECK(cli.probe.headers[0].value == "sre");
  CHECK(cli.probe.headers[1].name == "Authorization");
  CHECK(cli.probe.headers[2].name == "X-Extra");

  const auto bad = write_file(dir, "bad.txt", "X-Ok: 1\nno colon here\n");
  const auto message = parse_usage_error({"-H", "@" + bad, "wss://h/"});
  CHECK(contains(message, "line 2"));
  CHECK(contains(message, "no colon here"));
  CHECK(contains(parse_usage_error({"-H", "@" + (dir.path() / "missing").string(), "wss://h/"}), "cannot read"));
}

TEST_CASE("message TEXT or @FILE, binary, expect", "[cli][request]") {
  lab::TempDir dir;
  std::string bytes("\x01\x02\x00\xff", 4);
  const auto file = write_file(dir, "frame.bin", bytes);
  auto cli = parse_ok({"--message", "@" + file, "--binary", "--expect", "^pong$", "ws://h/"});
  CHECK(cli.probe.message == bytes);
  CHECK(cli.probe.binary);
  CHECK(cli.probe.expect == std::string("^pong$"));
  CHECK(parse_ok({"--message", "{\"op\":\"ping\"}", "ws://h/"}).probe.message == std::string("{\"op\":\"ping\"}"));
  CHECK(contains(parse_usage_error({"--message", "", "ws://h/"}), "empty"));
  CHECK(contains(parse_usage_error({"--expect", "(unclosed", "ws://h/"}), "not a regular expression"));
  const auto ua = parse_ok({"-A", "Mozilla/5.0", "--compress", "ws://h/"});
  CHECK(ua.probe.user_agent == std::string("Mozilla/5.0"));
  CHECK(ua.probe.compress);
}

TEST_CASE("A proxy URL is parsed, its password never reaches argv, and --all-addresses refuses an HTTP proxy",
          "[cli][proxy]") {
  auto cli = parse_ok({"--proxy", "http://alice:s3cret@127.0.0.1:3128", "wss://h/"});
  const auto& proxy = only_target(cli).proxy;
  REQUIRE(proxy);
  CHECK(proxy->scheme == ProxyScheme::http);
  CHECK(proxy->host == "127.0.0.1");
  CHECK(proxy->port == 3128);
  CHECK(proxy->username == std::string("alice"));
  CHECK(proxy->source == "--proxy");
  for (const auto& arg : cli.argv) CHECK_FALSE(contains(arg, "s3cret"));
  CHECK(contains(parse_usage_error({"--all-addresses", "--proxy", "http://127.0.0.1:3128", "wss://h/"}), "--all-addresses"));
  CHECK(parse_ok({"--all-addresses", "--proxy", "socks5://127.0.0.1:1080", "wss://h/"}).all_addresses);
  CHECK_FALSE(only_target(parse_ok({"--proxy", "", "wss://h/"})).proxy);
}

// ---------------------------------------------------------------------------------------------
// Many targets, outputs, run limits and assertions (issue 6)

TEST_CASE("Several URL arguments are several targets, in order, each with the global options", "[cli][targets]") {
  const auto cli = parse_ok({"--timeout", "7s", "-H", "X-Team: sre", "wss://a.example/ws", "ws://b.example:8080/",
                             "--proxy", "", "wss://c.example/"});
  REQUIRE(cli.targets.size() == 3);
  CHECK(cli.targets[0].target.host == "a.example");
  CHECK(cli.targets[1].target.host == "b.example");
  CHECK(cli.targets[1].target.port == 8080);
  CHECK(cli.targets[2].target.host == "c.example");
  for (const auto& target : cli.targets) {
    CHECK(target.budgets.total == 7s);
    REQUIRE(target.headers.size() == 1);
    CHECK(target.headers[0].value == "sre");
    CHECK_FALSE(target.proxy);
  }
  // The global options themselves aim at nothing.
  CHECK(cli.probe.target.host.empty());
  CHECK(contains(parse_usage_error({"wss://a.example/", "http://b.example/"}), "did you mean ws://"));
}

TEST_CASE("demo and causes stay the first argument, alone", "[cli][targets]") {
  CHECK(parse_ok({"demo", "--count", "2"}).demo);
  CHECK(parse_ok({"causes"}).list_causes);
  CHECK(parse_ok({"causes"}).targets.empty());
  CHECK(contains(parse_usage_error({"demo", "wss://a.example/"}), "'demo' takes no URLs"));
  CHECK(contains(parse_usage_error({"causes", "--targets", "x.txt"}), "'causes' takes no URLs"));
}

TEST_CASE("Option --name names the one target, --tag labels every target", "[cli][targets]") {
  const auto one = parse_ok({"--name", "api-eu", "--tag", "prod", "--tag", "eu", "--tag", "prod", "wss://a.example/"});
  CHECK(only_target(one).target.name == std::string("api-eu"));
  CHECK(only_target(one).target.tags == std::vector<std::string>{"prod", "eu"});
  const auto two = parse_ok({"--tag", "prod", "wss://a.example/", "wss://b.example/"});
  for (const auto& target : two.targets) CHECK(target.target.tags == std::vector<std::string>{"prod"});
  CHECK(contains(parse_usage_error({"--name", "api", "wss://a.example/", "wss://b.example/"}),
                 "--name names one target"));
  CHECK(contains(parse_usage_error({"--name", "", "wss://a.example/"}), "--name: '' is not a name"));
  CHECK(contains(parse_usage_error({"--tag", "line\nbreak", "wss://a.example/"}), "--tag: "));
}

TEST_CASE("Option -j/--concurrency takes 1 to 256, default 1", "[cli][targets]") {
  CHECK(parse_ok({"wss://a.example/"}).concurrency == 1);
  CHECK(parse_ok({"-j", "8", "wss://a.example/"}).concurrency == 8);
  CHECK(parse_ok({"-j4", "wss://a.example/"}).concurrency == 4);
  CHECK(parse_ok({"--concurrency", "256", "wss://a.example/"}).concurrency == 256);
  for (const char* bad : {"0", "257", "many", "-1"}) {
    INFO("-j " << bad);
    CHECK(contains(parse_usage_error({"-j", bad, "wss://a.example/"}), "concurrency"));
  }
}

TEST_CASE("Option --deadline bounds the whole run", "[cli][targets]") {
  CHECK_FALSE(parse_ok({"wss://a.example/"}).deadline);
  CHECK(parse_ok({"--deadline", "2m", "wss://a.example/"}).deadline == 120s);
  CHECK(parse_ok({"--deadline", "1500ms", "wss://a.example/"}).deadline == 1500ms);
  CHECK(contains(parse_usage_error({"--deadline", "0", "wss://a.example/"}), "--deadline: '0' is not a duration"));
  CHECK(contains(parse_usage_error({"--deadline", "soon", "wss://a.example/"}), "--deadline: 'soon'"));
}

std::vector<std::pair<OutputFormat, std::string>> outputs_of(const CliOptions& cli) {
  std::vector<std::pair<OutputFormat, std::string>> out;
  for (const auto& o : cli.outputs) out.emplace_back(o.format, o.path);
  return out;
}

TEST_CASE("Outputs: several at once, each to a file or to stdout", "[cli][outputs]") {
  using F = OutputFormat;
  CHECK(parse_ok({"wss://a.example/"}).outputs.empty());
  const auto all = parse_ok({"--json", "r.json", "--jsonl", "--junit", "r.xml", "--prometheus", "wsprobe.prom",
                             "--markdown", "ticket.md", "wss://a.example/"});
  CHECK(outputs_of(all) == std::vector<std::pair<F, std::string>>{{F::json, "r.json"},
                                                                  {F::jsonl, "-"},
                                                                  {F::junit, "r.xml"},
                                                                  {F::prometheus, "wsprobe.prom"},
                                                                  {F::markdown, "ticket.md"}});
  SECTION("--jsonl takes an optional FILE as --json does") {
    CHECK(outputs_of(parse_ok({"--jsonl", "out.jsonl", "wss://a.example/"})) ==
          std::vector<std::pair<F, std::string>>{{F::jsonl, "out.jsonl"}});
    CHECK(outputs_of(parse_ok({"--jsonl=o.jsonl", "wss://a.example/"})) ==
          std::vector<std::pair<F, std::string>>{{F::jsonl, "o.jsonl"}});
    CHECK(outputs_of(parse_ok({"--jsonl", "wss://a.example/"})) == std::vector<std::pair<F, std::string>>{{F::jsonl, "-"}});
    CHECK(outputs_of(parse_ok({"wss://a.example/", "--jsonl", "-v"})) ==
          std::vector<std::pair<F, std::string>>{{F::jsonl, "-"}});
  }
  SECTION("FILE '-' is stdout") {
    CHECK(outputs_of(parse_ok({"--junit", "-", "wss://a.example/"})) == std::vector<std::pair<F, std::string>>{{F::junit, "-"}});
    CHECK(outputs_of(parse_ok({"--json=-", "wss://a.example/"})) == std::vector<std::pair<F, std::string>>{{F::json, "-"}});
  }
  SECTION("at most one report on stdout, one report per file") {
    CHECK(contains(parse_usage_error({"--json", "--junit", "-", "wss://a.example/"}),
                   "only one report can go to stdout: --json and --junit both write to '-'"));
    CHECK(contains(parse_usage_error({"--json", "--jsonl", "wss://a.example/"}), "only one report can go to stdout"));
    CHECK(contains(parse_usage_error({"--junit", "r.txt", "--markdown", "r.txt", "wss://a.example/"}),
                   "--junit and --markdown both write to r.txt"));
    CHECK(contains(parse_usage_error({"--prometheus", "", "wss://a.example/"}), "--prometheus: the FILE is empty"));
    CHECK(contains(parse_usage_error({"--json", "a.json", "--json", "b.json", "wss://a.example/"}),
                   "--json FILE is given twice"));
    CHECK(contains(parse_usage_error({"wss://a.example/", "--junit"}), "--junit"));
  }
}

TEST_CASE("Assertion flags apply to every target", "[cli][assertions]") {
  const auto cli = parse_ok({"--max-latency", "p95=200ms", "--max-latency", "max=1s", "--max-latency", "p95=150ms",
                             "--max-stage", "tls=300ms", "--max-stage", "dns=0.5ms", "--min-cert-days", "14",
                             "--expect-subprotocol", "chat.v2", "--expect-status", "101", "--fail-on", "warn",
                             "--subprotocol", "chat.v1", "wss://a.example/", "wss://b.example/"});
  REQUIRE(cli.targets.size() == 2);
  for (const auto& target : cli.targets) {
    const auto& a = target.assertions;
    // A second limit on the same quantile replaces the first.
    REQUIRE(a.max_latency.size() == 2);
    CHECK(a.max_latency[0].quantile == "max");
    CHECK(a.max_latency[0].limit == 1s);
    CHECK(a.max_latency[1].quantile == "p95");
    CHECK(a.max_latency[1].limit == 150ms);
    CHECK(a.max_latency[1].flag == "p95=150ms");
    REQUIRE(a.max_stage.size() == 2);
    CHECK(a.max_stage[0].stage == Stage::tls);
    CHECK(a.max_stage[0].limit == 300ms);
    CHECK(a.max_stage[0].flag == "tls=300ms");
    CHECK(a.max_stage[1].stage == Stage::dns);
    CHECK(a.max_stage[1].limit == 500us);
    CHECK(a.min_cert_days == 14);
    CHECK(a.expect_subprotocol == std::string("chat.v2"));
    CHECK(a.expect_status == 101);
    CHECK(a.fail_on == FailOn::warn);
    // The expected subprotocol is offered too, after those asked for.
    CHECK(target.subprotocols == std::vector<std::string>{"chat.v1", "chat.v2"});
  }
  const auto plain = parse_ok({"wss://a.example/"});
  CHECK(only_target(plain).assertions.empty());
  CHECK(only_target(plain).assertions.fail_on == FailOn::fail);
  CHECK(parse_ok({"--fail-on", "fail", "wss://a.example/"}).probe.assertions.fail_on == FailOn::fail);
  // Already offered: not offered twice.
  CHECK(only_target(parse_ok({"--subprotocol", "x", "--expect-subprotocol", "x", "wss://a.example/"})).subprotocols ==
        std::vector<std::string>{"x"});
  for (const char* quantile : {"min", "p50", "p90", "p95", "p99", "max", "mean"})
    CHECK(only_target(parse_ok({"--max-latency", std::string(quantile) + "=1s", "wss://a.example/"}))
              .assertions.max_latency.at(0).quantile == quantile);
  for (const char* stage : {"dns", "proxy", "tcp", "tls", "upgrade", "echo", "hold", "close"})
    CHECK(to_string(only_target(parse_ok({"--max-stage", std::string(stage) + "=1s", "wss://a.example/"}))
                        .assertions.max_stage.at(0).stage) == stage);
}

TEST_CASE("Assertion flags refuse nonsense, naming the flag and the value", "[cli][assertions]") {
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  const Bad bad[] = {
      {{"--max-stage", "tls=fast"}, "wsprobe: --max-stage: 'tls=fast' is not STAGE=DURATION (e.g. tls=300ms)"},
      {{"--max-stage", "tls"}, "--max-stage: 'tls' is not STAGE=DURATION"},
      {{"--max-stage", "tls=0ms"}, "--max-stage: 'tls=0ms' is not STAGE=DURATION"},
      {{"--max-stage", "ssl=300ms"}, "--max-stage: 'ssl=300ms': 'ssl' is not a stage (dns, proxy, tcp, tls, upgrade"},
      {{"--max-latency", "p95"}, "--max-latency: 'p95' is not QUANTILE=DURATION (e.g. p95=200ms)"},
      {{"--max-latency", "p95=-1s"}, "--max-latency: 'p95=-1s' is not QUANTILE=DURATION"},
      {{"--max-latency", "p42=1s"}, "'p42' is not a quantile (min, p50, p90, p95, p99, max, mean)"},
      {{"--min-cert-days", "-1"}, "--min-cert-days"},
      {{"--min-cert-days", "soon"}, "--min-cert-days"},
      {{"--expect-status", "99"}, "--expect-status"},
      {{"--expect-status", "600"}, "--expect-status"},
      {{"--expect-subprotocol", "a b"}, "--expect-subprotocol: 'a b' is not a subprotocol name"},
      {{"--expect-subprotocol", ""}, "--expect-subprotocol: '' is not a subprotocol name"},
      {{"--fail-on", "error"}, "--fail-on"},
  };
  for (auto [args, says] : bad) {
    args.push_back("wss://a.example/");
    INFO(args[0] << " " << args[1]);
    CHECK_THAT(parse_usage_error(args), Catch::Contains(says));
  }
}

TEST_CASE("The targets come from stdin with '-' or --targets -, once", "[cli][targets]") {
  std::istringstream in("wss://s1.example/ --name one\n# a comment\n\nwss://s2.example/\n");
  std::vector<const char*> argv{"wsprobe", "wss://arg.example/", "-", "--timeout", "9s"};
  const auto parsed = parse_cli(static_cast<int>(argv.size()), argv.data(), &in);
  INFO(parsed.message);
  REQUIRE(parsed.options);
  const auto& targets = parsed.options->targets;
  REQUIRE(targets.size() == 3);
  CHECK(targets[0].target.host == "arg.example");
  CHECK(targets[1].target.host == "s1.example");
  CHECK(targets[1].target.name == std::string("one"));
  CHECK(targets[2].target.host == "s2.example");
  CHECK(targets[2].budgets.total == 9s);

  std::istringstream again("wss://s1.example/\n");
  std::vector<const char*> via_flag{"wsprobe", "--targets", "-"};
  const auto flagged = parse_cli(static_cast<int>(via_flag.size()), via_flag.data(), &again);
  INFO(flagged.message);
  REQUIRE(flagged.options);
  CHECK(flagged.options->targets.size() == 1);

  std::istringstream twice("wss://s1.example/\n");
  std::vector<const char*> both{"wsprobe", "--targets", "-", "-"};
  const auto refused = parse_cli(static_cast<int>(both.size()), both.data(), &twice);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.message, "stdin can be read once"));

  std::istringstream empty("# nothing yet\n");
  std::vector<const char*> none{"wsprobe", "-"};
  const auto nothing = parse_cli(static_cast<int>(none.size()), none.data(), &empty);
  CHECK(nothing.exit_code == 2);
  CHECK(contains(nothing.message, "no targets: stdin lists none"));
}

TEST_CASE("Option --json then '-' is JSON on stdout and the targets on stdin", "[cli][targets]") {
  std::istringstream in("wss://s1.example/\n");
  std::vector<const char*> argv{"wsprobe", "--json", "-"};
  const auto parsed = parse_cli(static_cast<int>(argv.size()), argv.data(), &in);
  INFO(parsed.message);
  REQUIRE(parsed.options);
  CHECK(json_stdout(*parsed.options));
  CHECK(parsed.options->targets.size() == 1);
}

TEST_CASE("New options keep secrets out of argv: attached -x, --targets", "[cli][targets]") {
  lab::TempDir dir;
  const auto file = dir.write("t.txt", "wss://a.example/ -H 'Authorization: Bearer f1le-s3cret'\n").string();
  const auto cli = parse_ok({"-xhttp://alice:pr0xy-s3cret@127.0.0.1:3128", "--targets", file, "--junit", "r.xml",
                             "--max-stage", "tls=300ms", "-H", "Cookie: sid=c00kie"});
  for (const auto& arg : cli.argv) {
    CHECK_FALSE(contains(arg, "pr0xy-s3cret"));
    CHECK_FALSE(contains(arg, "f1le-s3cret"));
    CHECK_FALSE(contains(arg, "c00kie"));
  }
  CHECK(any_contains(cli.argv, file));
  CHECK(any_contains(cli.argv, "tls=300ms"));
  REQUIRE(cli.targets.size() == 1);
  CHECK(cli.targets[0].headers.size() == 2);  // sent as given
}

TEST_CASE("The help shows every new option, the optional FILEs, and a targets example", "[cli][targets]") {
  const auto help = parse_args({"--help"}).message;
  for (const char* text : {"--jsonl [FILE]", "--json [FILE]", "--junit", "--prometheus", "--markdown", "--targets",
                           "--concurrency", "--deadline", "--max-latency", "--max-stage", "--min-cert-days",
                           "--expect-subprotocol", "--expect-status", "--fail-on", "--name", "--tag",
                           "--targets env.yaml", "--junit report.xml"}) {
    INFO(text);
    CHECK(contains(help, text));
  }
}

}  // namespace
}  // namespace wsprobe

namespace wsprobe {
namespace {

// Issue 11: each of these was probed (and blamed on the server) instead of refused.
TEST_CASE("user mistakes are usage errors that name the option", "[cli]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--timeout", "1e3", "ws://h/"}, "--timeout"},
      {{"ws://h:99999/"}, "99999"},
      {{"--dns-server", "garbage", "ws://h/"}, "--dns-server"},
      {{"--dns-server", "10.0.0.2:70000", "ws://h/"}, "--dns-server"},
      {{"--echo", "off", "--expect", "x", "ws://h/"}, "--expect"},
      {{"--echo", "off", "--message", "x", "ws://h/"}, "--message"},
  };
  for (const auto& [args, named] : cases) {
    const auto parsed = parse_args(args);
    INFO(parsed.message);
    CHECK(parsed.exit_code == 2);
    CHECK_FALSE(parsed.options);
    CHECK_THAT(parsed.message, Catch::Contains(named));
  }
}

TEST_CASE("schemes are case-insensitive and --dns-server takes numeric addresses with a port", "[cli]") {
  CHECK(parse_ok({"WS://h/"}).targets.at(0).target.secure == false);
  CHECK(parse_ok({"Wss://h/"}).targets.at(0).target.secure == true);
  CHECK(parse_ok({"ws://h:65535/"}).targets.at(0).target.port == 65535);
  for (const auto* server : {"10.0.0.2", "10.0.0.2:5353", "::1", "[::1]:53"})
    CHECK(parse_ok({"--dns-server", server, "ws://h/"}).targets.at(0).dns_server == std::string(server));
}

TEST_CASE("usage errors escape control bytes from argv", "[cli]") {
  const auto parsed = parse_args({"--timeout", "\x1b]0;x\x07", "ws://h/"});
  CHECK(parsed.exit_code == 2);
  CHECK(parsed.message.find('\x1b') == std::string::npos);
  CHECK_THAT(parsed.message, Catch::Contains("\\x1b"));
}

}  // namespace
}  // namespace wsprobe

// parse_cli for the issue-4 options: what reaching the endpoint, TLS and request flags become,
// and what the CLI refuses before anything is probed (exit 2, a message naming the flag).
#include <catch2/catch.hpp>

#include "app/cli.hpp"
#include "probe/lab/certs.hpp"

namespace wsprobe {
namespace {

CliParse parse(std::vector<std::string> args) {
  args.insert(args.begin(), "wsprobe");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return parse_cli(static_cast<int>(argv.size()), argv.data());
}

CliOptions parse_ok(std::vector<std::string> args) {
  auto parsed = parse(std::move(args));
  INFO("exit " << parsed.exit_code << ": " << parsed.message);
  REQUIRE(parsed.options);
  return std::move(*parsed.options);
}

std::string usage_error(std::vector<std::string> args) {
  auto parsed = parse(std::move(args));
  REQUIRE_FALSE(parsed.options);
  CHECK(parsed.exit_code == 2);
  return parsed.message;
}

std::string write_file(const lab::TempDir& dir, const std::string& name, const std::string& content) {
  return dir.write(name, content).string();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
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

  CHECK(contains(usage_error({"--connect-to", "a:443:b", "wss://a/"}), "--connect-to"));
  CHECK(contains(usage_error({"--connect-to", "a:99999:b:1", "wss://a/"}), "HOST:PORT:HOST2:PORT2"));
}

TEST_CASE("The -4 and -6 flags pick a family and exclude each other", "[cli][reach]") {
  CHECK(parse_ok({"-4", "wss://h/"}).probe.family == AddressFamily::v4);
  CHECK(parse_ok({"--ipv6", "wss://h/"}).probe.family == AddressFamily::v6);
  CHECK(parse_ok({"wss://h/"}).probe.family == AddressFamily::any);
  CHECK(contains(usage_error({"-4", "-6", "wss://h/"}), "exclude"));
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
  usage_error({"--proxy-protocol", "v3", "ws://h/"});
  CHECK(parse_ok({"--all-addresses", "wss://h/"}).all_addresses);
}

TEST_CASE("TLS versions, ALPN and ciphers are checked before probing", "[cli][tls-controls]") {
  auto cli = parse_ok({"--tls-min", "1.2", "--tls-max", "1.3", "--alpn", "h2,http/1.1", "wss://h/"});
  CHECK(cli.probe.tls_min == std::string("1.2"));
  CHECK(cli.probe.tls_max == std::string("1.3"));
  CHECK(cli.probe.alpn == std::vector<std::string>{"h2", "http/1.1"});
  CHECK(parse_ok({"--alpn", "none", "wss://h/"}).probe.alpn.empty());
  CHECK(parse_ok({"wss://h/"}).probe.alpn == std::vector<std::string>{"http/1.1"});
  CHECK(contains(usage_error({"--tls-min", "1.4", "wss://h/"}), "--tls-min"));
  CHECK(contains(usage_error({"--tls-min", "1.3", "--tls-max", "1.2", "wss://h/"}), "above --tls-max"));
  CHECK(contains(usage_error({"--alpn", "h2,,x", "wss://h/"}), "--alpn"));
  CHECK(contains(usage_error({"--ciphers", "", "wss://h/"}), "--ciphers"));
  CHECK(parse_ok({"--cert-warn-days", "30", "wss://h/"}).probe.cert_warn_days == 30);
  CHECK(parse_ok({"wss://h/"}).probe.cert_warn_days == 14);
  usage_error({"--cert-warn-days", "-1", "wss://h/"});
}

TEST_CASE("A client cert must exist and --key needs it", "[cli][tls-controls]") {
  lab::TempDir dir;
  const auto cert = write_file(dir, "client.pem", "not checked here");
  CHECK(parse_ok({"--cert", cert, "wss://h/"}).probe.client_cert_file == cert);
  usage_error({"--cert", (dir.path() / "missing.pem").string(), "wss://h/"});
  CHECK(contains(usage_error({"--key", cert, "wss://h/"}), "--key needs --cert"));
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
  const auto message = usage_error({"-H", "@" + bad, "wss://h/"});
  CHECK(contains(message, "line 2"));
  CHECK(contains(message, "no colon here"));
  CHECK(contains(usage_error({"-H", "@" + (dir.path() / "missing").string(), "wss://h/"}), "cannot read"));
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
  CHECK(contains(usage_error({"--message", "", "ws://h/"}), "empty"));
  CHECK(contains(usage_error({"--expect", "(unclosed", "ws://h/"}), "not a regular expression"));
  const auto ua = parse_ok({"-A", "Mozilla/5.0", "--compress", "ws://h/"});
  CHECK(ua.probe.user_agent == std::string("Mozilla/5.0"));
  CHECK(ua.probe.compress);
}

TEST_CASE("A proxy URL is parsed, its password never reaches argv, and --all-addresses refuses an HTTP proxy",
          "[cli][proxy]") {
  auto cli = parse_ok({"--proxy", "http://alice:s3cret@127.0.0.1:3128", "wss://h/"});
  REQUIRE(cli.probe.proxy);
  CHECK(cli.probe.proxy->scheme == ProxyScheme::http);
  CHECK(cli.probe.proxy->host == "127.0.0.1");
  CHECK(cli.probe.proxy->port == 3128);
  CHECK(cli.probe.proxy->username == std::string("alice"));
  CHECK(cli.probe.proxy->source == "--proxy");
  for (const auto& arg : cli.argv) CHECK_FALSE(contains(arg, "s3cret"));
  CHECK(contains(usage_error({"--all-addresses", "--proxy", "http://127.0.0.1:3128", "wss://h/"}), "--all-addresses"));
  CHECK(parse_ok({"--all-addresses", "--proxy", "socks5://127.0.0.1:1080", "wss://h/"}).all_addresses);
  CHECK_FALSE(parse_ok({"--proxy", "", "wss://h/"}).probe.proxy);
}

}  // namespace
}  // namespace wsprobe

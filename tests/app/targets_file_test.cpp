// Targets files (issue 6): one target a line, JSON and YAML lists, each entry's options on top of
// the command line's, errors naming the file and the line, and the bounds.
#include <catch2/catch.hpp>

#include "app/cli.hpp"
#include "app/targets_file.hpp"
#include "probe/lab/certs.hpp"
#include "support/parse_args.hpp"

namespace wsprobe {
namespace {

using namespace std::chrono_literals;
using test::parse_args;

std::vector<ProbeOptions> targets_of(std::vector<std::string> args, const std::string& stdin_text = {}) {
  auto parsed = parse_args(std::move(args), stdin_text);
  INFO("exit " << parsed.exit_code << ": " << parsed.message);
  REQUIRE(parsed.options);
  return parsed.options->targets;
}

// The usage error's first line (without the --help hint).
std::string error_of(std::vector<std::string> args, const std::string& stdin_text = {}) {
  auto parsed = parse_args(std::move(args), stdin_text);
  REQUIRE_FALSE(parsed.options);
  CHECK(parsed.exit_code == 2);
  return parsed.message.substr(0, parsed.message.find('\n'));
}

std::vector<std::string> words(std::string_view line) {
  std::string error;
  auto out = split_shell_words(line, error);
  INFO(error);
  REQUIRE(out);
  return *out;
}

// ---------------------------------------------------------------------------------------------
// Reading the formats

TEST_CASE("Targets lines split as a shell splits words", "[targets-file]") {
  using W = std::vector<std::string>;
  CHECK(words("wss://a/ --name api") == W{"wss://a/", "--name", "api"});
  CHECK(words("  wss://a/\t-H 'Authorization: Bearer x'  ") == W{"wss://a/", "-H", "Authorization: Bearer x"});
  CHECK(words(R"(-H "X-Quote: say \"hi\" \\o/ \n" --sni '')") == W{"-H", R"(X-Quote: say "hi" \o/ \n)", "--sni", ""});
  CHECK(words(R"(--message it\'s\ fine)") == W{"--message", "it's fine"});
  CHECK(words("wss://a/#not-a-comment # a comment 'unclosed") == W{"wss://a/#not-a-comment"});
  CHECK(words("# only a comment").empty());
  CHECK(words("").empty());
  std::string error;
  CHECK_FALSE(split_shell_words("wss://a/ -H 'open", error));
  CHECK(error == "a single quote is not closed");
  CHECK_FALSE(split_shell_words(R"(wss://a/ -H "open)", error));
  CHECK(error == "a double quote is not closed");
  CHECK_FALSE(split_shell_words("wss://a/ \\", error));
}

TEST_CASE("The format is chosen by extension, else by content", "[targets-file]") {
  CHECK(detect_targets_format("env.json", "wss://a/") == TargetsFormat::structured);
  CHECK(detect_targets_format("env.YAML", "wss://a/") == TargetsFormat::structured);
  CHECK(detect_targets_format("env.yml", "") == TargetsFormat::structured);
  CHECK(detect_targets_format("stdin", "  \n [{\"url\": \"wss://a/\"}]") == TargetsFormat::structured);
  CHECK(detect_targets_format("stdin", "{\"targets\": []}") == TargetsFormat::structured);
  CHECK(detect_targets_format("env.txt", "# fleet\n- url: wss://a/\n") == TargetsFormat::structured);
  CHECK(detect_targets_format("env", "targets:\n  - wss://a/\n") == TargetsFormat::structured);
  CHECK(detect_targets_format("env.txt", "wss://a/ --tag x\n# - not yaml\n") == TargetsFormat::lines);
  CHECK(detect_targets_format("stdin", "") == TargetsFormat::lines);
}

// ---------------------------------------------------------------------------------------------
// One fleet, three formats: the same targets with the same options

constexpr const char* kLines = R"(# production fleet
wss://api.example.com/ws --name api --tag prod --tag eu -H 'Authorization: Bearer x' --timeout 5s --max-stage tls=300ms

ws://plain.example.com:8080/chat --expect-status 101 --subprotocol a --subprotocol b --max-latency p95=200ms --insecure --echo off
)";

constexpr const char* kYaml = R"(# production fleet
targets:
  - url: wss://api.example.com/ws
    name: api
    tags: [prod, eu]
    headers:
      Authorization: Bearer x
    timeout: 5s
    max-stage: {tls: 300ms}
  - url: ws://plain.example.com:8080/chat
    expect-status: 101
    subprotocol: [a, b]
    max-latency: p95=200ms
    insecure: true
    echo: "off"
)";

constexpr const char* kJson = R"([
  {"url": "wss://api.example.com/ws", "name": "api", "tags": ["prod", "eu"],
   "headers": ["Authorization: Bearer x"], "timeout": "5s", "max-stage": ["tls=300ms"]},
  {"url": "ws://plain.example.com:8080/chat", "expect-status": 101, "subprotocol": ["a", "b"],
   "max-latency": {"p95": "200ms"}, "insecure": true, "echo": "off"}
]
)";

void check_fleet(const std::vector<ProbeOptions>& targets) {
  REQUIRE(targets.size() == 3);
  const auto& api = targets[0];
  CHECK(api.target.host == "api.example.com");
  CHECK(api.target.name == std::string("api"));
  CHECK(api.target.tags == std::vector<std::string>{"global", "prod", "eu"});
  // -H adds to the command line's headers.
  REQUIRE(api.headers.size() == 2);
  CHECK(api.headers[0].name == "X-Team");
  CHECK(api.headers[1].name == "Authorization");
  CHECK(api.headers[1].value == "Bearer x");
  // --timeout replaces the command line's; what the entry does not give stays.
  CHECK(api.budgets.total == 5s);
  CHECK(api.budgets.tls == 2s);
  CHECK(api.count == 3);
  CHECK(api.echo == EchoMode::require);
  CHECK_FALSE(api.insecure);
  REQUIRE(api.assertions.max_stage.size() == 1);
  CHECK(api.assertions.max_stage[0].stage == Stage::tls);
  CHECK(api.assertions.max_stage[0].limit == 300ms);
  CHECK(api.assertions.min_cert_days == 14);
  CHECK_FALSE(api.assertions.expect_status);

  const auto& plain = targets[1];
  CHECK(plain.target.host == "plain.example.com");
  CHECK(plain.target.port == 8080);
  CHECK_FALSE(plain.target.name);
  CHECK(plain.target.tags == std::vector<std::string>{"global"});
  CHECK(plain.headers.size() == 1);
  CHECK(plain.budgets.total == 20s);
  CHECK(plain.assertions.expect_status == 101);
  CHECK(plain.subprotocols == std::vector<std::string>{"a", "b"});
  REQUIRE(plain.assertions.max_latency.size() == 1);
  CHECK(plain.assertions.max_latency[0].quantile == "p95");
  CHECK(plain.assertions.max_latency[0].limit == 200ms);
  CHECK(plain.insecure);
  CHECK(plain.echo == EchoMode::off);
  CHECK(plain.assertions.min_cert_days == 14);

  // The command line's own target comes after the file's, as it was given after the file.
  CHECK(targets[2].target.host == "stdin.example.com");
}

TEST_CASE("One fleet as lines, YAML and JSON: each entry's options land on its target", "[targets-file]") {
  lab::TempDir dir;
  const std::vector<std::string> global{"--timeout", "20s", "--tls-timeout", "2s", "--count", "3", "--echo",
                                        "require", "-H", "X-Team: sre", "--tag", "global", "--min-cert-days", "14"};
  for (const auto& [name, content] : {std::pair{"fleet.txt", kLines}, std::pair{"fleet.yaml", kYaml},
                                      std::pair{"fleet.json", kJson}, std::pair{"fleet-json-no-extension", kJson},
                                      std::pair{"fleet-yaml-no-extension", kYaml}}) {
    INFO(name);
    auto args = global;
    args.push_back("--targets");
    args.push_back(dir.write(name, content).string());
    args.push_back("-");
    check_fleet(targets_of(args, "wss://stdin.example.com/\n"));
  }
}

TEST_CASE("Stdin takes any of the three formats", "[targets-file]") {
  for (const char* content : {kLines, kYaml, kJson}) {
    const auto targets = targets_of({"-"}, content);
    REQUIRE(targets.size() == 2);
    CHECK(targets[0].target.name == std::string("api"));
    CHECK(targets[1].assertions.expect_status == 101);
  }
}

TEST_CASE("Targets keep input order: URL arguments, then files in order, then stdin", "[targets-file]") {
  lab::TempDir dir;
  const auto first = dir.write("first.txt", "wss://f1.example/\nwss://f2.example/\n").string();
  const auto second = dir.write("second.yaml", "- wss://y1.example/\n- url: wss://y2.example/\n").string();
  const auto targets = targets_of({"-", "--targets", first, "wss://arg1.example/", "--targets", second,
                                   "wss://arg2.example/"},
                                  "wss://stdin.example/\n");
  std::vector<std::string> hosts;
  for (const auto& t : targets) hosts.push_back(t.target.host);
  CHECK(hosts == std::vector<std::string>{"arg1.example", "arg2.example", "f1.example", "f2.example", "y1.example",
                                          "y2.example", "stdin.example"});
}

TEST_CASE("An entry changes only what it gives: defaults never reset the command line's", "[targets-file]") {
  const auto targets = targets_of({"-k", "--echo", "require", "--alpn", "h2", "--hold", "30s", "--proxy",
                                   "http://127.0.0.1:3128", "--max-stage", "tls=300ms", "--max-stage", "dns=1s",
                                   "--fail-on", "warn", "--size", "4K", "--max-size", "16K", "-"},
                                  "wss://a.example/\n"
                                  "wss://b.example/ --insecure=false --echo auto --max-stage tls=1s --proxy '' "
                                  "--fail-on fail --size 8K\n"
                                  "wss://c.example/ --noproxy '*'\n");
  REQUIRE(targets.size() == 3);
  CHECK_FALSE(targets[2].proxy);
  const auto& a = targets[0];
  CHECK(a.insecure);
  CHECK(a.echo == EchoMode::require);
  CHECK(a.alpn == std::vector<std::string>{"h2"});
  CHECK(a.hold == 30s);
  REQUIRE(a.proxy);
  CHECK(a.proxy->port == 3128);
  CHECK(a.assertions.max_stage.size() == 2);
  CHECK(a.assertions.fail_on == FailOn::warn);
  CHECK(a.sweep_sizes == std::vector<std::size_t>{4096, 8192, 16384});

  const auto& b = targets[1];
  CHECK_FALSE(b.insecure);
  CHECK(b.echo == EchoMode::automatic);
  CHECK(b.alpn == std::vector<std::string>{"h2"});
  CHECK(b.hold == 30s);
  CHECK_FALSE(b.proxy);
  // The same stage replaces the command line's limit; the other stays.
  REQUIRE(b.assertions.max_stage.size() == 2);
  CHECK(b.assertions.max_stage[0].stage == Stage::dns);
  CHECK(b.assertions.max_stage[1].stage == Stage::tls);
  CHECK(b.assertions.max_stage[1].limit == 1s);
  CHECK(b.assertions.fail_on == FailOn::fail);
  // The entry's --size re-bases the command line's --max-size sweep.
  CHECK(b.message_size == 8192);
  CHECK(b.sweep_sizes == std::vector<std::size_t>{8192, 16384});
}

TEST_CASE("A URL in an entry is redacted for reports and sent as given", "[targets-file]") {
  const auto targets = targets_of({"-"}, "- url: wss://a.example/s?token=t0k3n\n");
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].target.url == "wss://a.example/s?token=REDACTED");
  CHECK(targets[0].target.resource == "/s?token=t0k3n");
}

TEST_CASE("A byte order mark and CRLF line ends are read as a Windows editor writes them", "[targets-file]") {
  for (const char* content : {"\xEF\xBB\xBFwss://a.example/ --name a\r\nwss://b.example/\r\n",
                              "\xEF\xBB\xBF[{\"url\": \"wss://a.example/\", \"name\": \"a\"},\r\n {\"url\": \"wss://b.example/\"}]",
                              "\xEF\xBB\xBF- url: wss://a.example/\r\n  name: a\r\n- wss://b.example/\r\n"}) {
    const auto targets = targets_of({"-"}, content);
    REQUIRE(targets.size() == 2);
    CHECK(targets[0].target.host == "a.example");
    CHECK(targets[0].target.name == std::string("a"));
    CHECK(targets[1].target.host == "b.example");
  }
}

TEST_CASE("Empty structured files and empty lists add no target", "[targets-file]") {
  CHECK(targets_of({"-", "wss://a.example/"}, "[]").size() == 1);
  CHECK(targets_of({"-", "wss://a.example/"}, "targets:\n").size() == 1);
  CHECK(targets_of({"-", "wss://a.example/"}, "# nothing\n").size() == 1);
}

// ---------------------------------------------------------------------------------------------
// Errors: exit 2, the file and the line, nothing probed

TEST_CASE("A bad option value names the file, the line and the option", "[targets-file]") {
  lab::TempDir dir;
  SECTION("YAML, the brief's example") {
    const auto path = dir.write("targets.yaml",
                                "# fleet\n"
                                "targets:\n"
                                "  - url: wss://a.example/\n"
                                "    name: a\n"
                                "  - url: wss://b.example/\n"
                                "    max-stage:\n"
                                "      tls: fast\n")
                          .string();
    CHECK(error_of({"--targets", path}) ==
          "wsprobe: " + path + " line 7: --max-stage: 'tls=fast' is not STAGE=DURATION (e.g. tls=300ms)");
  }
  SECTION("YAML, the second of two values of one option") {
    const auto path = dir.write("t.yml", "- url: wss://a.example/\n  max-latency:\n    - p95=1s\n    - p99=never\n").string();
    CHECK(error_of({"--targets", path}) == "wsprobe: " + path +
                                               " line 4: --max-latency: 'p99=never' is not QUANTILE=DURATION (e.g. p95=200ms)");
  }
  SECTION("lines") {
    const auto path = dir.write("t.txt", "wss://a.example/\n\n# next\nwss://b.example/ --count 0\n").string();
    const auto error = error_of({"--targets", path});
    CHECK_THAT(error, Catch::StartsWith("wsprobe: " + path + " line 4: --count"));
  }
  SECTION("JSON") {
    const auto path = dir.write("t.json", "[\n {\"url\": \"wss://a.example/\"},\n {\"url\": \"wss://b.example/\",\n  "
                                          "\"timeout\": \"soon\"}\n]\n")
                          .string();
    CHECK(error_of({"--targets", path}) ==
          "wsprobe: " + path + " line 4: --timeout: 'soon' is not a duration (e.g. 500ms, 5s, 2m)");
  }
  SECTION("a URL that is not ws:// names the entry's line") {
    CHECK(error_of({"-"}, "wss://a.example/\nhttps://b.example/ --name b\n") ==
          "wsprobe: stdin line 2: unsupported scheme 'https': use ws:// or wss:// (did you mean wss://?)");
  }
  SECTION("checks across options: an entry's --hold against the command line's --hold-ping") {
    CHECK(error_of({"--hold", "90s", "--hold-ping", "20s", "-"}, "wss://a.example/\nwss://b.example/ --hold 10s\n") ==
          "wsprobe: stdin line 2: --hold-ping 20s must be shorter than --hold 10s, or no keepalive is ever sent");
  }
  SECTION("a line without a URL") {
    CHECK(error_of({"-"}, "--name lonely\n") == "wsprobe: stdin line 1: no URL (a line starts with ws:// or wss://)");
  }
}

TEST_CASE("Syntax errors name the line: YAML, JSON, a lines quote", "[targets-file]") {
  lab::TempDir dir;
  const auto yaml = dir.write("bad.yaml", "- url: wss://a.example/\n  name: a\n - url: wss://b.example/\n").string();
  CHECK_THAT(error_of({"--targets", yaml}), Catch::StartsWith("wsprobe: " + yaml + " line 3: not valid YAML ("));
  const auto json = dir.write("bad.json", "[\n  {\"url\": \"wss://a.example/\"},\n  {\"url\": \"wss://b.example/\"\n]\n").string();
  CHECK_THAT(error_of({"--targets", json}), Catch::Matches("wsprobe: .*bad\\.json line [34]: not valid JSON \\(.+\\)"));
  CHECK(error_of({"-"}, "wss://a.example/\nwss://b.example/ -H 'X-A: open\n") ==
        "wsprobe: stdin line 2: a single quote is not closed");
}

TEST_CASE("Unknown keys and options, and command-line-only ones, name the line", "[targets-file]") {
  CHECK(error_of({"-"}, "- url: wss://a.example/\n  timout: 5s\n") == "wsprobe: stdin line 2: unknown key 'timout'");
  CHECK(error_of({"-"}, "wss://a.example/\nwss://b.example/ --timout 5s\n") ==
        "wsprobe: stdin line 2: unknown option --timout");
  CHECK(error_of({"-"}, "- url: wss://a.example/\n- url: wss://b.example/\n  junit: r.xml\n") ==
        "wsprobe: stdin line 3: key 'junit' is not allowed per target: give it on the command line, for every target");
  for (const char* line : {"wss://a.example/ --junit r.xml", "wss://a.example/ --json", "wss://a.example/ -j 4",
                           "wss://a.example/ --deadline 1m", "wss://a.example/ --targets other.txt",
                           "wss://a.example/ --all-addresses", "wss://a.example/ --show-secrets",
                           "wss://a.example/ -v", "wss://a.example/ --help"}) {
    INFO(line);
    CHECK_THAT(error_of({"-"}, std::string(line) + "\n"),
               Catch::StartsWith("wsprobe: stdin line 1: ") && Catch::Contains("is not allowed per target"));
  }
  CHECK(error_of({"-"}, "targets:\n  - wss://a.example/\nextra: 1\n") ==
        "wsprobe: stdin line 3: unknown key 'extra': the file is a list of targets, or a map with 'targets'");
  CHECK(error_of({"-"}, "- name: no-url\n  timeout: 5s\n") == "wsprobe: stdin line 1: this target has no 'url'");
  CHECK(error_of({"-"}, "- url: wss://a.example/\n  name:\n") == "wsprobe: stdin line 2: 'name' has no value");
  CHECK(error_of({"-"}, "- url: wss://a.example/\n  max-stage: [{tls: 1s}]\n") ==
        "wsprobe: stdin line 2: 'max-stage': each item must be a single value");
  CHECK(error_of({"-"}, "targets: just a string\n") == "wsprobe: stdin line 1: not a list of targets");
}

TEST_CASE("A missing targets file is a usage error; a file given as a URL gets a hint", "[targets-file]") {
  lab::TempDir dir;
  const auto file = dir.write("env.txt", "wss://a.example/\n").string();
  CHECK_THAT(error_of({file}), Catch::EndsWith("(a targets file? --targets " + file + ")"));
  CHECK_THAT(error_of({"--targets", (dir.path() / "missing.txt").string()}), Catch::Contains("cannot read"));
  CHECK_THAT(error_of({"--targets", dir.path().string()}), Catch::Contains("is a directory"));
}

// ---------------------------------------------------------------------------------------------
// Bounds

TEST_CASE("At most 10000 targets, 4 MiB a file, and no alias bombs", "[targets-file]") {
  std::string many;
  for (int i = 0; i < 10000; ++i) many += "wss://h" + std::to_string(i) + ".example/ --tag t\n";
  SECTION("10000 entries parse") {
    const auto targets = targets_of({"-"}, many);
    REQUIRE(targets.size() == 10000);
    CHECK(targets.back().target.host == "h9999.example");
  }
  SECTION("one more, from a URL argument, is refused, naming the line") {
    CHECK(error_of({"wss://extra.example/", "-"}, many) ==
          "wsprobe: stdin line 10000: more than 10000 targets in one run");
  }
  SECTION("4 MiB") {
    std::string big = "wss://a.example/\n";
    big.resize(kMaxTargetsFileBytes + 1, '#');
    CHECK(error_of({"-"}, big) == "wsprobe: --targets: stdin holds more than 4 MiB of targets");
    lab::TempDir dir;
    const auto path = dir.write("big.txt", big).string();
    CHECK(error_of({"--targets", path}) == "wsprobe: --targets: " + path + " is larger than 4 MiB");
  }
  SECTION("aliases repeating a big list") {
    std::string yaml = "- &big {url: wss://a.example/, tag: [";
    for (int i = 0; i < 20000; ++i) yaml += (i ? "," : "") + std::string(100, 'x');
    yaml += "]}\n";
    for (int i = 0; i < 9000; ++i) yaml += "- *big\n";
    CHECK_THAT(error_of({"-"}, yaml), Catch::Contains("expand to more than 32 MiB"));
  }
  SECTION("deep nesting") {
    const auto deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_THAT(error_of({"-"}, deep), Catch::StartsWith("wsprobe: stdin line 1: "));
  }
}

}  // namespace
}  // namespace wsprobe

namespace wsprobe {
namespace {

// Issue 11: YAML took a JSON file's trailing comma that every JSON tool refuses.
TEST_CASE("a JSON targets file is read strictly", "[targets_file]") {
  const auto split = split_targets("t.json", "[\n  \"ws://a/\",\n]\n", 10);
  CHECK_THAT(split.error, Catch::StartsWith("t.json line 3: not valid JSON"));
  CHECK(split_targets("t.json", "[\"ws://a/\"]", 10).entries.size() == 1);
  CHECK(split_targets("t.yaml", "[ws://a/, ]", 10).error.empty());  // a YAML flow list stays YAML
}

// Found by fuzz_targets_file in CI: nlohmann's parse() throws out_of_range (not parse_error) for a
// number beyond a double, which escaped as an uncaught exception and aborted wsprobe.
TEST_CASE("a JSON targets file with a number beyond a double is refused, not a crash", "[targets_file]") {
  const auto split = split_targets("t.json", "[{\"url\": \"ws://a/\", \"count\": 5E555555}]", 10);
  CHECK(split.error == "t.json: not valid JSON (number overflow parsing '5E555555')");
  CHECK_NOTHROW(split_targets("t.json", "5555555555555E555555009856670\n  -602\0\x05x+\x85", 10));
}

}  // namespace
}  // namespace wsprobe

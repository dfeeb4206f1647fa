// Which proxy a target goes through: proxy URLs, --proxy, --noproxy and the environment, as curl.
#include <catch2/catch.hpp>

#include <map>

#include "app/proxy_env.hpp"
#include "app/url.hpp"

using namespace wsprobe;

namespace {

Target parsed_target(std::string_view url) {
  auto parsed = parse_target(url);
  REQUIRE(parsed.target);
  return *parsed.target;
}

// A fake environment: only the variables given exist.
Getenv fake_environment(std::map<std::string, std::string> variables) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(variables));
  return [shared](const char* name) -> const char* {
    const auto found = shared->find(name);
    return found == shared->end() ? nullptr : found->second.c_str();
  };
}

// The source of the proxy selected, or "direct".
std::string chosen(const ProxySelection& selection) {
  REQUIRE(selection.error.empty());
  return selection.proxy ? selection.proxy->source + " " + selection.proxy->host : "direct";
}

}  // namespace

TEST_CASE("Proxy URLs: schemes, credentials, default port, IPv6", "[proxy][cli]") {
  const auto full = parse_proxy_url("http://alice:s3cret@proxy.corp:3128", "--proxy");
  REQUIRE(full.proxy);
  CHECK(full.proxy->scheme == ProxyScheme::http);
  CHECK(full.proxy->host == "proxy.corp");
  CHECK(full.proxy->port == 3128);
  CHECK(full.proxy->username == "alice");
  CHECK(full.proxy->password == "s3cret");
  CHECK(full.proxy->source == "--proxy");
  CHECK(full.proxy->display == "http://alice:***@proxy.corp:3128");

  // No scheme is http; no port is 1080, curl's default for every scheme.
  const auto bare = parse_proxy_url("proxy.corp", "HTTPS_PROXY");
  REQUIRE(bare.proxy);
  CHECK(bare.proxy->scheme == ProxyScheme::http);
  CHECK(bare.proxy->port == 1080);
  CHECK_FALSE(bare.proxy->username);

  CHECK(parse_proxy_url("socks5://127.0.0.1:1081", "x").proxy->scheme == ProxyScheme::socks5);
  CHECK(parse_proxy_url("SOCKS5H://h:1", "x").proxy->scheme == ProxyScheme::socks5h);

  const auto v6 = parse_proxy_url("socks5h://[::1]:1080/", "x");
  REQUIRE(v6.proxy);
  CHECK(v6.proxy->host == "::1");
  CHECK(v6.proxy->port == 1080);

  // User and password are percent-decoded; a user without a password has no password.
  const auto encoded = parse_proxy_url("http://d%40main%5Cuser:p%3Ass%40w@h:8080", "x");
  REQUIRE(encoded.proxy);
  CHECK(encoded.proxy->username == "d@main\\user");
  CHECK(encoded.proxy->password == "p:ss@w");
  const auto user_only = parse_proxy_url("http://bob@h:8080", "x");
  CHECK(user_only.proxy->username == "bob");
  CHECK_FALSE(user_only.proxy->password);
}

TEST_CASE("Proxy URLs that cannot work are refused, naming their source", "[proxy][cli]") {
  struct Case {
    std::string url;
    std::string words;
  };
  const std::vector<Case> cases{
      {"https://proxy:443", "(https://) is not supported"},
      {"socks4://proxy:1080", "scheme 'socks4'"},
      {"http://proxy:0", "port must be a number"},
      {"http://proxy:99999", "port must be a number"},
      {"http://proxy:80x", "port must be a number"},
      {"http://proxy:", "port must be a number"},
      {"http://:3128", "no host"},
      {"http://::1:3128", "needs brackets"},
      {"http://[::1:3128", "no ']'"},
      {"http://u:%zz@h:1", "percent-encoding"},
  };
  for (const auto& c : cases) {
    const auto selection = parse_proxy_url(c.url, "HTTPS_PROXY");
    INFO(c.url << " -> " << selection.error);
    CHECK_FALSE(selection.proxy);
    CHECK(selection.error.starts_with("HTTPS_PROXY: '"));
    CHECK(selection.error.find("is not a proxy URL") != std::string::npos);
    CHECK(selection.error.find(c.words) != std::string::npos);
  }
  // The error shows the URL with its password hidden.
  const auto secret = parse_proxy_url("https://u:hunter2@h:1", "--proxy");
  CHECK(secret.error.find("hunter2") == std::string::npos);
  CHECK(secret.error.find("u:***@h:1") != std::string::npos);
}

TEST_CASE("redact_proxy_url hides only the password", "[proxy][cli]") {
  CHECK(redact_proxy_url("http://u:p@h:1") == "http://u:***@h:1");
  CHECK(redact_proxy_url("u:p@h:1") == "u:***@h:1");
  CHECK(redact_proxy_url("socks5://u@h:1") == "socks5://u@h:1");
  CHECK(redact_proxy_url("http://h:1") == "http://h:1");
  CHECK(redact_proxy_url("http://u:p@ss@h:1/x") == "http://u:***@h:1/x");
}

TEST_CASE("select_proxy: wss reads https_proxy, ws reads http_proxy, then all_proxy", "[proxy][cli]") {
  const auto env = fake_environment({{"https_proxy", "http://s:1"},
                                     {"HTTPS_PROXY", "http://S:1"},
                                     {"http_proxy", "http://p:1"},
                                     {"HTTP_PROXY", "http://P:1"},
                                     {"ALL_PROXY", "socks5h://a:1"}});
  CHECK(chosen(select_proxy(parsed_target("wss://example.com/"), {}, {}, env)) == "https_proxy s");
  CHECK(chosen(select_proxy(parsed_target("ws://example.com/"), {}, {}, env)) == "http_proxy p");

  // Uppercase when lowercase is absent; HTTP_PROXY too (wsprobe is no CGI program: no httpoxy).
  const auto upper = fake_environment({{"HTTPS_PROXY", "http://S:1"}, {"HTTP_PROXY", "http://P:1"}});
  CHECK(chosen(select_proxy(parsed_target("wss://example.com/"), {}, {}, upper)) == "HTTPS_PROXY S");
  CHECK(chosen(select_proxy(parsed_target("ws://example.com/"), {}, {}, upper)) == "HTTP_PROXY P");

  const auto all =
      fake_environment({{"all_proxy", "socks5h://a:1"}, {"ALL_PROXY", "socks5h://A:1"}, {"http_proxy", ""}});
  CHECK(chosen(select_proxy(parsed_target("ws://example.com/"), {}, {}, all)) == "all_proxy a");
  CHECK(chosen(select_proxy(parsed_target("ws://example.com/"), {}, {}, fake_environment({}))) == "direct");
}

TEST_CASE("select_proxy: --proxy wins over the environment; --proxy '' ignores it", "[proxy][cli]") {
  const auto env = fake_environment({{"https_proxy", "http://s:1"}});
  CHECK(chosen(select_proxy(parsed_target("wss://example.com/"), std::string("http://flag:2"), {}, env)) ==
        "--proxy flag");
  CHECK(chosen(select_proxy(parsed_target("wss://example.com/"), std::string(""), {}, env)) == "direct");
  const auto bad =
      select_proxy(parsed_target("wss://example.com/"), {}, {}, fake_environment({{"HTTPS_PROXY", "ftp://x"}}));
  CHECK(bad.error.starts_with("HTTPS_PROXY: 'ftp://x' is not a proxy URL"));
}

TEST_CASE("select_proxy: NO_PROXY and --noproxy as curl matches them", "[proxy][cli]") {
  struct Case {
    std::string url;
    std::string list;
    bool direct;
  };
  const std::vector<Case> cases{
      {"wss://example.com/", "*", true},
      {"wss://example.com/", "example.com", true},
      {"wss://a.example.com/", "example.com", true},
      {"wss://a.example.com/", ".example.com", true},
      {"wss://example.com/", ".example.com", true},
      {"wss://EXAMPLE.com./", "example.com", true},
      {"wss://badexample.com/", "example.com", false},
      {"wss://example.com.evil/", "example.com", false},
      {"wss://example.com/", "other.org, example.com:8443", true},
      {"wss://example.com/", "other.org example.com", true},
      {"wss://10.0.0.1/", "10.0.0.1", true},
      {"wss://10.0.0.1/", "0.0.1", false},
      {"wss://[::1]:9/", "::1", true},
      {"wss://[::1]:9/", "[::1]:9", true},
      {"wss://example.com/", "", false},
      {"wss://example.com/", "*.example.com", false},  // curl has no wildcards but the lone '*'
  };
  for (const auto& c : cases) {
    INFO(c.url << " with NO_PROXY='" << c.list << "'");
    const auto env = fake_environment({{"https_proxy", "http://s:1"}, {"NO_PROXY", c.list}});
    CHECK((chosen(select_proxy(parsed_target(c.url), {}, {}, env)) == "direct") == c.direct);
    // The same list as --noproxy, with --proxy.
    const auto flag = select_proxy(parsed_target(c.url), std::string("http://f:1"), c.list, fake_environment({}));
    CHECK((chosen(flag) == "direct") == c.direct);
  }
  // --noproxy replaces the variables; no_proxy comes before NO_PROXY.
  const auto env = fake_environment({{"https_proxy", "http://s:1"}, {"no_proxy", "example.com"}, {"NO_PROXY", "*"}});
  CHECK(chosen(select_proxy(parsed_target("wss://other.org/"), {}, {}, env)) == "https_proxy s");
  CHECK(chosen(select_proxy(parsed_target("wss://example.com/"), {}, std::string("other.org"), env)) ==
        "https_proxy s");
}

#pragma once
// What to probe and how: parsed from the command line by app/, read by probe/.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/observations.hpp"

namespace wsprobe {

struct Target {
  std::string url;       // as shown in reports: query values that look like secrets redacted
  bool secure = false;   // wss
  std::string host;      // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string resource;  // path and query as sent in the request line
  bool host_is_ip_literal = false;
};

// curl's --resolve HOST:PORT:ADDR: connect to ADDR whenever HOST:PORT is asked for.
struct ResolveOverride {
  std::string host;
  std::uint16_t port = 0;
  std::string address;
};

// Per-stage budgets; each stage also stops at the probe's overall deadline (style.md, one deadline).
struct Budgets {
  std::chrono::milliseconds dns{5000};
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds tls{5000};
  std::chrono::milliseconds upgrade{5000};
  std::chrono::milliseconds echo{5000};
  std::chrono::milliseconds close{2000};
  std::chrono::milliseconds total{30000};
};

struct ProbeOptions {
  Target target;
  std::optional<std::string> dns_server;  // "ADDR" or "ADDR:PORT" ("[v6]:PORT")
  std::vector<ResolveOverride> resolve;
  std::optional<std::string> cacert_file;
  bool insecure = false;
  std::optional<std::string> origin;
  std::vector<std::string> alpn{"http/1.1"};  // offered in the TLS ClientHello, in order
  std::vector<std::string> subprotocols;
  std::vector<HttpHeader> headers;  // extra request headers, in order
  EchoMode echo = EchoMode::automatic;
  int count = 5;                     // pings, and messages when echo is on
  std::size_t message_size = 32;     // bytes per echo message
  Budgets budgets;
  bool show_secrets = false;         // keep Authorization, Cookie, tokens in reports
};

}  // namespace wsprobe

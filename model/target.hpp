#pragma once
// What to probe and how: parsed from the command line by app/, read by probe/.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/assertions.hpp"
#include "model/observations.hpp"

namespace wsprobe {

class Interruption;  // model/interruption.hpp
class TlsContexts;   // probe/tls_contexts.hpp
class LoopLag;       // probe/loop_lag.hpp

struct Target {
  std::string url;       // as shown in reports: query values that look like secrets redacted
  bool secure = false;   // wss
  std::string host;      // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string resource;  // path and query as sent in the request line
  bool host_is_ip_literal = false;
  // Many targets (issue 6): how reports name this target ("api-eu"), and free labels ("prod",
  // "eu-west-1") a targets file gives it; reports carry both, Prometheus as labels.
  std::optional<std::string> name;
  std::vector<std::string> tags;
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

// A forward proxy (issue 4): `--proxy URL`, or the environment as curl reads it.
enum class ProxyScheme { http, socks5, socks5h };
std::string_view to_string(ProxyScheme scheme);

struct ProxyConfig {
  ProxyScheme scheme = ProxyScheme::http;
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::optional<std::string> username;  // from user:pass@ in the URL, percent-decoded
  std::optional<std::string> password;
  std::string source;   // where it came from: "--proxy", "HTTPS_PROXY", "http_proxy", "ALL_PROXY", ...
  std::string display;  // the URL as reports show it: the password replaced by "***"
};

// The PROXY protocol header sent before anything else (haproxy's proxy-protocol.txt).
enum class ProxyProtocolVersion { v1, v2 };

// curl's --connect-to HOST:PORT:HOST2:PORT2: connect to HOST2:PORT2 instead of HOST:PORT. An empty
// HOST or PORT matches any; an empty HOST2 or PORT2 keeps the original. SNI, Host and the
// certificate name stay the URL's.
struct ConnectTo {
  std::string host;
  std::optional<std::uint16_t> port;
  std::string to_host;
  std::optional<std::uint16_t> to_port;
};

enum class AddressFamily { any, v4, v6 };  // -4 / -6

// How far a hold is, for live progress on a terminal (issue 5).
struct HoldProgress {
  Micros elapsed{0};
  Micros total{0};  // --hold
  std::size_t pings_sent = 0;     // keepalives so far (pings or messages)
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

  // Reaching the endpoint (issue 4).
  std::optional<ProxyConfig> proxy;                    // forward proxy; empty: direct
  std::optional<ProxyProtocolVersion> proxy_protocol;  // send a PROXY header first
  std::vector<ConnectTo> connect_to;
  AddressFamily family = AddressFamily::any;
  // --all-addresses: this probe is one node's; connect to this address only (DNS still runs, so
  // the report shows where the address came from).
  std::optional<std::string> pinned_address;
  std::optional<std::string> sni;          // --sni: the TLS server name and certificate name; "" sends none
  std::optional<std::string> host_header;  // --host: the Host header value

  // TLS controls.
  std::optional<std::string> client_cert_file;  // --cert, PEM
  std::optional<std::string> client_key_file;   // --key, PEM; defaults to the --cert file
  std::optional<std::string> tls_min;            // "1.0", "1.1", "1.2", "1.3"
  std::optional<std::string> tls_max;
  std::optional<std::string> ciphers;  // OpenSSL list; TLS_* names go to the TLS 1.3 suites
  int cert_warn_days = 14;             // tls_cert_expiring below this many days

  // Request and message controls.
  std::optional<std::string> user_agent;  // default "wsprobe/VERSION"
  bool compress = false;                  // offer permessage-deflate (RFC 7692)
  std::optional<std::string> message;     // echo payload instead of random bytes (--message TEXT|@FILE)
  bool binary = false;                    // send messages as binary frames
  std::optional<std::string> expect;      // ECMAScript regex a reply must match (--expect)

  // Beyond the handshake (issue 5). The hold's time is added to --timeout's deadline.
  std::optional<std::chrono::milliseconds> hold;           // --hold: stay idle this long after echo
  std::optional<std::chrono::milliseconds> hold_ping;      // --hold-ping: ping at this interval meanwhile
  bool hold_message = false;                               // --hold-message: keepalive by messages
  std::vector<std::size_t> sweep_sizes;                    // --sizes / --max-size, ascending
  // Called about once a second while a hold runs, and at each keepalive; empty: nobody watches.
  // app/ sets it only when stderr is a terminal.
  std::function<void(const HoldProgress&)> on_hold_progress;
  // The run's first SIGINT/SIGTERM (issue 11), shared by every target, node and follow-up of the
  // run; null where nothing can interrupt (unit tests, one-off probes).
  std::shared_ptr<Interruption> interruption;
  // The run's TLS client contexts (issue 12): one per distinct set of TLS options, its trust store
  // loaded once, shared by every target, node and follow-up of the run; null: each handshake builds
  // its own (still before its clock starts).
  std::shared_ptr<TlsContexts> tls_contexts;
  // The run's event-loop lag meter (issue 12), shared like the contexts; null: not measured.
  std::shared_ptr<LoopLag> loop_lag;
  // Where a targets file defined this target ("fleet.yaml line 7"), for an error found after
  // parsing (TLS material loaded up front); empty for a target of the command line.
  std::optional<std::string> defined_at;

  // CI checks (issue 6): what the target must also meet; checks/assertions reads them.
  Assertions assertions;
};

}  // namespace wsprobe

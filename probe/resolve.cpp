#include "probe/resolve.hpp"

#include <ares.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "probe/errors.hpp"

namespace wsprobe {
namespace {

std::string address_text(const net::ip::address& address) { return address.to_string(); }

// What ares_getaddrinfo's callback delivered.
struct AresOutcome {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<net::ip::address> addresses;
  std::vector<std::string> cname_chain;
};

// ares_addrinfo::cnames holds one {alias, name} pair per CNAME record, and the A and AAAA
// answers may each repeat the chain: follow it from the alias nothing points to.
std::vector<std::string> cname_chain_of(const ares_addrinfo_cname* cnames) {
  std::map<std::string, std::string> next;
  std::set<std::string> targets;
  std::string first;
  for (auto* c = cnames; c; c = c->next) {
    if (!c->alias || !c->name) continue;
    next.emplace(c->alias, c->name);
    targets.insert(c->name);
  }
  for (auto* c = cnames; c; c = c->next)
    if (c->alias && !targets.count(c->alias)) {
      first = c->alias;
      break;
    }
  if (first.empty() && !next.empty()) first = next.begin()->first;  // a loop: start anywhere
  std::vector<std::string> chain;
  std::set<std::string> seen;
  for (std::string at = first; !at.empty() && seen.insert(at).second;) {
    chain.push_back(at);
    auto found = next.find(at);
    at = found == next.end() ? std::string{} : found->second;
  }
  return chain;
}

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto& outcome = *static_cast<AresOutcome*>(arg);
  outcome.done = true;
  outcome.status = status;
  if (!result) return;
  for (auto* node = result->nodes; node; node = node->ai_next) {
    if (node->ai_family == AF_INET && node->ai_addr) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
      net::ip::address_v4::bytes_type bytes;
      std::memcpy(bytes.data(), &in->sin_addr, bytes.size());
      outcome.addresses.emplace_back(net::ip::address_v4(bytes));
    } else if (node->ai_family == AF_INET6 && node->ai_addr) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
      net::ip::address_v6::bytes_type bytes;
      std::memcpy(bytes.data(), &in6->sin6_addr, bytes.size());
      outcome.addresses.emplace_back(net::ip::address_v6(bytes, in6->sin6_scope_id));
    }
  }
  outcome.cname_chain = cname_chain_of(result->cnames);
  ares_freeaddrinfo(result);
}

// Owns one c-ares channel. ares_destroy completes pending queries with ARES_EDESTRUCTION, so
// whatever their callbacks write must outlive this object.
class AresChannel {
 public:
  AresChannel() = default;
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;
  ~AresChannel() {
    if (channel_) ares_destroy(channel_);
  }
  // `one_server`: the user named the server. c-ares 1.18 otherwise treats SERVFAIL, REFUSED and
  // NOTIMP as a dead server, moves on, and reports ECONNREFUSED ("Could not contact DNS
  // servers"), hiding the rcode; with NOCHECKRESP the answer's rcode comes back (ESERVFAIL,
  // EREFUSED). With the system's servers keep the fallback, as the system resolver does.
  int init(std::chrono::milliseconds budget, bool one_server) {
    // c-ares retries each server with the timeout doubled per round (t, 2t, 4t): with t a third
    // of the budget its own ETIMEOUT never comes before our deadline, and a lost datagram is
    // still retried within it.
    ares_options options{};
    options.timeout = static_cast<int>(std::max<std::int64_t>(budget.count() / 3, 1));
    options.tries = 3;
    options.flags = one_server ? ARES_FLAG_NOCHECKRESP : 0;
    return ares_init_options(&channel_, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
  }
  ares_channel get() const { return channel_; }

 private:
  ares_channel channel_ = nullptr;
};

timeval to_timeval(Clock::duration d) {
  const auto us = std::max<std::int64_t>(std::chrono::duration_cast<Micros>(d).count(), 0);
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

// Hands c-ares every socket that is ready now; with none ready, lets it run its timeouts.
void process_ready_sockets(ares_channel channel, const ares_socket_t* sockets, int bits) {
  std::vector<pollfd> watched;
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
    short events = 0;
    if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
    if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
    if (events) watched.push_back(pollfd{sockets[i], events, 0});
  }
  const int ready = watched.empty() ? 0 : ::poll(watched.data(), watched.size(), 0);
  if (ready <= 0) {
    ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    return;
  }
  for (const auto& w : watched) {
    if (!w.revents) continue;
    const bool readable = w.revents & (POLLIN | POLLERR | POLLHUP);
    const bool writable = w.revents & (POLLOUT | POLLERR | POLLHUP);
    ares_process_fd(channel, readable ? w.fd : ARES_SOCKET_BAD, writable ? w.fd : ARES_SOCKET_BAD);
  }
}

// Drives c-ares from this coroutine until the query completes or `deadline` passes (then
// ares_cancel). Returns true when the deadline cut the query short.
//
// The io_context never blocks: each round asks c-ares which sockets it waits on, watches them
// through non-owning stream_descriptors (released, never closed: the sockets are c-ares') and a
// timer, and releases them again before c-ares may close or reuse a socket in ares_process_fd.
net::awaitable<bool> drive(ares_channel channel, const AresOutcome& outcome, Clock::time_point deadline,
                          Interruption* interruption) {
  auto executor = co_await net::this_coro::executor;
  while (!outcome.done) {
    const auto now = Clock::now();
    if (now >= deadline || interrupted(interruption)) {
      ares_cancel(channel);  // completes the query with ARES_ECANCELLED, synchronously
      co_return true;
    }
    timeval limit = to_timeval(deadline - now);
    timeval next{};
    const timeval* wait = ares_timeout(channel, &limit, &next);
    const auto until = wait ? now + std::chrono::seconds(wait->tv_sec) + Micros(wait->tv_usec) : deadline;

    ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
    const int bits = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
    {
      // The descriptors' handlers may run after this round (aborted by release): they hold the
      // timer by shared_ptr and touch nothing else.
      auto wake = std::make_shared<net::steady_timer>(executor, until);
      const auto watch = interruption ? interruption->watch([wake] { wake->cancel(); }) : Interruption::Watch{};
      std::vector<net::posix::stream_descriptor> watched;
      watched.reserve(ARES_GETSOCK_MAXNUM);
      struct ReleaseAll {
        std::vector<net::posix::stream_descriptor>& descriptors;
        ~ReleaseAll() {
          for (auto& d : descriptors)
            if (d.is_open()) d.release();
        }
      } release_all{watched};
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        const bool readable = ARES_GETSOCK_READABLE(bits, i);
        const bool writable = ARES_GETSOCK_WRITABLE(bits, i);
        if (!readable && !writable) continue;
        error_code ec;
        auto& descriptor = watched.emplace_back(executor);
        descriptor.assign(sockets[i], ec);
        if (ec) continue;  // the timer still bounds the round
        auto notify = [wake](error_code wait_ec) {
          if (!wait_ec) wake->cancel();
        };
        if (readable) descriptor.async_wait(net::posix::descriptor_base::wait_read, notify);
        if (writable) descriptor.async_wait(net::posix::descriptor_base::wait_write, notify);
      }
      co_await wake->async_wait(use_nothrow);
    }
    process_ready_sockets(channel, sockets, bits);
  }
  co_return false;
}

Condition condition_of_status(int status) {
  switch (status) {
    case ARES_ENOTFOUND:
      return Condition::dns_nxdomain;  // NXDOMAIN for the name (and every search domain)
    case ARES_ENODATA:
      return Condition::dns_no_address;  // NOERROR without an A or AAAA record
    case ARES_ETIMEOUT:
      return Condition::dns_timeout;
    default:
      return Condition::dns_failure;  // ESERVFAIL, EREFUSED, ECONNREFUSED, EBADSTR ...
  }
}

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// curl accepts "[::1]" as well as "::1" in --resolve.
std::optional<net::ip::address> parse_address(std::string text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  error_code ec;
  auto address = net::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

int initialize_resolver_library() {
  static std::once_flag once;
  static int status = ARES_SUCCESS;
  std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
  return status;
}

net::awaitable<NameResolution> resolve_name(std::string host, std::optional<std::string> dns_server, int family,
                                            Clock::time_point deadline, Interruption* interruption) {
  NameResolution out;
  const auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  auto fail = [&](Condition condition, int status, const std::string& context_words) {
    out.condition = condition;
    out.resolver_error = ares_strerror(status);
    out.detail = context_words + ": " + ares_strerror(status);
    return out;
  };

  if (int status = initialize_resolver_library(); status != ARES_SUCCESS)
    co_return fail(Condition::internal, status, "c-ares library init");

  // Declared before the channel: ares_destroy may still call back into it.
  AresOutcome outcome;
  AresChannel channel;
  if (int status = channel.init(budget, dns_server.has_value()); status != ARES_SUCCESS)
    co_return fail(Condition::internal, status, "c-ares channel init");
  if (dns_server) {
    if (int status = ares_set_servers_ports_csv(channel.get(), dns_server->c_str()); status != ARES_SUCCESS)
      co_return fail(Condition::dns_failure, status, "DNS server \"" + *dns_server + "\"");
  }

  ares_addrinfo_hints hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  ares_getaddrinfo(channel.get(), host.c_str(), nullptr, &hints, on_addrinfo, &outcome);
  const bool cut_short = co_await drive(channel.get(), outcome, deadline, interruption);

  const std::string about = "resolving " + host + (dns_server ? " via " + *dns_server : "");
  if (cut_short) {
    out.condition = Condition::dns_timeout;
    out.resolver_error = ares_strerror(ARES_ETIMEOUT);
    out.detail = about + ": no answer within " + milliseconds_text(budget);
    co_return out;
  }
  if (outcome.status != ARES_SUCCESS) co_return fail(condition_of_status(outcome.status), outcome.status, about);

  out.cname_chain = outcome.cname_chain;
  out.addresses = std::move(outcome.addresses);
  if (out.addresses.empty()) co_return fail(Condition::dns_no_address, ARES_ENODATA, about);
  co_return out;
}

namespace {

int ares_family(AddressFamily family) {
  switch (family) {
    case AddressFamily::v4: return AF_INET;
    case AddressFamily::v6: return AF_INET6;
    case AddressFamily::any: break;
  }
  return AF_UNSPEC;
}

std::string_view family_name(AddressFamily family) {
  switch (family) {
    case AddressFamily::v4: return "ipv4";
    case AddressFamily::v6: return "ipv6";
    case AddressFamily::any: break;
  }
  return "any";
}

bool of_family(const net::ip::address& address, AddressFamily family) {
  if (family == AddressFamily::v4) return address.is_v4();
  if (family == AddressFamily::v6) return address.is_v6();
  return true;
}

// "a.example:443", "[2001:db8::1]:443".
std::string host_port_text(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Where the addresses for (host, port) come from, before the family filter and the pin.
struct Lookup {
  Condition condition = Condition::none;
  std::string detail;
  std::vector<net::ip::address> addresses;
};

// An IP literal, else the --resolve entries for host:port, else c-ares. Fills the observation's
// source, server, cname chain and resolver error.
net::awaitable<Lookup> look_up(const std::string& host, std::uint16_t port, const ProbeContext& context,
                               DnsObservation& dns) {
  const auto& options = context.options;
  Lookup out;
  if (auto literal = parse_address(host)) {
    dns.source = "literal";
    out.addresses.push_back(*literal);
    co_return out;
  }
  for (const auto& entry : options.resolve) {
    if (entry.port != port || !equal_ignoring_case(entry.host, host)) continue;
    auto address = parse_address(entry.address);
    if (!address) {
      out.condition = Condition::internal;
      out.detail = "--resolve address is not an IP address: " + entry.address;
      co_return out;
    }
    out.addresses.push_back(*address);
  }
  if (!out.addresses.empty()) {
    dns.source = "override";
    co_return out;
  }
  dns.source = "dns";
  dns.server = options.dns_server;
  const auto deadline = context.stage_deadline(options.budgets.dns);
  auto resolution =
      co_await resolve_name(host, options.dns_server, ares_family(options.family), deadline, options.interruption.get());
  dns.resolver_error = resolution.resolver_error;
  dns.cname_chain = std::move(resolution.cname_chain);
  out.condition = resolution.condition;
  out.detail = std::move(resolution.detail);
  out.addresses = std::move(resolution.addresses);
  if (out.condition == Condition::dns_no_address && options.family != AddressFamily::any)
    out.detail += options.family == AddressFamily::v4 ? " (IPv4 only: -4)" : " (IPv6 only: -6)";
  co_return out;
}

// -4 / -6: c-ares asked for one family only, but a literal, a --resolve entry or the hosts file
// may still give the other.
void keep_family(Lookup& lookup, AddressFamily family, const std::string& host) {
  if (family == AddressFamily::any || lookup.condition != Condition::none) return;
  std::vector<std::string> dropped;
  std::vector<net::ip::address> kept;
  for (const auto& address : lookup.addresses)
    (of_family(address, family) ? kept.push_back(address) : dropped.push_back(address.to_string()));
  lookup.addresses = std::move(kept);
  if (!lookup.addresses.empty()) return;
  std::string list;
  for (const auto& text : dropped) list += (list.empty() ? "" : ", ") + text;
  lookup.condition = Condition::dns_no_address;
  lookup.detail = host + " has no " + (family == AddressFamily::v4 ? "IPv4 address (-4)" : "IPv6 address (-6)") +
                  ": only " + list;
}

}  // namespace

net::awaitable<StageResult> run_dns(ProbeContext& context) {
  StageTimer timer(context, Stage::dns);
  const auto& options = context.options;
  const auto& target = options.target;
  auto& dns = context.observed.dns.emplace();
  dns.family = std::string(family_name(options.family));
  context.addresses.clear();

  // --connect-to: look up HOST2 (the --resolve entries for HOST2:PORT2) instead; SNI, Host and
  // the certificate name stay the URL's.
  std::string host = target.host;
  std::uint16_t port = target.port;
  if (const auto* moved = matching_connect_to(options)) {
    if (!moved->to_host.empty()) host = moved->to_host;
    if (moved->to_port) port = *moved->to_port;
    dns.connect_to = host_port_text(target.host, target.port) + " -> " + host_port_text(host, port);
  }
  context.connect_port = port;
  dns.query_name = host;

  auto lookup = co_await look_up(host, port, context, dns);
  keep_family(lookup, options.family, host);
  for (const auto& address : lookup.addresses) dns.addresses.push_back(address_text(address));

  if (options.pinned_address) {
    // --all-addresses: this node's address, whatever this resolution says; the lookup above is the
    // evidence of where it came from.
    dns.pinned_address = *options.pinned_address;
    auto pinned = parse_address(*options.pinned_address);
    if (!pinned)
      co_return timer.finish(StageStatus::failed, Condition::internal,
                             "pinned address is not an IP address: " + *options.pinned_address);
    context.addresses = {*pinned};
    const bool listed = std::find(lookup.addresses.begin(), lookup.addresses.end(), *pinned) != lookup.addresses.end();
    if (listed) co_return timer.finish(StageStatus::ok);
    std::string detail = "pinned to " + pinned->to_string() + ", which this lookup no longer returns";
    if (lookup.condition != Condition::none) detail += " (" + lookup.detail + ")";
    co_return timer.finish(StageStatus::ok, Condition::none, std::move(detail));
  }

  context.addresses = std::move(lookup.addresses);
  if (lookup.condition != Condition::none)
    co_return timer.finish(StageStatus::failed, lookup.condition, std::move(lookup.detail));
  co_return timer.finish(StageStatus::ok);
}

}  // namespace wsprobe

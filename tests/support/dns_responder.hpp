#pragma once
// A tiny authoritative DNS server for tests: UDP on 127.0.0.1, port 0, its own thread, canned
// behaviour per name. Real c-ares talks to it through `dns_server = responder.server()`.
// Names it was not told about get NXDOMAIN. Configure it before the queries it should answer.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wsprobe::test {

class DnsResponder {
 public:
  DnsResponder();   // binds and starts answering; throws std::system_error if it cannot bind
  ~DnsResponder();  // stops the thread and closes the socket
  DnsResponder(const DnsResponder&) = delete;
  DnsResponder& operator=(const DnsResponder&) = delete;

  // `name` has these A and AAAA records (either list may be empty: NODATA for that type).
  void answer(const std::string& name, std::vector<std::string> ipv4, std::vector<std::string> ipv6);
  // `name` is an alias: CNAME name -> chain[0] -> chain[1] ..., and the last of `chain` has the
  // A/AAAA records. Every answer carries the whole CNAME chain first (RFC 1034 §3.6.2).
  void cname(const std::string& name, std::vector<std::string> chain, std::vector<std::string> ipv4,
             std::vector<std::string> ipv6);
  void nxdomain(const std::string& name);  // rcode 3
  void nodata(const std::string& name);    // rcode 0, no answers, whatever the type
  void servfail(const std::string& name);  // rcode 2
  void refused(const std::string& name);   // rcode 5
  void silent(const std::string& name);    // reads the query, never answers

  std::uint16_t port() const { return port_; }
  std::string server() const;       // "127.0.0.1:<port>", for ProbeOptions::dns_server
  std::size_t queries_received() const { return queries_.load(); }

 private:
  enum class Kind { answer, nxdomain, servfail, refused, silent };
  struct Behaviour {
    Kind kind = Kind::answer;
    std::vector<std::string> chain;  // CNAME targets, in order
    std::vector<std::string> ipv4;
    std::vector<std::string> ipv6;
  };

  void set(const std::string& name, Behaviour behaviour);
  void serve();
  std::vector<unsigned char> reply_to(const unsigned char* query, std::size_t size);

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> queries_{0};
  std::mutex mutex_;
  std::map<std::string, Behaviour> behaviours_;  // keyed by lower-case name, no trailing dot
  std::thread thread_;
};

}  // namespace wsprobe::test

#include "support/dns_responder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <optional>
#include <system_error>

namespace wsprobe::test {
namespace {

// RFC 1035 §3.2.2 and RFC 3596 §2.1.
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint32_t kTtl = 60;

// How names are compared and kept: lower case, without the root's trailing dot.
std::string canonical_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

void put16(std::vector<unsigned char>& out, std::uint16_t v) {
  out.push_back(static_cast<unsigned char>(v >> 8));
  out.push_back(static_cast<unsigned char>(v & 0xff));
}

void put32(std::vector<unsigned char>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

// A domain name as a sequence of length-prefixed labels ending with the root (RFC 1035 §3.1).
void put_name(std::vector<unsigned char>& out, const std::string& name) {
  std::size_t start = 0;
  while (start < name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    out.push_back(static_cast<unsigned char>(dot - start));
    out.insert(out.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  out.push_back(0);
}

void put_record(std::vector<unsigned char>& out, const std::string& owner, std::uint16_t type,
                const std::vector<unsigned char>& rdata) {
  put_name(out, owner);
  put16(out, type);
  put16(out, kClassIn);
  put32(out, kTtl);
  put16(out, static_cast<std::uint16_t>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
}

struct Question {
  std::string name;     // lower case
  std::uint16_t type = 0;
  std::size_t end = 0;  // offset just past QTYPE and QCLASS
};

// The first question of a query (RFC 1035 §4.1.2); queries carry no compression pointers.
std::optional<Question> parse_question(const unsigned char* data, std::size_t size) {
  std::size_t at = 12;
  Question question;
  while (at < size && data[at] != 0) {
    const std::size_t length = data[at++];
    if (length > 63 || at + length > size) return std::nullopt;
    if (!question.name.empty()) question.name += '.';
    question.name.append(reinterpret_cast<const char*>(data + at), length);
    at += length;
  }
  if (at + 5 > size) return std::nullopt;
  ++at;  // the root label
  question.type = static_cast<std::uint16_t>(data[at] << 8 | data[at + 1]);
  question.end = at + 4;
  question.name = canonical_name(question.name);
  return question;
}

}  // namespace

DnsResponder::DnsResponder() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "dns responder socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "dns responder bind");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

DnsResponder::~DnsResponder() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

std::string DnsResponder::server() const { return "127.0.0.1:" + std::to_string(port_); }

void DnsResponder::answer(const std::string& name, std::vector<std::string> ipv4,
                          std::vector<std::string> ipv6) {
  set(name, {Kind::answer, {}, std::move(ipv4), std::move(ipv6)});
}

void DnsResponder::cname(const std::string& name, std::vector<std::string> chain,
                         std::vector<std::string> ipv4, std::vector<std::string> ipv6) {
  set(name, {Kind::answer, std::move(chain), std::move(ipv4), std::move(ipv6)});
}

void DnsResponder::nxdomain(const std::string& name) { set(name, {Kind::nxdomain, {}, {}, {}}); }
void DnsResponder::nodata(const std::string& name) { set(name, {Kind::answer, {}, {}, {}}); }
void DnsResponder::servfail(const std::string& name) { set(name, {Kind::servfail, {}, {}, {}}); }
void DnsResponder::refused(const std::string& name) { set(name, {Kind::refused, {}, {}, {}}); }
void DnsResponder::silent(const std::string& name) { set(name, {Kind::silent, {}, {}, {}}); }

void DnsResponder::set(const std::string& name, Behaviour behaviour) {
  std::lock_guard lock(mutex_);
  behaviours_[canonical_name(name)] = std::move(behaviour);
}

void DnsResponder::serve() {
  unsigned char buffer[1500];
  while (!stop_) {
    // Short polls so that the destructor's stop is seen promptly without a wake-up pipe.
    pollfd watched{fd_, POLLIN, 0};
    if (::poll(&watched, 1, 20) <= 0) continue;
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    const auto received =
        ::recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (received < 12) continue;
    ++queries_;
    const auto reply = reply_to(buffer, static_cast<std::size_t>(received));
    if (reply.empty()) continue;
    ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}

std::vector<unsigned char> DnsResponder::reply_to(const unsigned char* query, std::size_t size) {
  const auto question = parse_question(query, size);
  if (!question) return {};
  Behaviour behaviour{Kind::nxdomain, {}, {}, {}};
  {
    std::lock_guard lock(mutex_);
    if (auto found = behaviours_.find(question->name); found != behaviours_.end())
      behaviour = found->second;
  }
  if (behaviour.kind == Kind::silent) return {};

  // Header (RFC 1035 §4.1.1): same ID, QR, the query's opcode and RD, AA, RA, and the rcode.
  const std::uint16_t query_flags = static_cast<std::uint16_t>(query[2] << 8 | query[3]);
  std::uint16_t rcode = 0;
  if (behaviour.kind == Kind::nxdomain) rcode = 3;
  if (behaviour.kind == Kind::servfail) rcode = 2;
  if (behaviour.kind == Kind::refused) rcode = 5;
  const std::uint16_t flags = static_cast<std::uint16_t>(0x8000 | (query_flags & 0x7800) | 0x0400 |
                                                         (query_flags & 0x0100) | 0x0080 | rcode);

  std::vector<unsigned char> answers;
  std::uint16_t answer_count = 0;
  if (behaviour.kind == Kind::answer) {
    std::string owner = question->name;
    for (const auto& target : behaviour.chain) {
      std::vector<unsigned char> rdata;
      put_name(rdata, canonical_name(target));
      put_record(answers, owner, kTypeCname, rdata);
      ++answer_count;
      owner = canonical_name(target);
    }
    if (question->type == kTypeA) {
      for (const auto& text : behaviour.ipv4) {
        std::vector<unsigned char> rdata(4);
        if (::inet_pton(AF_INET, text.c_str(), rdata.data()) != 1) continue;
        put_record(answers, owner, kTypeA, rdata);
        ++answer_count;
      }
    } else if (question->type == kTypeAaaa) {
      for (const auto& text : behaviour.ipv6) {
        std::vector<unsigned char> rdata(16);
        if (::inet_pton(AF_INET6, text.c_str(), rdata.data()) != 1) continue;
        put_record(answers, owner, kTypeAaaa, rdata);
        ++answer_count;
      }
    }
  }

  std::vector<unsigned char> reply;
  reply.push_back(query[0]);
  reply.push_back(query[1]);
  put16(reply, flags);
  put16(reply, 1);  // QDCOUNT: the question, copied as asked
  put16(reply, answer_count);
  put16(reply, 0);
  put16(reply, 0);
  reply.insert(reply.end(), query + 12, query + question->end);
  reply.insert(reply.end(), answers.begin(), answers.end());
  return reply;
}

}  // namespace wsprobe::test

// permessage-deflate (RFC 7692), client side: the server's answer checked, and its compressed
// messages inflated as a zlib server (the usual implementation) produces them: raw DEFLATE, sync
// flush, the trailing 00 00 ff ff stripped (§7.2.1).
#include <catch2/catch.hpp>

#include <zlib.h>

#include <stdexcept>

#include "wire/permessage_deflate.hpp"

using namespace wsprobe;

namespace {

// A server's compressor: one zlib raw deflate stream with `window_bits`; compress() is one
// message, flushed and stripped as RFC 7692 §7.2.1 says.
class ServerDeflater {
 public:
  ServerDeflater(int window_bits, bool no_context_takeover) : reset_(no_context_takeover) {
    if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::runtime_error("deflateInit2");
  }
  ~ServerDeflater() { deflateEnd(&z_); }
  ServerDeflater(const ServerDeflater&) = delete;
  ServerDeflater& operator=(const ServerDeflater&) = delete;

  std::string compress(std::string_view message) {
    std::string out(deflateBound(&z_, message.size()) + 16, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
    z_.avail_in = static_cast<uInt>(message.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z_, Z_SYNC_FLUSH) != Z_OK) throw std::runtime_error("deflate");
    out.resize(out.size() - z_.avail_out);
    REQUIRE(out.size() >= 4);
    REQUIRE(out.substr(out.size() - 4) == std::string("\x00\x00\xff\xff", 4));
    out.resize(out.size() - 4);
    if (reset_) deflateReset(&z_);
    return out;
  }

 private:
  z_stream z_{};
  bool reset_;
};

std::string repeated(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out.append(unit);
  return out;
}

}  // namespace

TEST_CASE("parse_deflate_answer accepts what RFC 7692 §7.1 allows in an answer", "[wire][deflate]") {
  const auto plain = parse_deflate_answer("permessage-deflate", true);
  REQUIRE(plain.params);
  CHECK_FALSE(plain.params->server_no_context_takeover);
  CHECK(plain.params->server_max_window_bits == 15);

  const auto full = parse_deflate_answer(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; "
      "client_max_window_bits=\"9\"",
      true);
  INFO(full.error);
  REQUIRE(full.params);
  CHECK(full.params->server_no_context_takeover);
  CHECK(full.params->client_no_context_takeover);
  CHECK(full.params->server_max_window_bits == 10);
  CHECK(full.params->client_max_window_bits == 9);
  // Parameter names are matched without regard to case, as extension tokens are.
  CHECK(parse_deflate_answer("Permessage-Deflate;Server_No_Context_Takeover", false).params);
}

TEST_CASE("parse_deflate_answer refuses what RFC 7692 §7.1 tells a client to fail on", "[wire][deflate]") {
  struct Case {
    std::string answer;
    bool client_bits_offered;
    std::string error_has;
  };
  const std::vector<Case> cases{
      {"permessage-deflate; x_unknown", true, "unknown parameter x_unknown"},
      {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", true, "appears twice"},
      {"permessage-deflate; server_max_window_bits=10; server_max_window_bits=11", true, "appears twice"},
      {"permessage-deflate; server_no_context_takeover=1", true, "takes no value"},
      {"permessage-deflate; server_max_window_bits=7", true, "from 8 to 15"},
      {"permessage-deflate; server_max_window_bits=16", true, "from 8 to 15"},
      {"permessage-deflate; server_max_window_bits=010", true, "from 8 to 15"},
      {"permessage-deflate; server_max_window_bits", true, "from 8 to 15"},
      {"permessage-deflate; server_max_window_bits=\"12", true, "unterminated"},
      {"permessage-deflate; client_max_window_bits=10", false, "was not offered"},
      {"permessage-deflate; client_max_window_bits", true, "from 8 to 15"},
  };
  for (const auto& c : cases) {
    SECTION(c.answer) {
      const auto answer = parse_deflate_answer(c.answer, c.client_bits_offered);
      CHECK_FALSE(answer.params);
      CHECK_THAT(answer.error, Catch::Contains(c.error_has));
    }
  }
}

TEST_CASE("Inflater undoes a zlib server's messages - window kept across messages", "[wire][deflate]") {
  ServerDeflater server(15, false);
  Inflater inflater(DeflateParams{});
  const std::string first = "{\"event\":\"tick\",\"value\":" + repeated("1234567890", 20) + "}";
  const std::string second = first;  // with context takeover, a back-reference into message 1
  const auto c1 = server.compress(first);
  const auto c2 = server.compress(second);
  CHECK(c2.size() < c1.size() / 2);  // the second one really leans on the first one's window
  const auto r1 = inflater.inflate(c1, 1 << 20);
  REQUIRE(r1.message);
  CHECK(*r1.message == first);
  const auto r2 = inflater.inflate(c2, 1 << 20);
  INFO(r2.error);
  REQUIRE(r2.message);
  CHECK(*r2.message == second);
  // An empty message may be sent as one byte, 00: an empty stored block's start (RFC 7692 §7.2.3.6).
  const auto r3 = inflater.inflate(std::string(1, '\0'), 1 << 20);
  REQUIRE(r3.message);
  CHECK(r3.message->empty());
}

TEST_CASE("Inflater starts each message afresh under server_no_context_takeover", "[wire][deflate]") {
  DeflateParams params;
  params.server_no_context_takeover = true;
  ServerDeflater server(15, true);
  Inflater inflater(params);
  for (int i = 0; i < 3; ++i) {
    const auto message = "message " + std::to_string(i) + " " + repeated("abc", 50);
    const auto result = inflater.inflate(server.compress(message), 1 << 20);
    REQUIRE(result.message);
    CHECK(*result.message == message);
  }
}

TEST_CASE("Inflater takes a server's small windows (server_max_window_bits)", "[wire][deflate]") {
  // zlib's raw deflate refuses 8 bits; 9 is its smallest window.
  for (const int bits : {9, 10, 12}) {
    DYNAMIC_SECTION("server_max_window_bits=" << bits) {
      DeflateParams params;
      params.server_max_window_bits = bits;
      ServerDeflater server(bits, false);
      Inflater inflater(params);
      // Text with repeats both inside and beyond the small window.
      std::string message;
      for (int i = 0; i < 400; ++i) message += "line " + std::to_string(i % 37) + ";";
      for (int round = 0; round < 2; ++round) {
        const auto result = inflater.inflate(server.compress(message), 1 << 20);
        REQUIRE(result.message);
        CHECK(*result.message == message);
      }
    }
  }
}

TEST_CASE("Inflater refuses to inflate past its output bound (a compression bomb)", "[wire][deflate]") {
  ServerDeflater server(15, false);
  const std::string bomb(4 * 1024 * 1024, 'A');  // 4 MiB of one byte: a few KiB compressed
  const auto compressed = server.compress(bomb);
  CHECK(compressed.size() < 10 * 1024);
  Inflater inflater(DeflateParams{});
  const auto result = inflater.inflate(compressed, 64 * 1024);
  CHECK_FALSE(result.message);
  CHECK_THAT(result.error, Catch::Contains("more than 65536 bytes"));
  // Exactly the bound is still fine.
  Inflater exact(DeflateParams{});
  ServerDeflater server2(15, false);
  const auto at_bound = exact.inflate(server2.compress(std::string(64 * 1024, 'A')), 64 * 1024);
  CHECK(at_bound.message);
}

TEST_CASE("Inflater reports data that is not DEFLATE", "[wire][deflate]") {
  Inflater inflater(DeflateParams{});
  // BTYPE 11 is reserved (RFC 1951 §3.2.3).
  const auto result = inflater.inflate(std::string("\xff\xff\xff\xff", 4), 1 << 20);
  CHECK_FALSE(result.message);
  CHECK_THAT(result.error, Catch::Contains("not valid DEFLATE"));
}

TEST_CASE("is_permessage_deflate and offer_has_param read extension elements", "[wire][deflate]") {
  CHECK(is_permessage_deflate(kPermessageDeflateOffer));
  CHECK(is_permessage_deflate(" PerMessage-Deflate ; server_no_context_takeover"));
  CHECK_FALSE(is_permessage_deflate("x-webkit-deflate-frame"));
  CHECK(offer_has_param(kPermessageDeflateOffer, "client_max_window_bits"));
  CHECK_FALSE(offer_has_param("permessage-deflate", "client_max_window_bits"));
}

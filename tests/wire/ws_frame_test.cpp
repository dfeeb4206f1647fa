// RFC 6455 §5 framing: what wsprobe sends, and what it accepts from a server.
#include <catch2/catch.hpp>

#include "wire/utf8.hpp"

#include "wire/ws_frame.hpp"

using namespace wsprobe;
using namespace std::string_literals;

namespace {

// A client frame taken apart by hand (RFC 6455 §5.2).
struct DecodedClientFrame {
  bool fin = false;
  std::uint8_t rsv = 0;
  std::uint8_t opcode = 0;
  bool masked = false;
  int length_bits = 0;  // 7, 16 or 64: which length form the frame used
  std::uint64_t length = 0;
  std::string payload;  // unmasked
  bool exact = false;   // the frame is exactly header + mask + payload
};

DecodedClientFrame decode_client_frame(const std::string& bytes) {
  DecodedClientFrame d;
  REQUIRE(bytes.size() >= 2);
  const auto b0 = static_cast<unsigned char>(bytes[0]);
  const auto b1 = static_cast<unsigned char>(bytes[1]);
  d.fin = b0 & 0x80;
  d.rsv = (b0 >> 4) & 0x7;
  d.opcode = b0 & 0x0F;
  d.masked = b1 & 0x80;
  std::size_t pos = 2;
  d.length = b1 & 0x7F;
  d.length_bits = 7;
  if (d.length == 126) {
    REQUIRE(bytes.size() >= 4);
    d.length = (static_cast<unsigned char>(bytes[2]) << 8) | static_cast<unsigned char>(bytes[3]);
    d.length_bits = 16;
    pos = 4;
  } else if (d.length == 127) {
    REQUIRE(bytes.size() >= 10);
    d.length = 0;
    for (int i = 2; i < 10; ++i) d.length = (d.length << 8) | static_cast<unsigned char>(bytes[i]);
    d.length_bits = 64;
    pos = 10;
  }
  REQUIRE(bytes.size() >= pos + 4);
  const auto mask = bytes.substr(pos, 4);
  pos += 4;
  d.exact = bytes.size() == pos + d.length;
  d.payload = bytes.substr(pos);
  for (std::size_t i = 0; i < d.payload.size(); ++i) d.payload[i] = static_cast<char>(d.payload[i] ^ mask[i % 4]);
  return d;
}

std::string payload_of(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// A server frame: unmasked unless asked, with the shortest length form unless one is forced.
std::string server_frame(std::uint8_t first_byte, std::string_view payload, bool masked = false,
                         int length_bits = 0) {
  std::string out;
  out.push_back(static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const auto n = payload.size();
  if (length_bits == 0) length_bits = n < 126 ? 7 : n <= 0xFFFF ? 16 : 64;
  if (length_bits == 7) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (length_bits == 16) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((std::uint64_t(n) >> shift) & 0xFF));
  }
  if (masked) out.append("\x00\x00\x00\x00"s);
  out.append(payload);
  return out;
}

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9;

}  // namespace

TEST_CASE("close - ping - pong and reserved 0xB-0xF are control opcodes - data opcodes are not", "[wire]") {
  for (std::uint8_t op = 0; op <= 0xF; ++op) CHECK(is_control(static_cast<Opcode>(op)) == (op >= 0x8));
}

TEST_CASE("client frames are masked - FIN set - with the shortest length form", "[wire]") {
  struct Case {
    std::size_t size;
    int length_bits;
  };
  for (const auto& c : {Case{0, 7}, Case{1, 7}, Case{125, 7}, Case{126, 16}, Case{65535, 16}, Case{65536, 64},
                        Case{70000, 64}}) {
    SECTION(std::to_string(c.size) + " bytes") {
      const auto payload = payload_of(c.size);
      const auto frame = encode_client_frame(Opcode::binary, payload);
      const auto d = decode_client_frame(frame);
      CHECK(d.fin);
      CHECK(d.rsv == 0);
      CHECK(d.opcode == kBinary);
      CHECK(d.masked);
      CHECK(d.length_bits == c.length_bits);
      CHECK(d.length == c.size);
      CHECK(d.exact);
      CHECK(d.payload == payload);
    }
  }
}

TEST_CASE("client frames carry the opcode and a fresh mask", "[wire]") {
  for (const auto op : {Opcode::text, Opcode::binary, Opcode::close, Opcode::ping, Opcode::pong}) {
    const auto d = decode_client_frame(encode_client_frame(op, "hello"));
    CHECK(d.opcode == static_cast<std::uint8_t>(op));
    CHECK(d.payload == "hello");
  }
  // The masking key is random per frame (RFC 6455 §5.3): the same payload masks differently.
  const auto payload = payload_of(64);
  CHECK(encode_client_frame(Opcode::text, payload) != encode_client_frame(Opcode::text, payload));
  // A masked payload is not the payload in clear.
  CHECK(encode_client_frame(Opcode::text, payload).find(payload) == std::string::npos);
}

TEST_CASE("close payload: code then reason - empty payload has no code", "[wire]") {
  const auto payload = encode_close_payload(1000, "bye");
  CHECK(payload == "\x03\xe8" "bye"s);
  const auto parsed = parse_close_payload(payload);
  CHECK(parsed.code == std::optional<std::uint16_t>(1000));
  CHECK(parsed.reason == "bye");

  const auto too_big = parse_close_payload(encode_close_payload(1009, ""));
  CHECK(too_big.code == std::optional<std::uint16_t>(1009));
  CHECK(too_big.reason.empty());
  CHECK(parse_close_payload("\x0f\xa0"s).code == std::optional<std::uint16_t>(4000));

  const auto empty = parse_close_payload("");
  CHECK_FALSE(empty.code);
  CHECK(empty.reason.empty());
  // A control frame holds at most 125 bytes (RFC 6455 §5.5): the reason is cut to 123.
  CHECK(encode_close_payload(1001, std::string(300, 'r')).size() == 125);
}

TEST_CASE("the decoder hands out server frames - whole - across feeds", "[wire]") {
  const auto wire = server_frame(kFin | kText, "hello") + server_frame(kFin | kPing, "p1") +
                    server_frame(kFin | kBinary, payload_of(300));
  FrameDecoder decoder(1 << 20);
  std::vector<Frame> frames;
  // One byte at a time: a frame only comes out once all of it is in.
  for (char c : wire) {
    decoder.feed(std::string_view(&c, 1));
    while (auto frame = decoder.next()) frames.push_back(std::move(*frame));
  }
  CHECK_FALSE(decoder.error());
  CHECK(decoder.buffered() == 0);
  REQUIRE(frames.size() == 3);
  CHECK(frames[0].fin);
  CHECK(frames[0].opcode == Opcode::text);
  CHECK(frames[0].payload == "hello");
  CHECK(frames[1].opcode == Opcode::ping);
  CHECK(frames[1].payload == "p1");
  CHECK(frames[2].opcode == Opcode::binary);
  CHECK(frames[2].payload == payload_of(300));
}

TEST_CASE("the decoder reads 16-bit and 64-bit lengths", "[wire]") {
  for (const std::size_t size : {std::size_t{126}, std::size_t{65535}, std::size_t{65536}, std::size_t{100000}}) {
    SECTION(std::to_string(size) + " bytes") {
      FrameDecoder decoder(1 << 20);
      const auto frame_bytes = server_frame(kFin | kBinary, payload_of(size));
      decoder.feed(frame_bytes.substr(0, frame_bytes.size() - 1));
      CHECK_FALSE(decoder.next());
      decoder.feed(frame_bytes.substr(frame_bytes.size() - 1));
      const auto frame = decoder.next();
      REQUIRE(frame);
      CHECK(frame->payload.size() == size);
      CHECK(frame->payload == payload_of(size));
      CHECK_FALSE(decoder.error());
    }
  }
  SECTION("a small frame in a 64-bit length form") {
    FrameDecoder decoder(1024);
    decoder.feed(server_frame(kFin | kText, "hi", false, 64));
    const auto frame = decoder.next();
    REQUIRE(frame);
    CHECK(frame->payload == "hi");
  }
}

TEST_CASE("the decoder stops at frames RFC 6455 forbids from a server", "[wire]") {
  struct Case {
    std::string name;
    std::string bytes;
    std::string error_has;
  };
  const std::vector<Case> cases{
      {"masked server frame", server_frame(kFin | kText, "hi", true), "masked"},
      {"RSV1 without an extension", server_frame(kFin | 0x40 | kText, "hi"), "reserved bits"},
      {"RSV3 without an extension", server_frame(kFin | 0x10 | kBinary, "hi"), "reserved bits"},
      {"reserved data opcode 0x3", server_frame(kFin | 0x3, "hi"), "opcode 3"},
      {"reserved control opcode 0xB", server_frame(kFin | 0xB, ""), "opcode 11"},
      {"ping of 126 bytes", server_frame(kFin | kPing, payload_of(126)), "125"},
      {"fragmented close", server_frame(kClose, "\x03\xe8"), "fragmented"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      FrameDecoder decoder(1 << 20);
      decoder.feed(c.bytes);
      CHECK_FALSE(decoder.next());
      REQUIRE(decoder.error());
      CHECK_THAT(*decoder.error(), Catch::Contains(c.error_has));
      // The decoder stays stopped, whatever comes next.
      decoder.feed(server_frame(kFin | kText, "ok"));
      CHECK_FALSE(decoder.next());
    }
  }
}

TEST_CASE("a frame over the limit is refused from its header - before its payload arrives", "[wire]") {
  SECTION("16-bit length over the limit") {
    FrameDecoder decoder(1000);
    const auto frame = server_frame(kFin | kBinary, payload_of(1001));
    decoder.feed(frame.substr(0, 4));  // the header only
    CHECK_FALSE(decoder.next());
    REQUIRE(decoder.error());
    CHECK_THAT(*decoder.error(), Catch::Contains("1001") && Catch::Contains("1000"));
  }
  SECTION("a 64-bit length a hostile server cannot make us buffer") {
    FrameDecoder decoder(1 << 20);
    std::string header = "\x82\x7f"s + "\x00\x00\x01\x00\x00\x00\x00\x00"s;  // 1 TiB
    decoder.feed(header);
    CHECK_FALSE(decoder.next());
    REQUIRE(decoder.error());
    CHECK(decoder.buffered() == header.size());
  }
  SECTION("exactly the limit is fine") {
    FrameDecoder decoder(1000);
    decoder.feed(server_frame(kFin | kBinary, payload_of(1000)));
    const auto frame = decoder.next();
    REQUIRE(frame);
    CHECK(frame->payload.size() == 1000);
  }
}

TEST_CASE("the assembler joins fragments - control frames pass between them", "[wire]") {
  MessageAssembler assembler(1024);
  CHECK_FALSE(assembler.add({false, Opcode::text, "Hel"}));
  const auto ping = assembler.add({true, Opcode::ping, "p"});
  REQUIRE(ping);
  CHECK(ping->opcode == Opcode::ping);
  CHECK(ping->payload == "p");
  CHECK_FALSE(assembler.add({false, Opcode::continuation, "lo, "}));
  const auto message = assembler.add({true, Opcode::continuation, "world"});
  REQUIRE(message);
  CHECK(message->fin);
  CHECK(message->opcode == Opcode::text);
  CHECK(message->payload == "Hello, world");
  CHECK_FALSE(assembler.error());
  // An unfragmented message after it goes straight through.
  const auto whole = assembler.add({true, Opcode::binary, "x"});
  REQUIRE(whole);
  CHECK(whole->payload == "x");
}

TEST_CASE("the assembler stops at fragmentation errors and oversized messages", "[wire]") {
  SECTION("continuation without a start") {
    MessageAssembler assembler(1024);
    CHECK_FALSE(assembler.add({true, Opcode::continuation, "x"}));
    REQUIRE(assembler.error());
    CHECK_THAT(*assembler.error(), Catch::Contains("continuation"));
  }
  SECTION("a new message while one is unfinished") {
    MessageAssembler assembler(1024);
    CHECK_FALSE(assembler.add({false, Opcode::text, "a"}));
    CHECK_FALSE(assembler.add({true, Opcode::text, "b"}));
    CHECK(assembler.error());
  }
  SECTION("fragments adding up past the limit") {
    MessageAssembler assembler(10);
    CHECK_FALSE(assembler.add({false, Opcode::binary, payload_of(6)}));
    CHECK_FALSE(assembler.error());
    CHECK_FALSE(assembler.add({false, Opcode::continuation, payload_of(6)}));
    REQUIRE(assembler.error());
    CHECK_THAT(*assembler.error(), Catch::Contains("10"));
    // Stopped: even a good frame gets nothing.
    CHECK_FALSE(assembler.add({true, Opcode::text, "ok"}));
  }
  SECTION("a first frame over the limit, whole or fragmented (the bound held only when the decoder's was as small)") {
    MessageAssembler whole(10);
    CHECK_FALSE(whole.add({true, Opcode::text, payload_of(11)}));
    REQUIRE(whole.error());
    CHECK_THAT(*whole.error(), Catch::Contains("10"));
    MessageAssembler first_fragment(10);
    CHECK_FALSE(first_fragment.add({false, Opcode::binary, payload_of(11)}));
    CHECK(first_fragment.error());
    MessageAssembler at_limit(10);
    CHECK(at_limit.add({true, Opcode::text, payload_of(10)}));
  }
  SECTION("exactly the limit is fine") {
    MessageAssembler assembler(10);
    CHECK_FALSE(assembler.add({false, Opcode::binary, payload_of(5)}));
    const auto message = assembler.add({true, Opcode::continuation, payload_of(5)});
    REQUIRE(message);
    CHECK(message->payload.size() == 10);
  }
}

TEST_CASE("with permessage-deflate negotiated RSV1 marks a compressed message - only where RFC 7692 §6.1 allows",
          "[wire][deflate]") {
  SECTION("on a text frame: accepted and reported") {
    FrameDecoder decoder(1 << 20);
    decoder.allow_compressed();
    decoder.feed(server_frame(kFin | 0x40 | kText, "zz") + server_frame(kFin | kText, "plain"));
    const auto compressed = decoder.next();
    REQUIRE(compressed);
    CHECK(compressed->compressed);
    const auto plain = decoder.next();
    REQUIRE(plain);
    CHECK_FALSE(plain->compressed);
  }
  struct Case {
    std::string name;
    std::string bytes;
    std::string error_has;
  };
  const std::vector<Case> cases{
      {"RSV1 on a ping", server_frame(kFin | 0x40 | kPing, "p"), "control or continuation"},
      {"RSV1 on a continuation", server_frame(0x40 | kBinary, "a") + server_frame(kFin | 0x40, "b"),
       "control or continuation"},
      {"RSV2 still reserved", server_frame(kFin | 0x20 | kText, "hi"), "reserved bits"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      FrameDecoder decoder(1 << 20);
      decoder.allow_compressed();
      decoder.feed(c.bytes);
      while (decoder.next()) {
      }
      REQUIRE(decoder.error());
      CHECK_THAT(*decoder.error(), Catch::Contains(c.error_has));
    }
  }
}

TEST_CASE("an assembled message keeps its first frame's compressed bit", "[wire][deflate]") {
  MessageAssembler assembler(1024);
  Frame first{false, Opcode::binary, "ab"};
  first.compressed = true;
  CHECK_FALSE(assembler.add(first));
  const auto message = assembler.add({true, Opcode::continuation, "cd"});
  REQUIRE(message);
  CHECK(message->compressed);
  CHECK(message->payload == "abcd");
}

TEST_CASE("is_valid_utf8 follows RFC 3629", "[wire]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  CHECK_FALSE(is_valid_utf8("\xc3"));                                   // truncated
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));                               // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));                           // overlong, 3 bytes
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));                           // surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));                       // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\x80"));  // a continuation byte alone
}

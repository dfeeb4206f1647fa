// The permessage-deflate inflater (wire/permessage_deflate) fed any compressed messages a server
// may send: never more output than the bound, unusable after an error; and messages compressed
// the way a server does (raw DEFLATE, sync flush, 00 00 ff ff stripped, RFC 7692 §7.2.1) come
// back as they were, with the window kept across messages.
#include <zlib.h>

#include <array>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "wire/permessage_deflate.hpp"

using namespace wsprobe;

namespace {

// A server's compressor: one DEFLATE stream for the connection, one sync flush per message.
class ServerDeflater {
 public:
  ServerDeflater() { FUZZ_CHECK(deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK); }
  ~ServerDeflater() { deflateEnd(&z_); }
  ServerDeflater(const ServerDeflater&) = delete;
  ServerDeflater& operator=(const ServerDeflater&) = delete;

  std::string compress(std::string_view message) {
    std::string out;
    std::array<unsigned char, 4096> chunk{};
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
    z_.avail_in = static_cast<uInt>(message.size());
    do {
      z_.next_out = chunk.data();
      z_.avail_out = chunk.size();
      FUZZ_CHECK(deflate(&z_, Z_SYNC_FLUSH) != Z_STREAM_ERROR);
      out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - z_.avail_out);
    } while (z_.avail_out == 0);
    FUZZ_CHECK(out.size() >= 4 && out.substr(out.size() - 4) == std::string_view("\x00\x00\xff\xff", 4));
    out.resize(out.size() - 4);
    return out;
  }

 private:
  z_stream z_{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  DeflateParams params;
  params.server_no_context_takeover = input.ConsumeBool();
  const auto bound = input.ConsumeIntegralInRange<std::size_t>(0, 256 * 1024);
  std::vector<std::string> messages;
  for (int i = 0; i < 4 && input.remaining_bytes() > 0; ++i) messages.push_back(input.ConsumeRandomLengthString());

  // Hostile input: whatever the bytes, bounded output, and no use after an error.
  Inflater hostile(params);
  bool broken = false;
  for (const auto& message : messages) {
    const auto result = hostile.inflate(message, bound);
    FUZZ_CHECK(result.message.has_value() == result.error.empty());
    FUZZ_CHECK(!broken || !result.message);
    if (result.message) FUZZ_CHECK(result.message->size() <= bound);
    broken = broken || !result.message;
  }

  // Round trip: the same messages as plaintext, compressed as a server would, the window kept.
  ServerDeflater server;
  Inflater client(DeflateParams{});
  for (const auto& message : messages) {
    if (message.empty()) continue;  // a sync flush with nothing new to flush writes nothing at all
    const auto result = client.inflate(server.compress(message), message.size());
    FUZZ_CHECK(result.message && *result.message == message);
  }
  return 0;
}

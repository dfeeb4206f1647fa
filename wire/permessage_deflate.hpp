#pragma once
// permessage-deflate (RFC 7692), client side: the offer, the checks on a server's answer, and an
// inflater for the server's compressed messages. wsprobe never compresses what it sends: an
// uncompressed message is legal under the extension (RFC 7692 §6), and the probe's own payloads
// are small.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wsprobe {

// The offer --compress sends (RFC 7692 §7.1): client_max_window_bits without a value says the
// client can take whatever window the server picks for it.
inline constexpr std::string_view kPermessageDeflateOffer = "permessage-deflate; client_max_window_bits";

// The parameters a server's answer settled on (RFC 7692 §7.1); absent parameters keep RFC defaults.
struct DeflateParams {
  bool server_no_context_takeover = false;  // each server message starts with an empty window
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
};

// Whether an extension element ("name; param; param=value") names permessage-deflate.
bool is_permessage_deflate(std::string_view element);

// Whether an offer element carries a parameter of this name (as client_max_window_bits).
bool offer_has_param(std::string_view element, std::string_view name);

struct DeflateAnswer {
  std::optional<DeflateParams> params;  // set when the answer is valid
  std::string error;                    // why not, in words
};

// Checks a server's permessage-deflate element as RFC 7692 §7.1 requires of a client: only the
// four parameters, each at most once, no value on the *_no_context_takeover ones, window bits a
// decimal 8..15 without leading zeros (a quoted-string allowed, RFC 6455 §9.1), and
// client_max_window_bits only when the offer carried it.
DeflateAnswer parse_deflate_answer(std::string_view element, bool client_max_window_bits_offered);

// Inflates the server's compressed messages (RFC 7692 §7.2.2): appends the 00 00 ff ff the
// sender stripped, keeps the LZ77 window across messages unless server_no_context_takeover, and
// refuses to produce more than a bound, so a small hostile message cannot exhaust memory.
class Inflater {
 public:
  explicit Inflater(const DeflateParams& params);
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  struct Result {
    std::optional<std::string> message;  // the inflated payload
    std::string error;                   // corrupt data, or the output bound exceeded
  };
  // One message's payload, as its frames carried it (joined). After an error the inflater is
  // unusable: the connection is failed anyway (RFC 6455 §7.1.7).
  Result inflate(std::string_view compressed, std::size_t max_output_bytes);

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  bool reset_each_message_;
};

}  // namespace wsprobe

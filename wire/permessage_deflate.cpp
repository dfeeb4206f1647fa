#include "wire/permessage_deflate.hpp"

#include <zlib.h>

#include <array>
#include <vector>

#include "wire/http_response.hpp"

namespace wsprobe {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Param {
  std::string name;
  std::optional<std::string> value;
  bool malformed = false;  // an unterminated quoted-string
};

// "name; a; b=c; d=\"e\"" -> the name, then each parameter (RFC 6455 §9.1 extension ABNF).
std::vector<Param> split_params(std::string_view element, std::string_view& name) {
  std::vector<Param> out;
  auto semicolon = element.find(';');
  name = trim(element.substr(0, semicolon));
  while (semicolon != std::string_view::npos) {
    element.remove_prefix(semicolon + 1);
    semicolon = element.find(';');
    const auto text = element.substr(0, semicolon);
    Param param;
    const auto equals = text.find('=');
    param.name = std::string(trim(text.substr(0, equals)));
    if (equals != std::string_view::npos) {
      auto value = trim(text.substr(equals + 1));
      if (value.starts_with('"')) {
        // A quoted-string value must unescape to a token (RFC 6455 §9.1).
        std::string unquoted;
        bool closed = false;
        for (std::size_t i = 1; i < value.size(); ++i) {
          if (value[i] == '\\' && i + 1 < value.size()) {
            unquoted.push_back(value[++i]);
          } else if (value[i] == '"') {
            closed = i + 1 == value.size();
            break;
          } else {
            unquoted.push_back(value[i]);
          }
        }
        param.malformed = !closed;
        param.value = std::move(unquoted);
      } else {
        param.value = std::string(value);
      }
    }
    out.push_back(std::move(param));
  }
  return out;
}

// RFC 7692 §7.1.2: a decimal integer from 8 to 15, no leading zeros.
std::optional<int> window_bits(const std::optional<std::string>& value) {
  if (!value || value->empty() || value->size() > 2) return std::nullopt;
  if (value->front() == '0') return std::nullopt;
  int bits = 0;
  for (const char c : *value) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
  }
  if (bits < 8 || bits > 15) return std::nullopt;
  return bits;
}

}  // namespace

bool is_permessage_deflate(std::string_view element) {
  return iequals(trim(element.substr(0, element.find(';'))), "permessage-deflate");
}

bool offer_has_param(std::string_view element, std::string_view name) {
  std::string_view ignored;
  for (const auto& param : split_params(element, ignored))
    if (iequals(param.name, name)) return true;
  return false;
}

DeflateAnswer parse_deflate_answer(std::string_view element, bool client_max_window_bits_offered) {
  std::string_view name;
  const auto params = split_params(element, name);
  DeflateParams out;
  std::vector<std::string> seen;
  for (const auto& param : params) {
    for (const auto& earlier : seen)
      if (iequals(earlier, param.name)) return {std::nullopt, "parameter " + param.name + " appears twice"};
    seen.push_back(param.name);
    const auto shown = param.name + (param.value ? "=" + *param.value : "");
    if (param.malformed) return {std::nullopt, "parameter " + param.name + " has an unterminated quoted value"};
    if (iequals(param.name, "server_no_context_takeover") || iequals(param.name, "client_no_context_takeover")) {
      if (param.value) return {std::nullopt, "parameter " + shown + " takes no value"};
      (iequals(param.name, "server_no_context_takeover") ? out.server_no_context_takeover
                                                         : out.client_no_context_takeover) = true;
    } else if (iequals(param.name, "server_max_window_bits")) {
      const auto bits = window_bits(param.value);
      if (!bits) return {std::nullopt, "parameter " + shown + " is not a window size from 8 to 15"};
      out.server_max_window_bits = *bits;
    } else if (iequals(param.name, "client_max_window_bits")) {
      if (!client_max_window_bits_offered)
        return {std::nullopt, "parameter client_max_window_bits was not offered"};
      // In an answer the parameter must carry the size the server chose (RFC 7692 §7.1.2.2).
      const auto bits = window_bits(param.value);
      if (!bits) return {std::nullopt, "parameter " + shown + " is not a window size from 8 to 15"};
      out.client_max_window_bits = *bits;
    } else {
      return {std::nullopt, "unknown parameter " + shown};
    }
  }
  return {out, {}};
}

struct Inflater::Stream {
  z_stream z{};
  bool ready = false;
  bool broken = false;
};

Inflater::Inflater(const DeflateParams& params)
    : stream_(std::make_unique<Stream>()), reset_each_message_(params.server_no_context_takeover) {
  // Always the largest window: a stream compressed with a smaller one inflates the same, and a
  // zlib server asked for 8 bits really uses 9 (zlib's deflate() has no 256-byte window), so
  // honouring a small server_max_window_bits literally would break on valid messages.
  stream_->ready = inflateInit2(&stream_->z, -15) == Z_OK;
}

Inflater::~Inflater() {
  if (stream_->ready) inflateEnd(&stream_->z);
}

Inflater::Result Inflater::inflate(std::string_view compressed, std::size_t max_output_bytes) {
  auto& z = stream_->z;
  if (!stream_->ready || stream_->broken) return {std::nullopt, "the inflater is unusable after an earlier error"};
  // RFC 7692 §7.2.2: the sender removed the empty stored block that ends a sync flush.
  std::string input(compressed);
  input.append("\x00\x00\xff\xff", 4);
  z.next_in = reinterpret_cast<Bytef*>(input.data());
  z.avail_in = static_cast<uInt>(input.size());
  std::string out;
  std::array<char, 16 * 1024> chunk{};
  auto fail = [&](std::string error) {
    stream_->broken = true;
    return Result{std::nullopt, std::move(error)};
  };
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    const int ret = ::inflate(&z, Z_SYNC_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
      return fail("the compressed message is not valid DEFLATE data (" + std::string(z.msg ? z.msg : "zlib error") + ")");
    const auto produced = chunk.size() - z.avail_out;
    if (out.size() + produced > max_output_bytes)
      return fail("the compressed message inflates to more than " + std::to_string(max_output_bytes) + " bytes");
    out.append(chunk.data(), produced);
    if (ret == Z_STREAM_END) {
      // A block with BFINAL set ends the DEFLATE stream (RFC 7692 §7.2.3.3): the next message
      // starts a new one.
      inflateReset(&z);
      break;
    }
    // Done when all input is in and zlib had room to spare (nothing more is pending).
    if (z.avail_in == 0 && z.avail_out != 0) break;
    if (ret == Z_BUF_ERROR && produced == 0) break;
  }
  if (reset_each_message_) inflateReset(&z);
  return {std::move(out), {}};
}

}  // namespace wsprobe

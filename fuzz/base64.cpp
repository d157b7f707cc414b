// Fuzz target: the two base64 codecs — protocol's (Binary attribute values in SQS answers:
// unpadded input accepted) and sqsctl's (--binary / send-batch BinaryValue: canonical padded
// input only). DIFFERENTIAL against a naive reference written here from RFC 4648 §4 (a 64-entry
// table, 6 bits at a time): encoding agrees byte for byte, decode(encode(x)) == x, and decoding
// arbitrary text agrees on accept/refuse and on the bytes. The reference's rules: only the
// alphabet, at most two '=' and only at the end, where they complete the last group of four;
// protocol also takes the unpadded form (a last group of 2 or 3 characters), never a lone
// character; the unused low bits of the last character are ignored (as OpenSSL does).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base64.hpp"  // tools/sqsctl
#include "fuzz_common.hpp"
#include "protocol/base64.hpp"

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string ref_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    n += 8;
    while (n >= 6) {
      n -= 6;
      out += kAlphabet[(bits >> n) & 63];
    }
  }
  if (n > 0) out += kAlphabet[(bits << (6 - n)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// Decodes `text`; `padded_only`: the length must be a multiple of 4 (sqsctl's rule).
std::optional<std::string> ref_decode(std::string_view text, bool padded_only) {
  std::size_t pads = 0;
  while (pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
  const std::string_view data = text.substr(0, text.size() - pads);
  if (pads > 2) return std::nullopt;
  if (pads > 0 && text.size() % 4 != 0) return std::nullopt;
  if (padded_only && text.size() % 4 != 0) return std::nullopt;
  if (data.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (char c : data) {
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out += static_cast<char>((bits >> n) & 0xFF);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  sqs_fuzz::no_exception(__FILE__, [&] {
    // Encoding, and the round trip.
    const std::string encoded = sqs::protocol::base64_encode(input);
    FUZZ_CHECK(encoded == ref_encode(input));
    FUZZ_CHECK(sqsctl::base64_encode(input) == encoded);
    std::string appended = "prefix";
    sqs::protocol::base64_append(appended, input);
    FUZZ_CHECK(appended == "prefix" + encoded);
    std::string back = "junk";
    FUZZ_CHECK(sqs::protocol::base64_decode(encoded, back));
    FUZZ_CHECK(back == input);
    FUZZ_CHECK(sqsctl::base64_decode(encoded) == std::optional<std::string>(input));

    // Decoding the input as text.
    const auto expected = ref_decode(input, false);
    std::string out = "junk";
    const bool ok = sqs::protocol::base64_decode(input, out);
    FUZZ_CHECK_MSG(ok == expected.has_value(), ok ? "accepted" : "refused");
    if (ok) FUZZ_CHECK(out == *expected);
    const auto strict = sqsctl::base64_decode(input);
    FUZZ_CHECK_MSG(strict == ref_decode(input, true),
                   strict ? "sqsctl accepted" : "sqsctl refused");
  });
  return 0;
}

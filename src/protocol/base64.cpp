#include "protocol/base64.hpp"

#include <openssl/evp.h>

#include <array>
#include <limits>

namespace sqs::protocol {
namespace {

constexpr std::array<bool, 256> make_alphabet() {
  std::array<bool, 256> a{};
  for (int c = 'A'; c <= 'Z'; ++c) a[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) a[c] = true;
  for (int c = '0'; c <= '9'; ++c) a[c] = true;
  a['+'] = true;
  a['/'] = true;
  return a;
}
constexpr std::array<bool, 256> kAlphabet = make_alphabet();

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

void base64_append(std::string& out, std::string_view bytes) {
  if (bytes.empty()) return;
  const std::size_t encoded = 4 * ((bytes.size() + 2) / 3);
  const std::size_t old = out.size();
  out.resize(old + encoded + 1);  // EVP_EncodeBlock writes a terminating NUL
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + old);
  // SQS messages are at most a few MiB, far below INT_MAX.
  EVP_EncodeBlock(dst, bytes_of(bytes), static_cast<int>(bytes.size()));
  out.resize(old + encoded);
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_append(out, bytes);
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.empty()) return true;
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) return false;
  // EVP_DecodeBlock is lax about '=' inside the text and needs padding: check strictly first.
  std::size_t data = text.size();
  std::size_t padding = 0;
  while (data > 0 && padding < 2 && text[data - 1] == '=') {
    --data;
    ++padding;
  }
  for (std::size_t i = 0; i < data; ++i) {
    if (!kAlphabet[static_cast<unsigned char>(text[i])]) return false;
  }
  const std::size_t total = data + padding;
  if (padding > 0 && total % 4 != 0) return false;  // '=' where no padding belongs
  if (data % 4 == 1) return false;                  // no byte ends after 6 bits
  std::string padded;
  std::string_view input = text;
  if (total % 4 != 0) {  // unpadded input: OpenSSL insists on padding
    padded.assign(text);
    padded.append(4 - total % 4, '=');
    input = padded;
  }
  const std::size_t missing = (4 - data % 4) % 4;  // decoded zero bytes produced by the padding
  out.resize(input.size() / 4 * 3);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(input),
                                static_cast<int>(input.size()));
  if (n < 0) return false;
  out.resize(static_cast<std::size_t>(n) - missing);
  return true;
}

}  // namespace sqs::protocol

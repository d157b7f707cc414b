// MD5 digests: the plain hex digest and SQS's digest of message attributes.
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>

#include "protocol/checksum.hpp"

namespace sqs::protocol {
namespace {

// Fetching the algorithm is the slow part of EVP; do it once per process.
const EVP_MD* md5_algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

// One context per thread, re-initialised for each digest (cheaper than new/free per call).
EVP_MD_CTX* thread_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

std::string to_hex(const unsigned char* digest, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * size, '\0');
  for (unsigned int i = 0; i < size; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return hex;
}

void append_u32(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  const char be[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                      static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(be, 4);
}

void append_field(std::string& out, std::string_view bytes) {
  append_u32(out, bytes.size());
  out.append(bytes);
}

}  // namespace

std::string md5_hex(std::string_view data) {
  EVP_MD_CTX* ctx = thread_context();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (md5_algorithm() == nullptr || ctx == nullptr ||
      EVP_DigestInit_ex2(ctx, md5_algorithm(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, &size) != 1) {
    // Only when MD5 is unavailable (a FIPS-only OpenSSL): an empty digest matches nothing, so
    // every verification fails loudly instead of passing silently.
    return {};
  }
  return to_hex(digest, size);
}

std::string md5_of_message_attributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return {};
  // Serialise everything first and digest once: a single EVP update beats one per field.
  thread_local std::string buffer;
  buffer.clear();
  for (const auto& [name, value] : attributes) {
    append_field(buffer, name);
    append_field(buffer, value.data_type);
    if (value.is_binary()) {
      buffer.push_back(2);
      append_field(buffer, value.binary_value);
    } else {
      buffer.push_back(1);
      append_field(buffer, value.string_value);
    }
  }
  std::string hex = md5_hex(buffer);
  if (buffer.capacity() > 64 * 1024) std::string().swap(buffer);  // don't pin large messages
  return hex;
}

}  // namespace sqs::protocol

// SHA-256 and HMAC-SHA-256 on OpenSSL 3, shaped for the signing hot path. OpenSSL 3's
// EVP_DigestInit frees and reallocates the provider context and consults the engine table (a
// global lock) on every call, so instead each thread keeps an initialised context and a work
// context, and every hash starts by copying the former into the latter. An HmacSha256Key keeps
// the contexts that have absorbed the key's inner and outer pads, which also saves two
// compression rounds per MAC.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace sqs::auth {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);

// A MAC key, prepared once. mac() is const and may be called from several threads at once.
class HmacSha256Key {
 public:
  // RFC 2104: keys longer than a block are hashed first.
  explicit HmacSha256Key(std::string_view key);
  explicit HmacSha256Key(const Sha256Digest& key)
      : HmacSha256Key(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) {}
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  Sha256Digest mac(std::string_view data) const;

 private:
  EVP_MD_CTX* inner_;  // state after absorbing key ^ ipad
  EVP_MD_CTX* outer_;  // state after absorbing key ^ opad
};

inline Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).mac(data);
}
inline Sha256Digest hmac_sha256(const Sha256Digest& key, std::string_view data) {
  return HmacSha256Key(key).mac(data);
}

// Lower-case hex, as SigV4 wants it.
void append_hex(std::string& out, const Sha256Digest& digest);
std::string to_hex(const Sha256Digest& digest);

// Overwrites memory that held a secret so it does not linger in freed heap blocks.
void secure_wipe(void* data, std::size_t size) noexcept;

}  // namespace sqs::auth

// SHA-256 and HMAC-SHA-256 on OpenSSL 3, shaped for the signing hot path: the algorithm is
// fetched once per process and each thread reuses its own digest context, so a call costs the
// hashing itself and no provider look-up or allocation.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace sqs::auth {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);

// HMAC-SHA-256 (RFC 2104). Keys longer than a block are hashed first, as the RFC says.
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
inline Sha256Digest hmac_sha256(const Sha256Digest& key, std::string_view data) {
  return hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), data);
}

// Lower-case hex, as SigV4 wants it.
void append_hex(std::string& out, const Sha256Digest& digest);
std::string to_hex(const Sha256Digest& digest);

// Overwrites memory that held a secret so it does not linger in freed heap blocks.
void secure_wipe(void* data, std::size_t size) noexcept;

}  // namespace sqs::auth

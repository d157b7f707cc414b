#include "auth/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <new>

namespace sqs::auth {
namespace {

constexpr std::size_t kBlockSize = 64;

// Explicit fetch: the implicit form (EVP_sha256() passed to EVP_DigestInit) makes OpenSSL 3
// look the algorithm up in the provider store on every init.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw std::bad_alloc();
    return fetched;  // lives as long as the process
  }();
  return md;
}

// One reusable digest context per thread.
class ThreadDigest {
 public:
  ThreadDigest() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr) throw std::bad_alloc();
  }
  ~ThreadDigest() { EVP_MD_CTX_free(ctx_); }
  ThreadDigest(const ThreadDigest&) = delete;
  ThreadDigest& operator=(const ThreadDigest&) = delete;

  void init() {
    if (EVP_DigestInit_ex2(ctx_, sha256_md(), nullptr) != 1) throw std::bad_alloc();
  }
  void update(const void* data, std::size_t size) {
    if (size != 0) EVP_DigestUpdate(ctx_, data, size);
  }
  Sha256Digest final() {
    Sha256Digest out;
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_, out.data(), &size);
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

ThreadDigest& thread_digest() {
  thread_local ThreadDigest digest;
  return digest;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  ThreadDigest& d = thread_digest();
  d.init();
  d.update(data.data(), data.size());
  return d.final();
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  // Hand-rolled on the cached digest rather than EVP_MAC / HMAC(), which fetch the HMAC and
  // digest implementations and allocate three contexts per call.
  std::array<unsigned char, kBlockSize> pad{};
  if (key.size() > kBlockSize) {
    const Sha256Digest hashed = sha256(key);
    std::memcpy(pad.data(), hashed.data(), hashed.size());
  } else {
    std::memcpy(pad.data(), key.data(), key.size());
  }
  for (auto& b : pad) b ^= 0x36;

  ThreadDigest& d = thread_digest();
  d.init();
  d.update(pad.data(), pad.size());
  d.update(data.data(), data.size());
  const Sha256Digest inner = d.final();

  for (auto& b : pad) b ^= 0x36 ^ 0x5c;
  d.init();
  d.update(pad.data(), pad.size());
  d.update(inner.data(), inner.size());
  Sha256Digest out = d.final();
  secure_wipe(pad.data(), pad.size());
  return out;
}

void append_hex(std::string& out, const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + 2 * digest.size());
  char* p = out.data() + at;
  for (unsigned char b : digest) {
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 0xf];
  }
}

std::string to_hex(const Sha256Digest& digest) {
  std::string out;
  append_hex(out, digest);
  return out;
}

void secure_wipe(void* data, std::size_t size) noexcept {
  OPENSSL_cleanse(data, size);
}

}  // namespace sqs::auth

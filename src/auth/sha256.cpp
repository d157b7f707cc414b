#include "auth/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <new>

namespace sqs::auth {
namespace {

constexpr std::size_t kBlockSize = 64;

// Explicit fetch, once: passing EVP_sha256() makes OpenSSL 3 look the implementation up in the
// provider store again.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw std::bad_alloc();
    return fetched;  // lives as long as the process
  }();
  return md;
}

EVP_MD_CTX* new_ctx() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) throw std::bad_alloc();
  return ctx;
}

EVP_MD_CTX* new_initialised_ctx() {
  EVP_MD_CTX* ctx = new_ctx();
  if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::bad_alloc();
  }
  return ctx;
}

void copy_ctx(EVP_MD_CTX* to, const EVP_MD_CTX* from) {
  if (EVP_MD_CTX_copy_ex(to, from) != 1) throw std::bad_alloc();
}

void update(EVP_MD_CTX* ctx, const void* data, std::size_t size) {
  if (size != 0) EVP_DigestUpdate(ctx, data, size);
}

Sha256Digest finish(EVP_MD_CTX* ctx) {
  Sha256Digest out;
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &size);
  return out;
}

// Per thread: a context fresh from init (never modified after) and one to hash in.
struct ThreadContexts {
  ThreadContexts() : fresh(new_initialised_ctx()), work(new_ctx()) {}
  ~ThreadContexts() {
    EVP_MD_CTX_free(fresh);
    EVP_MD_CTX_free(work);
  }
  ThreadContexts(const ThreadContexts&) = delete;
  ThreadContexts& operator=(const ThreadContexts&) = delete;
  EVP_MD_CTX* fresh;
  EVP_MD_CTX* work;
};

ThreadContexts& thread_contexts() {
  thread_local ThreadContexts contexts;
  return contexts;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  ThreadContexts& t = thread_contexts();
  copy_ctx(t.work, t.fresh);
  update(t.work, data.data(), data.size());
  return finish(t.work);
}

HmacSha256Key::HmacSha256Key(std::string_view key)
    : inner_(new_initialised_ctx()), outer_(nullptr) {
  try {
    outer_ = new_initialised_ctx();
  } catch (...) {
    EVP_MD_CTX_free(inner_);
    throw;
  }
  std::array<unsigned char, kBlockSize> pad{};
  if (key.size() > kBlockSize) {
    const Sha256Digest hashed = sha256(key);
    std::memcpy(pad.data(), hashed.data(), hashed.size());
  } else {
    std::memcpy(pad.data(), key.data(), key.size());
  }
  for (auto& b : pad) b ^= 0x36;
  update(inner_, pad.data(), pad.size());
  for (auto& b : pad) b ^= 0x36 ^ 0x5c;
  update(outer_, pad.data(), pad.size());
  secure_wipe(pad.data(), pad.size());
}

HmacSha256Key::~HmacSha256Key() {
  EVP_MD_CTX_free(inner_);  // frees and cleanses the provider contexts
  EVP_MD_CTX_free(outer_);
}

Sha256Digest HmacSha256Key::mac(std::string_view data) const {
  ThreadContexts& t = thread_contexts();
  copy_ctx(t.work, inner_);
  update(t.work, data.data(), data.size());
  const Sha256Digest inner = finish(t.work);
  copy_ctx(t.work, outer_);
  update(t.work, inner.data(), inner.size());
  return finish(t.work);
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

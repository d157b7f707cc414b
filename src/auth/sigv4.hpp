// AWS Signature Version 4 for request headers, as a pure function of the request, the
// credentials and the time. The derived signing key is cached per (secret, date, region,
// service), so the hot path is three SHA-256 (the secret's fingerprint for the cache look-up,
// the payload, the canonical request) and one HMAC.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/canonical_request.hpp"
#include "auth/sha256.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

struct SigningInput {
  std::string_view method;              // "POST"
  std::string_view path;                // raw (not yet encoded) path, e.g. "/"
  std::string_view query;               // query string as sent, without '?'; may be empty
  std::span<const HeaderView> headers;  // every header to sign; must include host
  std::string_view payload;             // request body
  std::string_view region;
  std::string_view service;  // "sqs"
  std::chrono::system_clock::time_point time;
  bool normalize_path = true;  // false only for S3
  // Hex SHA-256 of the payload when the caller already has it (a retry re-signs the same body),
  // or "UNSIGNED-PAYLOAD"; empty: computed from `payload`.
  std::string_view payload_hash;
  // Sign an x-amz-content-sha256 header holding the payload hash (S3 style). The caller adds
  // the header with SignedHeaders::payload_hash as its value.
  bool add_content_sha256_header = false;
  // false: the session token is returned in SignedHeaders::security_token to be sent, but not
  // signed (the few services that want it added after signing). SQS signs it.
  bool sign_security_token = true;
};

// What to add to the request: X-Amz-Date, Authorization and (with a session token)
// X-Amz-Security-Token. The intermediate strings are kept for tests and debugging: they are
// built on the way anyway, so keeping them costs nothing.
struct SignedHeaders {
  std::string amz_date;        // 20150830T123600Z
  std::string security_token;  // empty without session token
  std::string authorization;
  std::string payload_hash;  // hex SHA-256 of the payload (or the given payload_hash)
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

class Signer {
 public:
  // Thread-safe. The credentials must hold an access key id and a secret.
  SignedHeaders sign(const SigningInput& input, const Credentials& credentials);

 private:
  struct CachedKey {
    Sha256Digest secret_hash;  // SHA-256 of the secret: never keep a second copy in clear
    std::string date, region, service;
    // Shared so that a thread still signing with an evicted key keeps it alive.
    std::shared_ptr<const HmacSha256Key> key;
  };
  std::shared_ptr<const HmacSha256Key> signing_key(const Credentials& credentials,
                                                   std::string_view date, std::string_view region,
                                                   std::string_view service);

  static constexpr std::size_t kMaxCachedKeys = 16;
  std::mutex mutex_;
  std::vector<CachedKey> cache_;
};

// Helpers exposed for tests.
std::string sha256_hex(std::string_view data);

}  // namespace sqs::auth

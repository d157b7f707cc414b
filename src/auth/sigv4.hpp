// AWS Signature Version 4 for request headers, as a pure function of the request, the
// credentials and the time. The derived signing key is cached per (secret, date, region,
// service) so the hot path is two SHA-256 and two HMAC.
#pragma once

#include <chrono>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sqs/credentials.hpp"

namespace sqs::auth {

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

struct SigningInput {
  std::string_view method;               // "POST"
  std::string_view path;                 // raw (not yet encoded) path, e.g. "/"
  std::string_view query;                // raw query string without '?', may be empty
  std::span<const HeaderView> headers;   // every header to sign; must include host
  std::string_view payload;              // request body
  std::string_view region;
  std::string_view service;              // "sqs"
  std::chrono::system_clock::time_point time;
  bool normalize_path = true;            // false only for S3
};

// What to add to the request: X-Amz-Date, Authorization and (with a session token)
// X-Amz-Security-Token. The intermediate strings are kept for tests and debugging.
struct SignedHeaders {
  std::string amz_date;            // 20150830T123600Z
  std::string security_token;      // empty without session token
  std::string authorization;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

class Signer {
 public:
  // Thread-safe.
  SignedHeaders sign(const SigningInput& input, const Credentials& credentials);

 private:
  struct CachedKey {
    std::string secret_hash;  // SHA-256 of the secret: never keep a second copy in clear
    std::string date, region, service;
    std::string key;          // 32 bytes
  };
  std::mutex mutex_;
  std::vector<CachedKey> cache_;
};

// Helpers exposed for tests.
std::string sha256_hex(std::string_view data);
std::string uri_encode(std::string_view s, bool encode_slash);

}  // namespace sqs::auth

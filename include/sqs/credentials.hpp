// AWS credentials as a value, and the providers that find them (explicit, environment, shared
// files with profiles). A provider caches and refreshes; the client asks it before each call.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "sqs/error.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  // When temporary credentials stop working; nullopt for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;
  friend bool operator==(const Credentials&, const Credentials&) = default;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Thread-safe. Returns the current credentials, or a configuration error saying where it
  // looked (never printing a secret).
  virtual Result<Credentials> credentials() = 0;
};

// Always answers the given credentials.
std::shared_ptr<CredentialsProvider> make_static_credentials_provider(Credentials credentials);

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (read at each call).
std::shared_ptr<CredentialsProvider> make_environment_credentials_provider();

// aws_access_key_id / aws_secret_access_key / aws_session_token of a profile in the shared
// credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) and then the
// shared config file (AWS_CONFIG_FILE, default ~/.aws/config, section "profile NAME").
// profile: empty means AWS_PROFILE, else "default".
std::shared_ptr<CredentialsProvider> make_profile_credentials_provider(std::string profile = {});

// The standard chain: environment, then the profile files. The first that answers wins and is
// remembered.
std::shared_ptr<CredentialsProvider> make_default_credentials_provider(std::string profile = {});

}  // namespace sqs

#pragma GCC visibility pop

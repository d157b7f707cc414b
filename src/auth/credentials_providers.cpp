// The credential providers of include/sqs/credentials.hpp. Error messages name variables,
// files and profiles, never a key, secret or token.
#include <mutex>
#include <utility>
#include <vector>

#include "auth/environment.hpp"
#include "auth/shared_config.hpp"
#include "sqs/credentials.hpp"

namespace sqs {
namespace {

constexpr const char* kNotFound = "CredentialsNotFound";
constexpr const char* kIncomplete = "IncompleteCredentials";

Error not_found(std::string message) {
  return Error::make(ErrorKind::configuration, kNotFound, std::move(message));
}

Error incomplete(std::string message) {
  return Error::make(ErrorKind::configuration, kIncomplete, std::move(message));
}

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials c) : credentials_(std::move(c)) {}
  Result<Credentials> credentials() override {
    if (credentials_.access_key_id.empty() || credentials_.secret_access_key.empty()) {
      return incomplete("explicit credentials need both an access key id and a secret access key");
    }
    return credentials_;
  }

 private:
  const Credentials credentials_;
};

class EnvironmentProvider final : public CredentialsProvider {
 public:
  Result<Credentials> credentials() override {
    auto key = auth::env_var("AWS_ACCESS_KEY_ID");
    auto secret = auth::env_var("AWS_SECRET_ACCESS_KEY");
    if (!key && !secret) {
      return not_found("environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    }
    if (!secret)
      return incomplete("environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    if (!key)
      return incomplete("environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    Credentials c;
    c.access_key_id = std::move(*key);
    c.secret_access_key = std::move(*secret);
    c.session_token = auth::env_var("AWS_SESSION_TOKEN").value_or("");
    return c;
  }
};

std::string describe_file(const std::string& path, bool found) {
  return path + (found ? "" : " (not found)");
}

// Settings that name a way of getting credentials this library does not implement yet; naming
// them in the error saves the user a search.
constexpr const char* kUnsupportedSources[] = {
    "role_arn",    "credential_process", "web_identity_token_file",
    "sso_session", "sso_start_url",      "credential_source"};

Result<Credentials> load_profile_credentials(const std::string& requested) {
  const auto cfg = auth::SharedConfig::load();
  const std::string name = auth::SharedConfig::profile_name(requested);
  const std::string where =
      "shared credentials file " + describe_file(cfg.credentials_path(), cfg.credentials_found()) +
      " and shared config file " + describe_file(cfg.config_path(), cfg.config_found());
  const auth::Profile* p = cfg.profile(name);
  if (p == nullptr) return not_found("profile '" + name + "' not found in " + where);

  auto key = p->get("aws_access_key_id");
  auto secret = p->get("aws_secret_access_key");
  if (!key && !secret) {
    for (const char* setting : kUnsupportedSources) {
      if (p->get(setting)) {
        return not_found("profile '" + name + "' gets credentials through '" + setting +
                         "', which is not supported; looked in " + where);
      }
    }
    return not_found("profile '" + name + "' has no aws_access_key_id / aws_secret_access_key in " +
                     where);
  }
  if (!key || !secret) {
    return incomplete("profile '" + name + "' has " +
                      (key ? "aws_access_key_id but no aws_secret_access_key"
                           : "aws_secret_access_key but no aws_access_key_id") +
                      " in " + where);
  }
  Credentials c;
  c.access_key_id = std::move(*key);
  c.secret_access_key = std::move(*secret);
  // aws_security_token: the name older tools wrote.
  c.session_token = p->get("aws_session_token").value_or(p->get("aws_security_token").value_or(""));
  return c;
}

// Reads the files once: credentials() is called before every request. A failed load is not
// remembered, so a file written later is picked up.
class ProfileProvider final : public CredentialsProvider {
 public:
  explicit ProfileProvider(std::string profile) : profile_(std::move(profile)) {}
  Result<Credentials> credentials() override {
    std::lock_guard lock(mutex_);
    if (cached_) return *cached_;
    auto result = load_profile_credentials(profile_);
    if (result) cached_ = *result;
    return result;
  }

 private:
  const std::string profile_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

class DefaultChain final : public CredentialsProvider {
 public:
  explicit DefaultChain(std::string profile)
      : chain_{make_environment_credentials_provider(),
               make_profile_credentials_provider(std::move(profile))} {}

  Result<Credentials> credentials() override {
    std::shared_ptr<CredentialsProvider> winner;
    {
      std::lock_guard lock(mutex_);
      winner = winner_;
    }
    if (winner) {
      auto result = winner->credentials();
      if (result) return result;  // else the source went away: search again
    }
    std::string looked;
    for (const auto& provider : chain_) {
      auto result = provider->credentials();
      if (result) {
        std::lock_guard lock(mutex_);
        winner_ = provider;
        return result;
      }
      // A half-configured source is a mistake to report, not to silently skip past.
      if (result.error().code != kNotFound) return result;
      if (!looked.empty()) looked += "; ";
      looked += result.error().message;
    }
    return not_found("no AWS credentials found. Looked in: " + looked);
  }

 private:
  const std::vector<std::shared_ptr<CredentialsProvider>> chain_;
  std::mutex mutex_;
  std::shared_ptr<CredentialsProvider> winner_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> make_static_credentials_provider(Credentials credentials) {
  return std::make_shared<StaticProvider>(std::move(credentials));
}

std::shared_ptr<CredentialsProvider> make_environment_credentials_provider() {
  return std::make_shared<EnvironmentProvider>();
}

std::shared_ptr<CredentialsProvider> make_profile_credentials_provider(std::string profile) {
  return std::make_shared<ProfileProvider>(std::move(profile));
}

std::shared_ptr<CredentialsProvider> make_default_credentials_provider(std::string profile) {
  return std::make_shared<DefaultChain>(std::move(profile));
}

}  // namespace sqs

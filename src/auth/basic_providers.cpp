#include "auth/basic_providers.hpp"

#include <cstdlib>
#include <cstring>

#include "auth/environment.hpp"
#include "auth/provider_support.hpp"

namespace sqs::auth {
namespace {

// Equal to the variable as read now (unset and empty count as "").
bool same(const char* now, const std::string& cached) {
  return now == nullptr ? cached.empty() : std::strcmp(now, cached.c_str()) == 0;
}

}  // namespace

StaticProvider::StaticProvider(Credentials c) : given_(std::move(c)) {
  if (given_.provider.empty()) given_.provider = "static";
  if (!given_.access_key_id.empty() && !given_.secret_access_key.empty()) {
    credentials_ = std::make_shared<const Credentials>(given_);
  }
}

Result<Credentials> StaticProvider::credentials() {
  if (!credentials_) {
    return credentials_error(
        kIncomplete, "explicit credentials need both an access key id and a secret access key");
  }
  return *credentials_;
}

Result<Credentials> EnvironmentProvider::credentials() {
  auto key = env_var("AWS_ACCESS_KEY_ID");
  auto secret = env_var("AWS_SECRET_ACCESS_KEY");
  if (!key && !secret) {
    return credentials_error(
        kNotFound, "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (!secret) {
    return credentials_error(
        kIncomplete, "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  if (!key) {
    return credentials_error(
        kIncomplete, "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  Credentials c;
  c.access_key_id = std::move(*key);
  c.secret_access_key = std::move(*secret);
  c.session_token = env_var("AWS_SESSION_TOKEN").value_or("");
  c.provider = "environment";
  return c;
}

std::shared_ptr<const Credentials> EnvironmentProvider::current() {
  // Three getenv and compares: no allocation unless the variables changed.
  auto last = last_.load();
  if (last && same(std::getenv("AWS_ACCESS_KEY_ID"), last->access_key_id) &&
      same(std::getenv("AWS_SECRET_ACCESS_KEY"), last->secret_access_key) &&
      same(std::getenv("AWS_SESSION_TOKEN"), last->session_token)) {
    return last;
  }
  auto fresh = credentials();
  if (!fresh) return nullptr;  // async_credentials() reports why
  auto shared = std::make_shared<const Credentials>(std::move(*fresh));
  last_.store(shared);
  return shared;
}

}  // namespace sqs::auth

#include "auth/default_chain.hpp"

#include "auth/basic_providers.hpp"
#include "auth/container_client.hpp"
#include "auth/credentials_cache.hpp"
#include "auth/environment.hpp"
#include "auth/imds_client.hpp"
#include "auth/profile_resolver.hpp"
#include "auth/provider_support.hpp"
#include "auth/shared_config.hpp"
#include "auth/web_identity.hpp"

namespace sqs::auth {

Result<std::shared_ptr<CredentialsProvider>> choose_default_provider(
    const CredentialsOptions& options) {
  using Provider = std::shared_ptr<CredentialsProvider>;
  // 1. Environment.
  if (env_var("AWS_ACCESS_KEY_ID") || env_var("AWS_SECRET_ACCESS_KEY")) {
    auto env = std::make_shared<EnvironmentProvider>();
    if (auto check = env->credentials(); !check) return std::move(check).error();
    return Provider(std::move(env));
  }
  std::string looked = "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)";

  // 2. Web identity from the environment.
  const auto config = SharedConfig::load();
  const std::string profile = SharedConfig::profile_name(options.profile);
  if (auto web = web_identity_from_environment()) {
    if (!*web) return std::move(*web).error();
    return make_web_identity_provider(std::move(**web), config, profile, options);
  }
  looked += "; web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set)";

  // 3. The profile. One named explicitly (option or AWS_PROFILE) must exist.
  const bool named = !options.profile.empty() || env_var("AWS_PROFILE").has_value();
  auto from_profile = make_provider_for_profile(config, profile, options);
  if (from_profile) return from_profile;
  if (from_profile.error().code != kNotFound || (named && config.profile(profile) == nullptr)) {
    return from_profile;
  }
  looked += "; " + from_profile.error().message;

  // 4. Container.
  if (auto container = container_settings()) {
    if (!*container) return std::move(*container).error();
    auto client = std::make_shared<ContainerClient>(std::move(**container), options.http_timeout);
    return Provider(std::make_shared<CredentialsCache>(
        "container", [client] { return client->credentials(); }, options.refresh));
  }
  looked +=
      "; container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
      "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set)";

  // 5. Instance metadata.
  auto imds = imds_settings(config, profile, options);
  if (!imds) return std::move(imds).error();
  if (imds->disabled) {
    return credentials_error(kNotFound, "no AWS credentials found. Looked in: " + looked +
                                            "; instance metadata (disabled by "
                                            "AWS_EC2_METADATA_DISABLED=true)");
  }
  auto client = std::make_shared<ImdsClient>(std::move(*imds));
  auto refresh = options.refresh;
  refresh.static_stability = true;
  // Its failure is the chain's: say where else it looked.
  auto fetch = [client, looked]() -> Result<Credentials> {
    auto c = client->credentials();
    if (!c) {
      Error e = std::move(c).error();
      e.message = "no AWS credentials found. Looked in: " + looked + "; then " + e.message;
      return e;
    }
    return c;
  };
  return Provider(
      std::make_shared<CredentialsCache>("instance-metadata", std::move(fetch), refresh));
}

}  // namespace sqs::auth

// The factories of include/sqs/credentials.hpp. Each provider lives in its own file; error
// messages name variables, files, profiles and endpoints, never a key, secret or token.
#include <cctype>

#include "auth/assume_role.hpp"
#include "auth/basic_providers.hpp"
#include "auth/container_client.hpp"
#include "auth/credentials_cache.hpp"
#include "auth/default_chain.hpp"
#include "auth/imds_client.hpp"
#include "auth/lazy_provider.hpp"
#include "auth/profile_resolver.hpp"
#include "auth/provider_support.hpp"
#include "auth/shared_config.hpp"
#include "auth/web_identity.hpp"
#include "sqs/credentials.hpp"

namespace sqs {
namespace {

using auth::credentials_error;
using Provider = std::shared_ptr<CredentialsProvider>;

// A provider whose construction failed: every call answers why.
class FailingProvider final : public CredentialsProvider {
 public:
  explicit FailingProvider(Error error) : error_(std::move(error)) {}
  Result<Credentials> credentials() override { return error_; }

 private:
  const Error error_;
};

Provider or_failing(Result<Provider> r) {
  if (r) return std::move(*r);
  return std::make_shared<FailingProvider>(std::move(r).error());
}

}  // namespace

Provider make_static_credentials_provider(Credentials credentials) {
  return std::make_shared<auth::StaticProvider>(std::move(credentials));
}

Provider make_environment_credentials_provider() {
  return std::make_shared<auth::EnvironmentProvider>();
}

Provider make_profile_credentials_provider(std::string profile) {
  CredentialsOptions options;
  options.profile = std::move(profile);
  return make_profile_credentials_provider(std::move(options));
}

Provider make_profile_credentials_provider(CredentialsOptions options) {
  return std::make_shared<auth::LazyProvider>([options = std::move(options)] {
    const auto config = auth::SharedConfig::load();
    return auth::make_provider_for_profile(
        config, auth::SharedConfig::profile_name(options.profile), options);
  });
}

Provider make_web_identity_credentials_provider(CredentialsOptions options) {
  return std::make_shared<auth::LazyProvider>([options = std::move(options)]() -> Result<Provider> {
    auto settings = auth::web_identity_from_environment();
    if (!settings) {
      return credentials_error(auth::kNotFound,
                               "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are "
                               "not set");
    }
    if (!*settings) return std::move(*settings).error();
    const auto config = auth::SharedConfig::load();
    return auth::make_web_identity_provider(
        std::move(**settings), config, auth::SharedConfig::profile_name(options.profile), options);
  });
}

Provider make_container_credentials_provider(CredentialsOptions options) {
  auto settings = auth::container_settings();
  if (!settings) {
    return std::make_shared<FailingProvider>(
        credentials_error(auth::kNotFound,
                          "container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                          "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"));
  }
  if (!*settings) return std::make_shared<FailingProvider>(std::move(*settings).error());
  auto client =
      std::make_shared<auth::ContainerClient>(std::move(**settings), options.http_timeout);
  return std::make_shared<auth::CredentialsCache>(
      "container", [client] { return client->credentials(); }, options.refresh);
}

Provider make_instance_metadata_credentials_provider(CredentialsOptions options) {
  const auto config = auth::SharedConfig::load();
  auto settings =
      auth::imds_settings(config, auth::SharedConfig::profile_name(options.profile), options);
  if (!settings) return std::make_shared<FailingProvider>(std::move(settings).error());
  if (settings->disabled) {
    return std::make_shared<FailingProvider>(credentials_error(
        auth::kNotFound, "instance metadata: disabled by AWS_EC2_METADATA_DISABLED=true"));
  }
  auto client = std::make_shared<auth::ImdsClient>(std::move(*settings));
  auto refresh = options.refresh;
  refresh.static_stability = true;
  return std::make_shared<auth::CredentialsCache>(
      "instance-metadata", [client] { return client->credentials(); }, refresh);
}

Provider make_assume_role_credentials_provider(Provider source, AssumeRoleOptions role,
                                               CredentialsOptions options) {
  const auto config = auth::SharedConfig::load();
  return or_failing(auth::make_assume_role_provider(
      std::move(source), std::move(role), config, auth::SharedConfig::profile_name(options.profile),
      options, "assume-role", "assume-role"));
}

Provider make_refreshing_credentials_provider(std::string name,
                                              std::function<Result<Credentials>()> fetch,
                                              CredentialsRefreshOptions refresh) {
  return std::make_shared<auth::CredentialsCache>(std::move(name), std::move(fetch),
                                                  std::move(refresh));
}

Provider make_default_credentials_provider(std::string profile) {
  CredentialsOptions options;
  options.profile = std::move(profile);
  return make_default_credentials_provider(std::move(options));
}

Provider make_default_credentials_provider(CredentialsOptions options) {
  return std::make_shared<auth::LazyProvider>(
      [options = std::move(options)] { return auth::choose_default_provider(options); });
}

Result<std::string> region_from_instance_metadata(CredentialsOptions options) {
  const auto config = auth::SharedConfig::load();
  auto settings =
      auth::imds_settings(config, auth::SharedConfig::profile_name(options.profile), options);
  if (!settings) return std::move(settings).error();
  if (settings->disabled) {
    return credentials_error(auth::kNotFound,
                             "instance metadata: disabled by AWS_EC2_METADATA_DISABLED=true");
  }
  auth::ImdsClient client(std::move(*settings));
  auto region = client.get("/latest/meta-data/placement/region");
  if (!region) return std::move(region).error();
  while (!region->empty() && std::isspace(static_cast<unsigned char>(region->back()))) {
    region->pop_back();
  }
  if (region->empty()) {
    return credentials_error(auth::kBadAnswer, "instance metadata: empty placement/region");
  }
  return region;
}

}  // namespace sqs

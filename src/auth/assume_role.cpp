#include "auth/assume_role.hpp"

#include "auth/credentials_cache.hpp"
#include "auth/provider_support.hpp"
#include "auth/service_endpoint.hpp"
#include "auth/sts_client.hpp"

namespace sqs::auth {

Result<std::shared_ptr<CredentialsProvider>> make_assume_role_provider(
    std::shared_ptr<CredentialsProvider> source, AssumeRoleOptions role, const SharedConfig& config,
    const std::string& profile, const CredentialsOptions& options, std::string provider,
    std::string who) {
  if (!source) return credentials_error(kInvalidConfig, who + ": no source credentials provider");
  if (role.role_arn.empty()) return credentials_error(kIncomplete, who + ": no role ARN");
  if (role.duration_seconds && (*role.duration_seconds < 900 || *role.duration_seconds > 43200)) {
    return credentials_error(kInvalidConfig, who + ": duration_seconds must be 900 to 43200");
  }
  const std::string region = sts_region(config, profile, options.region);
  auto endpoint =
      resolve_service_endpoint(config, profile, "STS", "sts", default_sts_url(region), region, who);
  if (!endpoint) return std::move(endpoint).error();
  auto sts = std::make_shared<StsClient>(std::move(*endpoint), options.http_timeout, who);
  const WallClock now = wall_clock_of(options.refresh.clock);
  auto fetch = [source, role, sts, now, provider, who]() -> Result<Credentials> {
    auto base = source->credentials();
    if (!base) {
      Error e = std::move(base).error();
      e.message = who + ": getting the source credentials failed: " + e.message;
      return e;
    }
    auto c = sts->assume_role(*base, role, now());
    if (c) c->provider = provider;
    return c;
  };
  return std::shared_ptr<CredentialsProvider>(
      std::make_shared<CredentialsCache>(provider, std::move(fetch), options.refresh));
}

}  // namespace sqs::auth

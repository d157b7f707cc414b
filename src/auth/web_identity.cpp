#include "auth/web_identity.hpp"

#include "auth/credentials_cache.hpp"
#include "auth/environment.hpp"
#include "auth/provider_support.hpp"
#include "auth/sts_client.hpp"

namespace sqs::auth {

std::optional<Result<WebIdentitySettings>> web_identity_from_environment() {
  auto file = env_var("AWS_WEB_IDENTITY_TOKEN_FILE");
  auto role = env_var("AWS_ROLE_ARN");
  if (!file && !role) return std::nullopt;
  if (!file) {
    return Result<WebIdentitySettings>(credentials_error(
        kIncomplete, "web identity: AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not"));
  }
  if (!role) {
    return Result<WebIdentitySettings>(credentials_error(
        kIncomplete, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"));
  }
  WebIdentitySettings s;
  s.token_file = *file;
  s.role_arn = *role;
  s.session_name = env_var("AWS_ROLE_SESSION_NAME").value_or("");
  s.who = "web identity";
  s.provider = "web-identity";
  return Result<WebIdentitySettings>(std::move(s));
}

Result<std::shared_ptr<CredentialsProvider>> make_web_identity_provider(
    WebIdentitySettings settings, const SharedConfig& config, const std::string& profile,
    const CredentialsOptions& options) {
  const std::string region = sts_region(config, profile, options.region);
  auto endpoint = resolve_service_endpoint(config, profile, "STS", "sts", default_sts_url(region),
                                           region, settings.who);
  if (!endpoint) return std::move(endpoint).error();
  auto sts = std::make_shared<StsClient>(std::move(*endpoint), options.http_timeout, settings.who);
  const WallClock now = wall_clock_of(options.refresh.clock);
  auto fetch = [s = settings, sts, now]() -> Result<Credentials> {
    auto token = read_text_file(s.token_file);
    if (!token) {
      return credentials_error(kInvalidConfig,
                               s.who + ": cannot read the web identity token file " + s.token_file);
    }
    while (!token->empty() &&
           (token->back() == '\n' || token->back() == '\r' || token->back() == ' ')) {
      token->pop_back();
    }
    if (token->empty()) {
      return credentials_error(
          kInvalidConfig, s.who + ": the web identity token file " + s.token_file + " is empty");
    }
    const std::string session =
        s.session_name.empty() ? default_session_name(now()) : s.session_name;
    auto c = sts->assume_role_with_web_identity(s.role_arn, session, *token);
    if (c) c->provider = s.provider;
    return c;
  };
  return std::shared_ptr<CredentialsProvider>(
      std::make_shared<CredentialsCache>(settings.provider, std::move(fetch), options.refresh));
}

}  // namespace sqs::auth

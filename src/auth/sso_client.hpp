// IAM Identity Center (SSO) credentials: the access token that `aws sso login` cached in
// ~/.aws/sso/cache/<SHA-1 hex of the sso-session name, or of the start URL for legacy
// profiles>.json; refreshed through SSO-OIDC CreateToken with its refresh token when it is
// within 5 minutes of expiry (sso-session profiles only, as in the SDKs; the cache file is
// rewritten); then the portal's GetRoleCredentials. Endpoints: https://oidc.REGION.amazonaws.com
// and https://portal.sso.REGION.amazonaws.com, overridden by AWS_ENDPOINT_URL_SSO_OIDC /
// AWS_ENDPOINT_URL_SSO (and the profile's services section), as for every service.
// Blocking: runs on a credentials cache's worker.
#pragma once

#include <chrono>
#include <string>

#include "auth/http_fetch.hpp"
#include "auth/provider_support.hpp"
#include "auth/service_endpoint.hpp"
#include "auth/shared_config.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

struct SsoSettings {
  std::string profile;  // for "run aws sso login --profile NAME"
  std::string session;  // sso_session name; empty for a legacy profile
  std::string start_url;
  std::string sso_region;
  std::string account_id;
  std::string role_name;
  std::string cache_file;  // ~/.aws/sso/cache/<sha1>.json, home expanded
  ServiceEndpoint portal;
  ServiceEndpoint oidc;
};

// Whether the profile uses SSO (sso_session or sso_start_url / sso_account_id keys).
bool uses_sso(const Profile& profile);
// The settings of an SSO profile, or what is missing.
Result<SsoSettings> sso_settings(const SharedConfig& config, const std::string& profile_name,
                                 const Profile& profile);

// Lower-case hex SHA-1 of `text` (the cache file's name).
std::string sha1_hex(std::string_view text);

class SsoClient {
 public:
  SsoClient(SsoSettings settings, std::chrono::milliseconds timeout, WallClock now);
  Result<Credentials> credentials();

 private:
  // The cached access token, refreshed when it nears expiry.
  Result<std::string> access_token();
  std::string login_hint() const;

  SsoSettings settings_;
  std::chrono::milliseconds timeout_;
  WallClock now_;
  HttpFetcher http_;
};

}  // namespace sqs::auth

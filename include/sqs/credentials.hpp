// AWS credentials as a value, and the providers that find them: explicit values, environment,
// web identity (EKS IRSA), shared profiles (static keys, credential_process, SSO, assume-role),
// container (ECS, EKS Pod Identity) and EC2 instance metadata (IMDSv2), in the default chain of
// the newest AWS SDKs. Providers of temporary credentials cache and refresh them off the hot
// path (see docs/CREDENTIALS.md for every option, default and guarantee).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sqs/clock.hpp"
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
  // Which provider supplied them, e.g. "environment", "web-identity", "profile:dev (sso)",
  // "container", "instance-metadata". Not compared: where they came from does not change
  // what they are.
  std::string provider;

  friend bool operator==(const Credentials& a, const Credentials& b) {
    return a.access_key_id == b.access_key_id && a.secret_access_key == b.secret_access_key &&
           a.session_token == b.session_token && a.expiration == b.expiration;
  }
};

// Called exactly once with the credentials or the error; on any thread (a provider's own
// background thread, or inline in async_credentials): post to your own executor from it.
using CredentialsCallback = std::function<void(Result<Credentials>)>;

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;

  // Thread-safe, blocking: the current credentials, waiting for a fetch when none are valid.
  // Never call it on an event loop that a fetch may need. Errors name the provider and what to
  // fix, never a secret.
  virtual Result<Credentials> credentials() = 0;

  // Thread-safe, never blocks and does no I/O: valid cached credentials (outside the mandatory
  // refresh window), or nullptr when the caller must wait through async_credentials(). What
  // the client asks before each attempt. Default: nullptr.
  virtual std::shared_ptr<const Credentials> current() { return nullptr; }

  // Thread-safe, never blocks on the network: `done` gets the credentials once they are
  // available (at most one fetch however many callers wait). Default: calls `done` inline with
  // credentials(); a custom provider that may block should override it, or be wrapped with
  // make_refreshing_credentials_provider().
  virtual void async_credentials(CredentialsCallback done) { done(credentials()); }
};

// When cached temporary credentials are refreshed.
struct CredentialsRefreshOptions {
  // Advisory window before expiry: calls keep the current credentials while one background
  // refresh runs. (For short-lived credentials it starts at half their lifetime at the latest.)
  std::chrono::seconds advisory_window{300};
  // Mandatory window before expiry: calls wait for the refresh. (Starts at three quarters of
  // the lifetime at the latest.)
  std::chrono::seconds mandatory_window{60};
  // Back-off after a failed fetch: no new fetch starts before it has passed (doubling from
  // min to max). Meanwhile callers keep valid credentials, or get the last error at once.
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  // Static stability (instance metadata): when a refresh fails after the credentials expired,
  // keep using them for this long with a warning, instead of failing every call.
  bool static_stability = false;
  std::chrono::seconds static_stability_extension{600};
  // Time: empty is the system's wall clock. For tests, a ManualClock, whose reading is taken
  // as the time since 1970-01-01 (so expirations are computed from clock->now()).
  std::shared_ptr<Clock> clock;
  // Warnings (static stability in use). Empty: written to stderr with the prefix
  // "aws-cpp-sqs: warning: ". Never given a secret.
  std::function<void(const std::string&)> warn;
};

// Settings of the providers and the default chain. Every value has the AWS SDKs' default.
struct CredentialsOptions {
  // Profile of the shared files: empty means AWS_PROFILE, else "default".
  std::string profile;
  // Region for STS (assume-role, web identity): empty means AWS_REGION, AWS_DEFAULT_REGION, the
  // profile's region, else the global endpoint https://sts.amazonaws.com (us-east-1).
  std::string region;
  CredentialsRefreshOptions refresh;
  // Bound on a credential_process run (it is killed after it).
  std::chrono::milliseconds process_timeout{60000};
  // Per-request timeout and attempts towards instance metadata: a machine without IMDS pays
  // this once per back-off period, never at every call. Empty: AWS_METADATA_SERVICE_TIMEOUT
  // (seconds) and AWS_METADATA_SERVICE_NUM_ATTEMPTS, else 1 s and 1 attempt.
  std::optional<std::chrono::milliseconds> imds_timeout;
  std::optional<int> imds_attempts;
  // Per-request timeout towards the container endpoint, STS, SSO and SSO-OIDC.
  std::chrono::milliseconds http_timeout{5000};
};

// Always answers the given credentials.
std::shared_ptr<CredentialsProvider> make_static_credentials_provider(Credentials credentials);

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (read at each call).
std::shared_ptr<CredentialsProvider> make_environment_credentials_provider();

// A profile of the shared files (AWS_CONFIG_FILE, default ~/.aws/config, section
// "profile NAME"; AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, whose values win):
// role_arn (assume-role from source_profile, chains of them, or credential_source; or
// web_identity_token_file), SSO (sso_session or the legacy sso_* keys), credential_process,
// static keys, in that order. profile: empty means AWS_PROFILE, else "default".
std::shared_ptr<CredentialsProvider> make_profile_credentials_provider(std::string profile = {});
std::shared_ptr<CredentialsProvider> make_profile_credentials_provider(CredentialsOptions options);

// AssumeRoleWithWebIdentity with AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and
// AWS_ROLE_SESSION_NAME (the token file is read again at every refresh).
std::shared_ptr<CredentialsProvider> make_web_identity_credentials_provider(
    CredentialsOptions options = {});

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI, with
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE / AWS_CONTAINER_AUTHORIZATION_TOKEN.
std::shared_ptr<CredentialsProvider> make_container_credentials_provider(
    CredentialsOptions options = {});

// EC2 instance metadata (IMDSv2, IMDSv1 fallback unless AWS_EC2_METADATA_V1_DISABLED), with
// static stability. AWS_EC2_METADATA_DISABLED=true makes it fail at once.
std::shared_ptr<CredentialsProvider> make_instance_metadata_credentials_provider(
    CredentialsOptions options = {});

// Signed STS AssumeRole with the credentials of `source`.
struct AssumeRoleOptions {
  std::string role_arn;
  std::string role_session_name;  // empty: "aws-cpp-sqs-<milliseconds since 1970>"
  std::string external_id;
  std::optional<int> duration_seconds;  // 900..43200; empty: STS's default (3600)
};
std::shared_ptr<CredentialsProvider> make_assume_role_credentials_provider(
    std::shared_ptr<CredentialsProvider> source, AssumeRoleOptions role,
    CredentialsOptions options = {});

// Caches what `fetch` answers and refreshes it as `refresh` says. `fetch` runs on the
// provider's own background thread (it may block), one call at a time; `name` goes into the
// credentials' `provider` field when `fetch` leaves it empty.
std::shared_ptr<CredentialsProvider> make_refreshing_credentials_provider(
    std::string name, std::function<Result<Credentials>()> fetch,
    CredentialsRefreshOptions refresh = {});

// The default chain of the newest AWS SDKs: environment -> web identity -> profile (assume-role,
// SSO, credential_process, static keys) -> container -> instance metadata. The first source
// that is configured decides (and is remembered); one that is configured but fails reports why
// instead of falling through. Nothing configured and IMDS disabled: fails at once, no socket.
std::shared_ptr<CredentialsProvider> make_default_credentials_provider(std::string profile = {});
std::shared_ptr<CredentialsProvider> make_default_credentials_provider(CredentialsOptions options);

// The region of the EC2 instance from instance metadata (for when nothing else gives one). Off
// unless called; fails at once with AWS_EC2_METADATA_DISABLED=true.
Result<std::string> region_from_instance_metadata(CredentialsOptions options = {});

}  // namespace sqs

#pragma GCC visibility pop

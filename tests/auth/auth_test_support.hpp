// Shared by the credential provider tests: a clean environment whose shared files live in a
// temp dir (the developer's ~/.aws is never read) with instance metadata disabled, a manual
// clock read as wall time, the secrets the tests use, and the check that no error ever shows
// one of them.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/provider_support.hpp"
#include "sqs/clock.hpp"
#include "sqs/credentials.hpp"
#include "support/scoped_env.hpp"

namespace sqs::auth_test {

inline constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kSessionToken = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
inline constexpr const char* kWebToken = "eyJhbGciOiJSUzI1NiJ9.WEBIDENTITYTOKEN";
inline constexpr const char* kContainerToken = "CONTAINERAUTHTOKENc2VjcmV0";
inline constexpr const char* kSsoAccessToken = "SSOACCESSTOKENaoiwhefoiawhef";
inline constexpr const char* kSsoRefreshToken = "SSOREFRESHTOKENqpwoeiruqpwoeir";
inline constexpr const char* kClientSecret = "SSOCLIENTSECRETzmxncbvzmxncbv";
inline constexpr const char* kProcessOutputMarker = "PROCESSSTDOUTMARKERlkjhlkjh";

// Every error message the tests saw, checked at the end of the binary (and at once).
inline std::vector<std::string>& seen_errors() {
  static std::vector<std::string> errors;
  return errors;
}
inline std::mutex& seen_mutex() {
  static std::mutex m;
  return m;
}

inline void expect_no_secret(const std::string& text) {
  for (const char* secret : {kSecret, kSessionToken, kWebToken, kContainerToken, kSsoAccessToken,
                             kSsoRefreshToken, kClientSecret, kProcessOutputMarker}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "a secret leaked into: " << text;
  }
  std::lock_guard lock(seen_mutex());
  seen_errors().push_back(text);
}

inline void expect_no_secret(const Error& e) {
  expect_no_secret(e.to_string());
}

// An error result, with its message checked for secrets and for each mention.
inline Error expect_error(const Result<Credentials>& r,
                          std::initializer_list<const char*> mentions) {
  EXPECT_FALSE(r.has_value());
  if (r.has_value()) return {};
  expect_no_secret(r.error());
  for (const char* m : mentions) {
    EXPECT_NE(r.error().message.find(m), std::string::npos)
        << "'" << m << "' not in: " << r.error().message;
  }
  return r.error();
}

// 2025-01-01T00:00:00Z as the manual clock's start: its reading is the wall time.
inline std::shared_ptr<ManualClock> make_wall_clock() {
  return std::make_shared<ManualClock>(Clock::time_point(std::chrono::seconds(1735689600)));
}
inline std::chrono::system_clock::time_point wall(const ManualClock& clock) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          clock.now().time_since_epoch()));
}
inline std::string iso(std::chrono::system_clock::time_point t) {
  return auth::format_iso8601(t);
}

// Waits (at most 10 s) until `condition` holds; the condition, not the time, is what counts.
inline bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// Clean AWS environment, HOME and shared files in a temp dir, IMDS disabled.
class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clear_aws();
    for (const char* n :
         {"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
          "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
          "AWS_EC2_METADATA_V1_DISABLED", "AWS_METADATA_SERVICE_TIMEOUT",
          "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
          "AWS_ENDPOINT_URL_SSO_OIDC"}) {
      env.unset(n);
    }
    env.set("AWS_EC2_METADATA_DISABLED", "true");
    env.set("HOME", dir.path().string());
    env.set("AWS_CONFIG_FILE", (dir.path() / "config").string());
    env.set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string());
  }
  // The warnings are logs too: never a secret in them.
  void TearDown() override {
    std::lock_guard lock(warn_mutex);
    for (const auto& w : warnings) expect_no_secret(w);
  }

  // Options with the manual clock and quiet warnings (collected).
  CredentialsOptions options() {
    CredentialsOptions o;
    o.refresh.clock = clock;
    o.refresh.warn = [this](const std::string& w) {
      std::lock_guard lock(warn_mutex);
      warnings.push_back(w);
    };
    o.http_timeout = std::chrono::milliseconds(2000);
    o.imds_timeout = std::chrono::milliseconds(1000);
    return o;
  }

  test::ScopedEnv env;
  test::TempDir dir;
  std::shared_ptr<ManualClock> clock = make_wall_clock();
  std::mutex warn_mutex;
  std::vector<std::string> warnings;
};

}  // namespace sqs::auth_test

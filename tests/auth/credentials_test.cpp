// The credential providers: static, environment, profile files and the default chain.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "sqs/credentials.hpp"
#include "support/scoped_env.hpp"

namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kToken = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

void expect_error(const sqs::Result<sqs::Credentials>& r, const std::string& code,
                  std::initializer_list<const char*> mentions) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, sqs::ErrorKind::configuration);
  EXPECT_EQ(r.error().code, code);
  for (const char* m : mentions) EXPECT_NE(r.error().message.find(m), std::string::npos) << m;
  // Never a secret in a message.
  EXPECT_EQ(r.error().message.find(kSecret), std::string::npos);
  EXPECT_EQ(r.error().message.find(kToken), std::string::npos);
}

// Each test starts from a clean environment whose shared files point into its temp dir.
class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clear_aws();
    env.set("AWS_EC2_METADATA_DISABLED", "true");  // the chain never reaches for IMDS here
    env.set("HOME", dir.path().string());
    env.set("AWS_CONFIG_FILE", (dir.path() / "config").string());
    env.set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string());
  }
  sqs::test::ScopedEnv env;
  sqs::test::TempDir dir;
};

TEST_F(CredentialsTest, StaticProviderAnswersWhatItWasGiven) {
  const sqs::Credentials c{"AKID", kSecret, kToken, std::nullopt};
  auto r = sqs::make_static_credentials_provider(c)->credentials();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, c);
  expect_error(sqs::make_static_credentials_provider({"AKID", "", "", std::nullopt})->credentials(),
               "IncompleteCredentials", {});
}

TEST_F(CredentialsTest, EnvironmentProviderReadsTheVariablesAtEachCall) {
  auto provider = sqs::make_environment_credentials_provider();
  expect_error(provider->credentials(), "CredentialsNotFound", {"AWS_ACCESS_KEY_ID"});

  env.set("AWS_ACCESS_KEY_ID", "AKID");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  auto r = provider->credentials();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->access_key_id, "AKID");
  EXPECT_EQ(r->secret_access_key, kSecret);
  EXPECT_EQ(r->session_token, "");
  EXPECT_EQ(r->expiration, std::nullopt);

  env.set("AWS_SESSION_TOKEN", kToken);
  EXPECT_EQ(provider->credentials()->session_token, kToken);
}

TEST_F(CredentialsTest, EnvironmentKeyWithoutSecretIsAnError) {
  env.set("AWS_ACCESS_KEY_ID", "AKID");
  env.set("AWS_SESSION_TOKEN", kToken);
  expect_error(sqs::make_environment_credentials_provider()->credentials(), "IncompleteCredentials",
               {"AWS_SECRET_ACCESS_KEY"});
  env.set("AWS_SECRET_ACCESS_KEY", "");  // empty is unset
  expect_error(sqs::make_environment_credentials_provider()->credentials(), "IncompleteCredentials",
               {"AWS_SECRET_ACCESS_KEY"});

  env.unset("AWS_ACCESS_KEY_ID");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  expect_error(sqs::make_environment_credentials_provider()->credentials(), "IncompleteCredentials",
               {"AWS_ACCESS_KEY_ID"});
}

TEST_F(CredentialsTest, ProfileProviderReadsTheCredentialsFile) {
  dir.write("credentials", std::string("[default]\naws_access_key_id = AKID\n"
                                       "aws_secret_access_key = ") +
                               kSecret + "\naws_session_token = " + kToken + "\n");
  auto r = sqs::make_profile_credentials_provider()->credentials();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, (sqs::Credentials{"AKID", kSecret, kToken, std::nullopt}));
}

TEST_F(CredentialsTest, ProfileProviderFallsBackToTheConfigFile) {
  dir.write("credentials", "[other]\naws_access_key_id = X\naws_secret_access_key = Y\n");
  dir.write("config", std::string("[profile dev]\naws_access_key_id = DEVKEY\n"
                                  "aws_secret_access_key = ") +
                          kSecret + "\n");
  auto r = sqs::make_profile_credentials_provider("dev")->credentials();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->access_key_id, "DEVKEY");
}

TEST_F(CredentialsTest, ProfileProviderUsesAwsProfile) {
  dir.write("credentials",
            "[default]\naws_access_key_id = D\naws_secret_access_key = d\n"
            "[ci]\naws_access_key_id = C\naws_secret_access_key = c\n");
  env.set("AWS_PROFILE", "ci");
  EXPECT_EQ(sqs::make_profile_credentials_provider()->credentials()->access_key_id, "C");
  EXPECT_EQ(sqs::make_profile_credentials_provider("default")->credentials()->access_key_id, "D");
}

TEST_F(CredentialsTest, ProfileProviderCachesWhatItRead) {
  dir.write("credentials", "[default]\naws_access_key_id = FIRST\naws_secret_access_key = s\n");
  auto provider = sqs::make_profile_credentials_provider();
  EXPECT_EQ(provider->credentials()->access_key_id, "FIRST");
  dir.write("credentials", "[default]\naws_access_key_id = SECOND\naws_secret_access_key = s\n");
  EXPECT_EQ(provider->credentials()->access_key_id, "FIRST");
}

TEST_F(CredentialsTest, ProfileProviderRetriesAfterAFailure) {
  auto provider = sqs::make_profile_credentials_provider();
  expect_error(provider->credentials(), "CredentialsNotFound", {"'default'", "(not found)"});
  dir.write("credentials", "[default]\naws_access_key_id = LATE\naws_secret_access_key = s\n");
  EXPECT_EQ(provider->credentials()->access_key_id, "LATE");
}

TEST_F(CredentialsTest, ProfileErrorsSayWhereTheyLooked) {
  dir.write("credentials", std::string("[half]\naws_access_key_id = AKID\n"
                                       "[secret-only]\naws_secret_access_key = ") +
                               kSecret + "\naws_session_token = " + kToken + "\n");
  dir.write("config",
            "[profile assumed]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
            "[profile bare]\nregion = us-east-1\n");
  const std::string creds_path = (dir.path() / "credentials").string();
  const std::string config_path = (dir.path() / "config").string();

  expect_error(sqs::make_profile_credentials_provider("nope")->credentials(), "CredentialsNotFound",
               {"'nope'", creds_path.c_str(), config_path.c_str()});
  expect_error(sqs::make_profile_credentials_provider("half")->credentials(),
               "IncompleteCredentials", {"'half'", "aws_secret_access_key"});
  expect_error(sqs::make_profile_credentials_provider("secret-only")->credentials(),
               "IncompleteCredentials", {"'secret-only'", "aws_access_key_id"});
  // role_arn without a source: says what is missing.
  expect_error(sqs::make_profile_credentials_provider("assumed")->credentials(),
               "IncompleteCredentials", {"'assumed'", "role_arn", "source_profile"});
  expect_error(sqs::make_profile_credentials_provider("bare")->credentials(), "CredentialsNotFound",
               {"'bare'", "aws_access_key_id"});
}

TEST_F(CredentialsTest, DefaultChainPrefersTheEnvironment) {
  dir.write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n");
  env.set("AWS_ACCESS_KEY_ID", "ENV");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  EXPECT_EQ(sqs::make_default_credentials_provider()->credentials()->access_key_id, "ENV");
}

TEST_F(CredentialsTest, DefaultChainFallsBackToTheProfileAndRemembersIt) {
  dir.write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n");
  auto chain = sqs::make_default_credentials_provider();
  EXPECT_EQ(chain->credentials()->access_key_id, "FILE");
  // The winner is remembered: credentials appearing in the environment later do not switch
  // sources under a running client.
  env.set("AWS_ACCESS_KEY_ID", "ENV");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  EXPECT_EQ(chain->credentials()->access_key_id, "FILE");
}

TEST_F(CredentialsTest, DefaultChainSearchesAgainWhenTheWinnerGoesAway) {
  env.set("AWS_ACCESS_KEY_ID", "ENV");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  dir.write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n");
  auto chain = sqs::make_default_credentials_provider();
  EXPECT_EQ(chain->credentials()->access_key_id, "ENV");
  env.unset("AWS_ACCESS_KEY_ID");
  env.unset("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(chain->credentials()->access_key_id, "FILE");
}

TEST_F(CredentialsTest, DefaultChainUsesTheGivenProfile) {
  dir.write("config", "[profile p]\naws_access_key_id = P\naws_secret_access_key = p\n");
  EXPECT_EQ(sqs::make_default_credentials_provider("p")->credentials()->access_key_id, "P");
}

TEST_F(CredentialsTest, DefaultChainErrorListsEveryPlace) {
  expect_error(
      sqs::make_default_credentials_provider()->credentials(), "CredentialsNotFound",
      {"environment", "AWS_ACCESS_KEY_ID", "'default'",
       (dir.path() / "credentials").string().c_str(), (dir.path() / "config").string().c_str()});
}

TEST_F(CredentialsTest, DefaultChainStopsAtAHalfConfiguredSource) {
  env.set("AWS_ACCESS_KEY_ID", "ENV");
  dir.write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n");
  expect_error(sqs::make_default_credentials_provider()->credentials(), "IncompleteCredentials",
               {"AWS_SECRET_ACCESS_KEY"});
}

TEST_F(CredentialsTest, DefaultChainIsThreadSafe) {
  dir.write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = f\n");
  auto chain = sqs::make_default_credentials_provider();
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto r = chain->credentials();
        if (!r || r->access_key_id != "FILE") ++bad[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int b : bad) EXPECT_EQ(b, 0);
}

}  // namespace

// SSO profiles against scripted SSO-OIDC and portal servers on 127.0.0.1: the cached token used
// as is, refreshed near expiry (and written back), expired without a way to refresh; legacy
// profiles; the cache file names.
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "auth/auth_test_support.hpp"
#include "auth/sso_client.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::Reply;
using test::ScriptedHttpServer;

class SsoTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    env.set("AWS_ENDPOINT_URL_SSO", portal.endpoint());
    env.set("AWS_ENDPOINT_URL_SSO_OIDC", oidc.endpoint());
    std::filesystem::create_directories(dir.path() / ".aws/sso/cache");
    dir.write("config",
              "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
              "sso_role_name = Developer\n"
              "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
              "sso_region = eu-west-1\n"
              "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\n"
              "sso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n");
  }
  std::string cache_path(const std::string& key) {
    return (dir.path() / ".aws/sso/cache" / (auth::sha1_hex(key) + ".json")).string();
  }
  void write_cache(const std::string& key, std::chrono::system_clock::time_point expires,
                   bool refreshable = true) {
    boost::json::object o{{"startUrl", "https://corp.awsapps.com/start"},
                          {"region", "eu-west-1"},
                          {"accessToken", kSsoAccessToken},
                          {"expiresAt", iso(expires)}};
    if (refreshable) {
      o["refreshToken"] = kSsoRefreshToken;
      o["clientId"] = "client-1";
      o["clientSecret"] = kClientSecret;
      o["registrationExpiresAt"] = iso(wall(*clock) + 24h * 30);
    }
    std::ofstream(cache_path(key)) << boost::json::serialize(o);
  }
  std::shared_ptr<CredentialsProvider> profile(const std::string& name) {
    auto o = options();
    o.profile = name;
    return make_profile_credentials_provider(o);
  }

  std::atomic<int> oidc_calls{0};
  ScriptedHttpServer portal{[](const ReceivedRequest& r) {
    const auto token = r.header("x-amz-sso_bearer_token");
    if (token != kSsoAccessToken && token != "FRESH-ACCESS-TOKEN") {
      return Reply::with_status(401, R"({"message":"Session token not found or invalid"})");
    }
    if (r.target.rfind("/federation/credentials?account_id=", 0) != 0)
      return Reply::with_status(404);
    return Reply::ok(
        std::string(R"({"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":")") +
        kSecret + R"(","sessionToken":")" + kSessionToken + R"(","expiration":1735696800000}})");
  }};
  ScriptedHttpServer oidc{[this](const ReceivedRequest& r) {
    oidc_calls.fetch_add(1);
    auto body = boost::json::parse(r.body).as_object();
    if (r.target != "/token" || body["grantType"] != "refresh_token" ||
        body["refreshToken"] != kSsoRefreshToken || body["clientSecret"] != kClientSecret) {
      return Reply::with_status(400, R"({"error":"invalid_grant"})");
    }
    return Reply::ok(
        R"({"accessToken":"FRESH-ACCESS-TOKEN","expiresIn":28800,"tokenType":"Bearer","refreshToken":"NEXT-REFRESH"})");
  }};
};

TEST_F(SsoTest, AValidCachedTokenGetsRoleCredentials) {
  write_cache("corp", wall(*clock) + 1h);
  auto r = profile("dev")->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIASSO");
  EXPECT_EQ(r->provider, "profile:dev (sso)");
  ASSERT_TRUE(r->expiration);
  EXPECT_EQ(iso(*r->expiration), "2025-01-01T02:00:00Z");
  auto got = portal.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/federation/credentials?account_id=111122223333&role_name=Developer");
  EXPECT_EQ(oidc_calls.load(), 0);
}

TEST_F(SsoTest, AnExpiredTokenIsRefreshedAndWrittenBack) {
  write_cache("corp", wall(*clock) - 1min);
  auto r = profile("dev")->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIASSO");
  EXPECT_EQ(oidc_calls.load(), 1);
  EXPECT_EQ(portal.received().at(0).header("x-amz-sso_bearer_token"), "FRESH-ACCESS-TOKEN");
  auto cache = boost::json::parse(*auth::read_text_file(cache_path("corp"))).as_object();
  EXPECT_EQ(cache["accessToken"].as_string(), "FRESH-ACCESS-TOKEN");
  EXPECT_EQ(cache["refreshToken"].as_string(), "NEXT-REFRESH");
  EXPECT_EQ(cache["expiresAt"].as_string(), iso(wall(*clock) + 8h));
}

TEST_F(SsoTest, ATokenNearExpiryIsRefreshedAhead) {
  write_cache("corp", wall(*clock) + 2min);
  ASSERT_TRUE(profile("dev")->credentials());
  EXPECT_EQ(oidc_calls.load(), 1);
}

TEST_F(SsoTest, AnExpiredTokenWithoutRefreshSaysRunSsoLogin) {
  write_cache("corp", wall(*clock) - 1min, false);
  auto e = expect_error(profile("dev")->credentials(),
                        {"SSO token expired", "run `aws sso login --profile dev`"});
  EXPECT_EQ(e.code, "SsoTokenExpired");
  EXPECT_EQ(portal.requests_received(), 0u);
}

TEST_F(SsoTest, AFailedRefreshOfAnExpiredTokenSaysRunSsoLogin) {
  write_cache("corp", wall(*clock) - 1min);
  oidc.set_script([](const ReceivedRequest&) { return Reply::with_status(400, "{}"); });
  expect_error(profile("dev")->credentials(),
               {"SSO token expired", "HTTP 400", "aws sso login --profile dev"});
}

TEST_F(SsoTest, NoLoginYet) {
  expect_error(profile("dev")->credentials(), {"no cached SSO token", "aws sso login"});
}

TEST_F(SsoTest, ARejectedTokenSaysRunSsoLogin) {
  write_cache("corp", wall(*clock) + 1h);
  portal.set_script([](const ReceivedRequest&) { return Reply::with_status(401, "{}"); });
  expect_error(profile("dev")->credentials(), {"refused the token", "aws sso login --profile dev"});
}

TEST_F(SsoTest, LegacyProfilesUseTheStartUrlForTheCacheName) {
  write_cache("https://old.awsapps.com/start", wall(*clock) + 1h);
  auto r = profile("legacy")->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(portal.received().at(0).target, "/federation/credentials?account_id=1&role_name=R");
  // Legacy tokens are not refreshed (as in the SDKs): expired means log in again.
  write_cache("https://old.awsapps.com/start", wall(*clock) - 1min);
  expect_error(profile("legacy")->credentials(), {"SSO token expired", "--profile legacy"});
  EXPECT_EQ(oidc_calls.load(), 0);
}

TEST_F(SsoTest, IncompleteSettingsSayWhatIsMissing) {
  dir.write("config",
            "[profile half]\nsso_session = corp\nsso_account_id = 1\n"
            "[sso-session corp]\nsso_start_url = https://x\n"
            "[profile nosession]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n");
  expect_error(profile("half")->credentials(), {"missing", "sso_region", "sso_role_name"});
  expect_error(profile("nosession")->credentials(), {"[sso-session nope]"});
}

TEST_F(SsoTest, CacheFileNamesAreTheSha1OfTheKey) {
  // Known SHA-1 values, as the AWS CLI names its cache files.
  EXPECT_EQ(auth::sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(auth::sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

}  // namespace
}  // namespace sqs::auth_test

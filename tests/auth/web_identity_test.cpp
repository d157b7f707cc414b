// Web identity (EKS IRSA) against a scripted STS on 127.0.0.1: the unsigned form POST, the
// token file read again at each refresh, STS errors, endpoint overrides, configuration errors.
#include <atomic>

#include "auth/service_endpoint.hpp"
#include "auth/shared_config.hpp"
#include "auth/sts_test_support.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;

class WebIdentityTest : public AuthTest {
 protected:
  void configure(const std::string& sts_endpoint) {
    env.set("AWS_ENDPOINT_URL_STS", sts_endpoint);
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("token", std::string(kWebToken) + "-1"));
    env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa");
    env.set("AWS_ROLE_SESSION_NAME", "pod-1");
  }
};

TEST_F(WebIdentityTest, AssumesTheRoleAndReadsTheTokenFileAtEachRefresh) {
  FakeSts sts(wall(*clock) + 1h);
  configure(sts.endpoint());
  auto provider = make_web_identity_credentials_provider(options());
  auto r = provider->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAirsa");
  EXPECT_EQ(r->session_token, kSessionToken);
  EXPECT_EQ(r->provider, "web-identity");
  ASSERT_TRUE(r->expiration);
  EXPECT_EQ(*r->expiration, wall(*clock) + 1h);

  dir.write("token", std::string(kWebToken) + "-2");  // the kubelet rotated it
  clock->advance(1h - 30s);
  ASSERT_TRUE(provider->credentials());
  auto got = sts.server().received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_FALSE(got[0].has_header("Authorization"));  // unsigned
  EXPECT_EQ(form_value(got[0].body, "Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form_value(got[0].body, "RoleSessionName"), "pod-1");
  EXPECT_EQ(form_value(got[0].body, "RoleArn"), "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Firsa");
  EXPECT_EQ(form_value(got[0].body, "WebIdentityToken"), std::string(kWebToken) + "-1");
  EXPECT_EQ(form_value(got[1].body, "WebIdentityToken"), std::string(kWebToken) + "-2");
}

TEST_F(WebIdentityTest, StsErrorsAreReportedWithoutTheToken) {
  FakeSts sts(wall(*clock) + 1h);
  sts.refuse("irsa", "InvalidIdentityToken");
  configure(sts.endpoint());
  auto e = expect_error(make_web_identity_credentials_provider(options())->credentials(),
                        {"web identity", "InvalidIdentityToken", "not allowed for irsa",
                         "arn:aws:iam::123456789012:role/irsa"});
  EXPECT_EQ(e.code, "InvalidIdentityToken");
  EXPECT_EQ(e.request_id, "req-err-7");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.kind, ErrorKind::configuration);
}

TEST_F(WebIdentityTest, StsServerErrorsAreRetried) {
  std::atomic<int> calls{0};
  test::ScriptedHttpServer sts([&](const test::ReceivedRequest&) {
    if (calls.fetch_add(1) == 0) return test::Reply::with_status(503);
    return test::Reply::ok(sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIARETRY",
                                               std::chrono::system_clock::now() + 1h));
  });
  configure(sts.endpoint());
  auto r = make_web_identity_credentials_provider(options())->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIARETRY");
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(WebIdentityTest, GarbageAnswersAreReported) {
  test::ScriptedHttpServer sts([](const test::ReceivedRequest&) {
    return test::Reply::ok(std::string("<notxml ") + kSessionToken);
  });
  configure(sts.endpoint());
  expect_error(make_web_identity_credentials_provider(options())->credentials(), {"not XML"});
}

TEST_F(WebIdentityTest, HalfConfiguredSaysWhatIsMissing) {
  env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa");
  expect_error(make_web_identity_credentials_provider(options())->credentials(),
               {"AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not"});
  env.unset("AWS_ROLE_ARN");
  env.set("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token");
  expect_error(make_web_identity_credentials_provider(options())->credentials(),
               {"AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"});
  env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa");
  env.set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1");  // never reached
  expect_error(make_web_identity_credentials_provider(options())->credentials(),
               {"cannot read the web identity token file /nonexistent/token"});
}

TEST_F(WebIdentityTest, ProfileKeysAndTheServicesSectionEndpoint) {
  FakeSts sts(wall(*clock) + 1h);
  const std::string token = dir.write("token", kWebToken);
  dir.write("config",
            "[profile eks]\nrole_arn = arn:aws:iam::1:role/fromprofile\n"
            "web_identity_token_file = " +
                token + "\nservices = local\n[services local]\nsts =\n  endpoint_url = " +
                sts.endpoint() + "\n");
  auto r = make_profile_credentials_provider([&] {
             auto o = options();
             o.profile = "eks";
             return o;
           }())
               ->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAfromprofile");
  EXPECT_EQ(r->provider, "profile:eks (web-identity)");
}

TEST_F(WebIdentityTest, RegionalEndpointsByDefault) {
  EXPECT_EQ(auth::default_sts_url("eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(auth::default_sts_url("cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(auth::default_sts_url(""), "https://sts.amazonaws.com");
  const auto files = auth::SharedConfig::parse("[default]\nregion = ap-south-1\n", "");
  EXPECT_EQ(auth::sts_region(files, "default", ""), "ap-south-1");
  env.set("AWS_REGION", "us-west-2");
  EXPECT_EQ(auth::sts_region(files, "default", ""), "us-west-2");
  EXPECT_EQ(auth::sts_region(files, "default", "eu-north-1"), "eu-north-1");
  auto ep = auth::resolve_service_endpoint(files, "default", "STS", "sts",
                                           auth::default_sts_url("us-west-2"), "us-west-2", "t");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->url, "https://sts.us-west-2.amazonaws.com");
  env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
  ep =
      auth::resolve_service_endpoint(files, "default", "STS", "sts", "https://x", "us-west-2", "t");
  EXPECT_EQ(ep->url, "http://127.0.0.1:9");
}

}  // namespace
}  // namespace sqs::auth_test

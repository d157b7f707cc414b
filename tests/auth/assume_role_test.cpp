// Assume-role profiles against a scripted STS on 127.0.0.1: chains of source_profile (two hops),
// credential_source, the request's parameters and signature, cycles and mfa_serial refused.
#include "auth/sts_test_support.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;

class AssumeRoleTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    env.set("AWS_ENDPOINT_URL_STS", sts.endpoint());
    env.set("AWS_REGION", "eu-west-1");
  }
  std::shared_ptr<CredentialsProvider> profile(const std::string& name) {
    auto o = options();
    o.profile = name;
    return make_profile_credentials_provider(o);
  }
  FakeSts sts{std::chrono::system_clock::time_point(std::chrono::seconds(1735689600)) + 1h};
};

TEST_F(AssumeRoleTest, TwoHopsOfSourceProfiles) {
  dir.write("credentials",
            std::string("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = ") +
                kSecret + "\n");
  dir.write("config",
            "[profile first]\nrole_arn = arn:aws:iam::1:role/first\nsource_profile = base\n"
            "[profile second]\nrole_arn = arn:aws:iam::2:role/second\nsource_profile = first\n"
            "external_id = ext-42\nrole_session_name = me\nduration_seconds = 1800\n");
  auto r = profile("second")->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAsecond");
  EXPECT_EQ(r->provider, "profile:second (assume-role)");
  auto got = sts.server().received();
  ASSERT_EQ(got.size(), 2u);
  // The first hop is signed with the base keys, the second with the first role's.
  EXPECT_EQ(form_value(got[0].body, "RoleArn"), "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Ffirst");
  EXPECT_NE(got[0].header("Authorization").find("Credential=AKIDBASE/"), std::string::npos);
  EXPECT_NE(got[0].header("Authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
  EXPECT_FALSE(got[0].has_header("X-Amz-Security-Token"));
  EXPECT_NE(got[1].header("Authorization").find("Credential=ASIAfirst/"), std::string::npos);
  EXPECT_EQ(got[1].header("X-Amz-Security-Token"), kSessionToken);
  EXPECT_EQ(form_value(got[1].body, "Action"), "AssumeRole");
  EXPECT_EQ(form_value(got[1].body, "ExternalId"), "ext-42");
  EXPECT_EQ(form_value(got[1].body, "RoleSessionName"), "me");
  EXPECT_EQ(form_value(got[1].body, "DurationSeconds"), "1800");
  EXPECT_NE(form_value(got[0].body, "RoleSessionName").find("aws-cpp-sqs-"), std::string::npos);
}

TEST_F(AssumeRoleTest, CredentialSourceEnvironment) {
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  dir.write("config",
            "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\ncredential_source = Environment\n");
  auto r = profile("ci")->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAci");
  EXPECT_NE(sts.server().received().at(0).header("Authorization").find("Credential=AKIDENV/"),
            std::string::npos);
}

TEST_F(AssumeRoleTest, ASelfReferencingProfileWithKeysIsNotACycle) {
  dir.write("credentials",
            std::string("[me]\naws_access_key_id = AKIDME\naws_secret_access_key = ") + kSecret +
                "\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = me\n");
  auto r = profile("me")->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAself");
}

TEST_F(AssumeRoleTest, CyclesAreRefused) {
  dir.write("config",
            "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
            "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
  expect_error(profile("a")->credentials(), {"a -> b -> a", "cycle"});
  EXPECT_EQ(sts.server().requests_received(), 0u);
}

TEST_F(AssumeRoleTest, MfaAndBadSettingsAreRefusedClearly) {
  dir.write("credentials", "[base]\naws_access_key_id = A\naws_secret_access_key = s\n");
  dir.write("config",
            "[profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\n"
            "mfa_serial = arn:aws:iam::1:mfa/me\n"
            "[profile both]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\n"
            "credential_source = Environment\n"
            "[profile badsource]\nrole_arn = arn:aws:iam::1:role/b\ncredential_source = Moon\n"
            "[profile nosource]\nrole_arn = arn:aws:iam::1:role/b\n"
            "[profile missing]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = ghost\n"
            "[profile duration]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\n"
            "duration_seconds = 60\n"
            "[profile ecs]\nrole_arn = arn:aws:iam::1:role/b\ncredential_source = EcsContainer\n");
  expect_error(profile("mfa")->credentials(), {"mfa_serial"});
  expect_error(profile("both")->credentials(), {"both source_profile and credential_source"});
  expect_error(profile("badsource")->credentials(),
               {"Environment, Ec2InstanceMetadata or EcsContainer"});
  expect_error(profile("nosource")->credentials(), {"role_arn is set but neither source_profile"});
  expect_error(profile("missing")->credentials(), {"source_profile 'ghost' is not found"});
  expect_error(profile("duration")->credentials(), {"duration_seconds must be 900 to 43200"});
  expect_error(profile("ecs")->credentials(), {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"});
  EXPECT_EQ(sts.server().requests_received(), 0u);
}

TEST_F(AssumeRoleTest, StsRefusalNamesTheRole) {
  sts.refuse("denied", "AccessDenied");
  dir.write("credentials", "[base]\naws_access_key_id = A\naws_secret_access_key = s\n");
  dir.write("config",
            "[profile d]\nrole_arn = arn:aws:iam::1:role/denied\nsource_profile = base\n");
  auto e = expect_error(profile("d")->credentials(), {"profile 'd' (assume-role)", "AccessDenied",
                                                      "arn:aws:iam::1:role/denied"});
  EXPECT_EQ(e.code, "AccessDenied");
}

TEST_F(AssumeRoleTest, TheAssumeRoleFactoryRefreshes) {
  auto source = make_static_credentials_provider({"AKIDSRC", kSecret, "", std::nullopt, ""});
  AssumeRoleOptions role;
  role.role_arn = "arn:aws:iam::1:role/direct";
  auto provider = make_assume_role_credentials_provider(source, role, options());
  auto r = provider->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAdirect");
  ASSERT_TRUE(provider->credentials());
  EXPECT_EQ(sts.server().requests_received(), 1u);  // cached
  clock->advance(1h - 10s);
  ASSERT_TRUE(provider->credentials());
  EXPECT_EQ(sts.server().requests_received(), 2u);  // refreshed
}

}  // namespace
}  // namespace sqs::auth_test

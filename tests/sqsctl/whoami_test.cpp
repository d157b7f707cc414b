// sqsctl whoami: the provider, the key id's last 4 characters and the expiration, from a
// scripted container endpoint on 127.0.0.1 and from --profile; never a secret.
#include <gtest/gtest.h>

#include <fstream>

#include "sqsctl/sqsctl_fixture.hpp"
#include "support/scoped_env.hpp"
#include "support/scripted_http_server.hpp"

namespace sqsctl_test {
namespace {

using Whoami = SqsctlTest;
constexpr const char* kSecret = "whoamiSECRETwJalrXUtnFEMIK7MDENG";
constexpr const char* kToken = "whoamiSESSIONTOKENIQoJb3JpZ2lu";
constexpr const char* kAuthToken = "whoamiCONTAINERAUTHTOKEN";

void expect_no_secret(const ProcessResult& r) {
  for (const char* s : {kSecret, kToken, kAuthToken}) {
    EXPECT_EQ(r.out.find(s), std::string::npos) << describe(r);
    EXPECT_EQ(r.err.find(s), std::string::npos) << describe(r);
  }
}

TEST_F(Whoami, ContainerCredentials) {
  sqs::test::ScriptedHttpServer container([](const sqs::test::ReceivedRequest& r) {
    if (r.header("Authorization") != kAuthToken) return sqs::test::Reply::with_status(401);
    return sqs::test::Reply::ok(
        std::string(R"({"AccessKeyId":"ASIACONTAINERWXYZ","SecretAccessKey":")") + kSecret +
        R"(","Token":")" + kToken + R"(","Expiration":"2031-02-03T04:05:06Z"})");
  });
  auto r = sqsctl_raw({"whoami"}, "",
                      {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=",
                       "AWS_CONTAINER_CREDENTIALS_FULL_URI=" + container.endpoint() + "/creds",
                       std::string("AWS_CONTAINER_AUTHORIZATION_TOKEN=") + kAuthToken});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 1u) << describe(r);
  EXPECT_EQ(str(lines[0].at("Provider")), "container");
  EXPECT_EQ(str(lines[0].at("AccessKeyId")), "...WXYZ");
  EXPECT_EQ(str(lines[0].at("Expiration")), "2031-02-03T04:05:06Z");
  EXPECT_TRUE(lines[0].at("SessionToken").as_bool());
  expect_no_secret(r);
  EXPECT_EQ(container.requests_received(), 1u);
}

TEST_F(Whoami, TheProfileOption) {
  sqs::test::TempDir dir;
  const std::string config =
      dir.write("config", std::string("[profile dev]\naws_access_key_id = AKIDDEV1234\n"
                                      "aws_secret_access_key = ") +
                              kSecret + "\n");
  auto r =
      sqsctl_raw({"--profile", "dev", "whoami"}, "",
                 {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_CONFIG_FILE=" + config});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(str(lines[0].at("Provider")), "profile:dev");
  EXPECT_EQ(str(lines[0].at("AccessKeyId")), "...1234");
  EXPECT_TRUE(lines[0].at("Expiration").is_null());
  expect_no_secret(r);
  // An unknown profile is a configuration error (exit 2) that names it.
  r = sqsctl_raw({"--profile", "ghost", "whoami"}, "",
                 {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_CONFIG_FILE=" + config});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("profile 'ghost' not found"), std::string::npos) << r.err;
}

TEST_F(Whoami, NothingConfiguredFailsAtOnce) {
  auto r = sqsctl_raw({"whoami"}, "", {"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("no AWS credentials found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("AWS_EC2_METADATA_DISABLED"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sqsctl_test

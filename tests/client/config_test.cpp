// Configuration resolution of sqs::Client as every AWS SDK does it: explicit values, then
// AWS_REGION / AWS_DEFAULT_REGION / AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL / AWS_MAX_ATTEMPTS,
// then the shared config file's profile, then defaults. Each test clears and restores the
// environment; the resolved endpoints are then used for real calls.
#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

class ClientConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clear_aws();
    // No shared files unless a test writes some.
    env.set("AWS_CONFIG_FILE", "/nonexistent/sqs-config");
    env.set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sqs-credentials");
    env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
    env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
  }
  ScopedEnv env;
  TempDir dir;
};

TEST_F(ClientConfigTest, MissingRegionIsAConfigurationError) {
  auto r = Client::make({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::configuration);
  EXPECT_EQ(r.error().code, "MissingRegion");
  EXPECT_NE(r.error().message.find("AWS_REGION"), std::string::npos) << r.error().message;
  // The throwing constructor says the same.
  try {
    Client c{ClientConfig{}};
    FAIL() << "constructed without a region";
  } catch (const Exception& e) {
    EXPECT_EQ(e.error().code, "MissingRegion");
  }
}

TEST_F(ClientConfigTest, RegionFromAwsRegionThenAwsDefaultRegion) {
  env.set("AWS_DEFAULT_REGION", "eu-west-3");
  auto r = Client::make({});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->region(), "eu-west-3");
  EXPECT_EQ(r->endpoint(), "https://sqs.eu-west-3.amazonaws.com");

  env.set("AWS_REGION", "ap-south-1");
  auto r2 = Client::make({});
  ASSERT_TRUE(r2) << r2.error().to_string();
  EXPECT_EQ(r2->region(), "ap-south-1");

  ClientConfig explicit_region;
  explicit_region.region = "us-west-2";
  auto r3 = Client::make(explicit_region);
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->region(), "us-west-2");
}

TEST_F(ClientConfigTest, ChinaRegionsUseTheirOwnDomain) {
  env.set("AWS_REGION", "cn-north-1");
  auto r = Client::make({});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->endpoint(), "https://sqs.cn-north-1.amazonaws.com.cn");
}

TEST_F(ClientConfigTest, EndpointFromEnvironmentIsUsedForCalls) {
  env.set("AWS_REGION", "us-east-1");
  env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");  // loses to the SQS-specific one
  env.set("AWS_ENDPOINT_URL_SQS", fauxqs().endpoint());
  auto r = Client::make({});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->endpoint(), fauxqs().endpoint());
  auto created = r->create_queue({.queue_name = unique_name()});
  EXPECT_TRUE(created) << created.error().to_string();

  env.unset("AWS_ENDPOINT_URL_SQS");
  env.set("AWS_ENDPOINT_URL", fauxqs().endpoint());
  auto r2 = Client::make({});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->endpoint(), fauxqs().endpoint());
  EXPECT_TRUE(r2->list_queues({}));

  // Explicit beats the environment.
  ClientConfig c;
  c.endpoint = "http://127.0.0.1:9";
  auto r3 = Client::make(c);
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->endpoint(), "http://127.0.0.1:9");
}

TEST_F(ClientConfigTest, BadEndpointIsAConfigurationError) {
  env.set("AWS_REGION", "us-east-1");
  ClientConfig c;
  c.endpoint = "not a url";
  auto r = Client::make(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::configuration);
  EXPECT_EQ(r.error().code, "InvalidEndpoint");
}

TEST_F(ClientConfigTest, AnEndpointErrorNeverShowsItsPassword) {
  env.set("AWS_REGION", "us-east-1");
  for (const char* url : {"https://me:hunter2@sqs.example.com", "http://me:hunter2@h x/"}) {
    env.set("AWS_ENDPOINT_URL_SQS", url);
    auto r = Client::make();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "InvalidEndpoint");
    EXPECT_EQ(r.error().to_string().find("hunter2"), std::string::npos) << r.error().to_string();
  }
}

TEST_F(ClientConfigTest, ProfileRegionAndServicesEndpointFromTheSharedConfigFile) {
  auto path = dir.write("config",
                        "[default]\n"
                        "region = sa-east-1\n"
                        "[profile dev]\n"
                        "region = us-east-1\n"
                        "services = local\n"
                        "max_attempts = 2\n"
                        "[services local]\n"
                        "sqs =\n"
                        "  endpoint_url = " +
                            fauxqs().endpoint() + "\n");
  env.set("AWS_CONFIG_FILE", path);

  auto def = Client::make({});
  ASSERT_TRUE(def) << def.error().to_string();
  EXPECT_EQ(def->region(), "sa-east-1");
  EXPECT_EQ(def->endpoint(), "https://sqs.sa-east-1.amazonaws.com");

  env.set("AWS_PROFILE", "dev");
  auto dev = Client::make({});
  ASSERT_TRUE(dev) << dev.error().to_string();
  EXPECT_EQ(dev->region(), "us-east-1");
  EXPECT_EQ(dev->endpoint(), fauxqs().endpoint());
  EXPECT_EQ(dev->config().retry.max_attempts, 2);
  auto created = dev->create_queue({.queue_name = unique_name()});
  EXPECT_TRUE(created) << created.error().to_string();

  // ClientConfig::profile beats AWS_PROFILE; environment beats the file.
  ClientConfig c;
  c.profile = "default";
  auto chosen = Client::make(c);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->region(), "sa-east-1");
  env.set("AWS_REGION", "eu-north-1");
  auto env_wins = Client::make({});
  ASSERT_TRUE(env_wins);
  EXPECT_EQ(env_wins->region(), "eu-north-1");
}

TEST_F(ClientConfigTest, ProfileEndpointUrlWithoutServicesSection) {
  auto path = dir.write(
      "config", "[default]\nregion = us-east-1\nendpoint_url = " + fauxqs().endpoint() + "\n");
  env.set("AWS_CONFIG_FILE", path);
  auto r = Client::make({});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->endpoint(), fauxqs().endpoint());
}

TEST_F(ClientConfigTest, MaxAttemptsFromTheEnvironmentIsApplied) {
  auto server = answering(sqs_error(500, "InternalError", ""));
  env.set("AWS_REGION", "us-east-1");
  env.set("AWS_MAX_ATTEMPTS", "2");
  ClientConfig c = config_for(server->endpoint());
  c.retry.base_delay = 1ms;
  auto client = Client::make(c);
  ASSERT_TRUE(client) << client.error().to_string();
  EXPECT_EQ(client->config().retry.max_attempts, 2);
  ASSERT_FALSE(client->purge_queue({.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q"}));
  EXPECT_EQ(server->requests_received(), 2u);

  // Explicit beats the environment.
  c.retry.max_attempts = 1;
  auto one = Client::make(c);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->config().retry.max_attempts, 1);

  env.set("AWS_MAX_ATTEMPTS", "zero");
  auto bad = Client::make(config_for(server->endpoint()));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::configuration);
  EXPECT_EQ(bad.error().code, "InvalidMaxAttempts");
}

TEST_F(ClientConfigTest, DefaultMaxAttemptsIsThree) {
  env.set("AWS_REGION", "us-east-1");
  auto r = Client::make({});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->config().retry.max_attempts, 3);
}

// Credentials from the environment sign the requests (fauxqs reads the region from them).
TEST_F(ClientConfigTest, CredentialsFromTheEnvironmentSignRequests) {
  test::ScriptedHttpServer server([](const test::ReceivedRequest&) { return sqs_json("{}"); });
  env.set("AWS_REGION", "eu-central-1");
  env.set("AWS_SESSION_TOKEN", "session-token");
  ClientConfig c;
  c.endpoint = server.endpoint();
  auto client = Client::make(c);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->purge_queue({.queue_url = "https://sqs.eu-central-1.amazonaws.com/1/q"}));
  auto req = server.received().at(0);
  auto auth = std::string(req.header("Authorization"));
  EXPECT_NE(auth.find("Credential=AKIDENV/"), std::string::npos) << auth;
  EXPECT_NE(auth.find("/eu-central-1/sqs/aws4_request"), std::string::npos) << auth;
  EXPECT_EQ(req.header("X-Amz-Security-Token"), "session-token");
  EXPECT_EQ(auth.find("env-secret"), std::string::npos);
}

// No credentials anywhere: each call fails with a configuration error and sends nothing.
TEST_F(ClientConfigTest, MissingCredentialsFailEachCall) {
  auto server = answering(sqs_json("{}"));
  env.unset("AWS_ACCESS_KEY_ID");
  env.unset("AWS_SECRET_ACCESS_KEY");
  ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = server->endpoint();
  auto client = Client::make(c);
  ASSERT_TRUE(client) << client.error().to_string();  // credentials are resolved lazily
  auto r = client->purge_queue({.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::configuration) << r.error().to_string();
  EXPECT_EQ(server->requests_received(), 0u);
}

}  // namespace
}  // namespace sqs::itest

// Instance metadata (IMDSv2) against a scripted server on 127.0.0.1, pointed at with
// AWS_EC2_METADATA_SERVICE_ENDPOINT: token flow, role discovery, the IMDSv1 fallback allowed
// and refused, failures, static stability, the region.
#include <atomic>

#include "auth/auth_test_support.hpp"
#include "auth/imds_client.hpp"
#include "auth/shared_config.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::Reply;
using test::ScriptedHttpServer;

constexpr const char* kCredsPath = "/latest/meta-data/iam/security-credentials/";

std::string imds_document(const std::string& key, std::chrono::system_clock::time_point exp) {
  return std::string(
             R"({"Code":"Success","LastUpdated":"2025-01-01T00:00:00Z","Type":"AWS-HMAC",)") +
         R"("AccessKeyId":")" + key + R"(","SecretAccessKey":")" + kSecret + R"(","Token":")" +
         kSessionToken + R"(","Expiration":")" + iso(exp) + R"("})";
}

class ImdsTest : public AuthTest {
 protected:
  // IMDS as on an instance with role "app-role"; `token_status` answers the token PUT.
  std::unique_ptr<ScriptedHttpServer> imds(int token_status = 200, std::string key = "ASIAIMDS1") {
    auto exp = wall(*clock) + 6h;
    return std::make_unique<ScriptedHttpServer>(
        [token_status, key, exp](const ReceivedRequest& r) -> Reply {
          const bool v2 = token_status == 200;
          if (r.method == "PUT" && r.target == "/latest/api/token") {
            if (r.header("X-aws-ec2-metadata-token-ttl-seconds") != "21600") {
              return Reply::with_status(400);
            }
            return token_status == 200 ? Reply::ok("IMDSTOKEN") : Reply::with_status(token_status);
          }
          if (v2 && r.header("X-aws-ec2-metadata-token") != "IMDSTOKEN") {
            return Reply::with_status(401);
          }
          if (r.method == "GET" && r.target == kCredsPath) return Reply::ok("app-role\n");
          if (r.method == "GET" && r.target == std::string(kCredsPath) + "app-role") {
            return Reply::ok(imds_document(key, exp));
          }
          if (r.target == "/latest/meta-data/placement/region") return Reply::ok("eu-west-3");
          return Reply::with_status(404);
        });
  }
  void point_at(const ScriptedHttpServer& server) {
    env.unset("AWS_EC2_METADATA_DISABLED");
    env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.endpoint());
  }
};

TEST_F(ImdsTest, V2TokenFlowAndRoleDiscovery) {
  auto server = imds();
  point_at(*server);
  auto provider = make_instance_metadata_credentials_provider(options());
  auto r = provider->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAIMDS1");
  EXPECT_EQ(r->secret_access_key, kSecret);
  EXPECT_EQ(r->session_token, kSessionToken);
  EXPECT_EQ(r->provider, "instance-metadata");
  ASSERT_TRUE(r->expiration);
  auto got = server->received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[1].target, kCredsPath);
  EXPECT_EQ(got[1].header("X-aws-ec2-metadata-token"), "IMDSTOKEN");
  EXPECT_EQ(got[2].target, std::string(kCredsPath) + "app-role");
  // Cached: no more requests.
  ASSERT_TRUE(provider->credentials());
  EXPECT_EQ(server->requests_received(), 3u);
  // A refresh (in the mandatory window: the call waits for it) reuses the session token.
  clock->advance(6h - 30s);
  ASSERT_TRUE(provider->credentials());
  got = server->received();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[3].method, "GET");
}

TEST_F(ImdsTest, FallsBackToV1WhenTheTokenIsRefusedAndV1IsAllowed) {
  for (int status : {403, 404, 405}) {
    auto server = imds(status);
    point_at(*server);
    auto r = make_instance_metadata_credentials_provider(options())->credentials();
    ASSERT_TRUE(r) << status << ": " << r.error().message;
    auto got = server->received();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_FALSE(got[1].has_header("X-aws-ec2-metadata-token"));
  }
}

TEST_F(ImdsTest, NoV1FallbackWhenDisabled) {
  auto server = imds(404);
  point_at(*server);
  env.set("AWS_EC2_METADATA_V1_DISABLED", "true");
  auto e = expect_error(make_instance_metadata_credentials_provider(options())->credentials(),
                        {"instance metadata", "AWS_EC2_METADATA_V1_DISABLED"});
  EXPECT_EQ(server->requests_received(), 1u);  // the token PUT only
}

TEST_F(ImdsTest, V1DisabledInTheProfile) {
  auto server = imds(403);
  point_at(*server);
  dir.write("config", "[default]\nec2_metadata_v1_disabled = true\n");
  expect_error(make_instance_metadata_credentials_provider(options())->credentials(),
               {"ec2_metadata_v1_disabled"});
}

TEST_F(ImdsTest, NoRoleAttachedSaysSo) {
  ScriptedHttpServer server([](const ReceivedRequest& r) {
    if (r.method == "PUT") return Reply::ok("T");
    return Reply::with_status(404);
  });
  point_at(server);
  expect_error(make_instance_metadata_credentials_provider(options())->credentials(),
               {"no IAM role"});
}

TEST_F(ImdsTest, ServerErrorsGarbageAndTimeoutsAreReported) {
  {
    ScriptedHttpServer server([](const ReceivedRequest& r) {
      if (r.method == "PUT") return Reply::ok("T");
      if (r.target == kCredsPath) return Reply::ok("role");
      return Reply::ok("{not json");
    });
    point_at(server);
    expect_error(make_instance_metadata_credentials_provider(options())->credentials(),
                 {"not a JSON object"});
  }
  {
    ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::with_status(500); });
    point_at(server);
    auto o = options();
    o.imds_attempts = 2;
    expect_error(make_instance_metadata_credentials_provider(o)->credentials(), {"HTTP 500"});
    EXPECT_EQ(server.requests_received(), 2u);  // the documented attempts
  }
  {
    ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
    point_at(server);
    auto o = options();
    o.imds_timeout = 200ms;
    const auto start = std::chrono::steady_clock::now();
    expect_error(make_instance_metadata_credentials_provider(o)->credentials(),
                 {"no answer within 200 ms"});
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(server.requests_received(), 1u);  // no IMDSv1 retry after a token timeout
  }
}

TEST_F(ImdsTest, StaticStabilityDuringAnOutage) {
  std::atomic<bool> down{false};
  auto exp = wall(*clock) + 1h;
  ScriptedHttpServer server([&down, exp](const ReceivedRequest& r) -> Reply {
    if (down) return Reply::with_status(503);
    if (r.method == "PUT") return Reply::ok("T");
    if (r.target == kCredsPath) return Reply::ok("role");
    return Reply::ok(imds_document("ASIASTABLE", exp));
  });
  point_at(server);
  auto provider = make_instance_metadata_credentials_provider(options());
  ASSERT_TRUE(provider->credentials());
  down = true;
  clock->advance(2h);  // expired, and IMDS is down
  auto r = provider->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIASTABLE");
  std::lock_guard lock(warn_mutex);
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("static stability"), std::string::npos);
}

TEST_F(ImdsTest, DisabledFailsAtOnceWithoutASocket) {
  auto server = imds();
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server->endpoint());
  env.set("AWS_EC2_METADATA_DISABLED", "true");
  expect_error(make_instance_metadata_credentials_provider(options())->credentials(),
               {"AWS_EC2_METADATA_DISABLED"});
  EXPECT_FALSE(region_from_instance_metadata(options()));
  EXPECT_EQ(server->connections_accepted(), 0u);
}

// Settings only (a pure function): nothing is sent, so no test can reach a real metadata address.
TEST_F(ImdsTest, EndpointModeAndBadSettings) {
  const auto files = auth::SharedConfig::parse("", "");
  auto o = options();
  o.imds_attempts.reset();
  o.imds_timeout.reset();
  auto s = auth::imds_settings(files, "default", o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->url, "http://169.254.169.254");
  EXPECT_EQ(s->timeout, 1000ms);  // documented defaults
  EXPECT_EQ(s->attempts, 1);
  EXPECT_TRUE(s->disabled);
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv6");
  s = auth::imds_settings(files, "default", o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->url, "http://[fd00:ec2::254]");
  EXPECT_EQ(s->endpoint.host, "fd00:ec2::254");
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5");
  s = auth::imds_settings(files, "default", o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("IPv4 or IPv6"), std::string::npos);
  env.unset("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  env.set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0");
  EXPECT_FALSE(auth::imds_settings(files, "default", o));
  env.set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3");
  env.set("AWS_METADATA_SERVICE_TIMEOUT", "2.5");
  s = auth::imds_settings(files, "default", o);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->attempts, 3);
  EXPECT_EQ(s->timeout, 2500ms);
}

TEST_F(ImdsTest, RegionFromInstanceMetadata) {
  auto server = imds();
  point_at(*server);
  auto region = region_from_instance_metadata(options());
  ASSERT_TRUE(region) << region.error().message;
  EXPECT_EQ(*region, "eu-west-3");
}

}  // namespace
}  // namespace sqs::auth_test

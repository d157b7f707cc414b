// ClientConfig::region_from_instance_metadata: with no region anywhere else, the client takes
// the instance's from instance metadata (a scripted IMDSv2 on 127.0.0.1); off by default, and
// never with AWS_EC2_METADATA_DISABLED=true.
#include <gtest/gtest.h>

#include "sqs/client.hpp"
#include "support/scoped_env.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs {
namespace {

using test::Reply;

std::unique_ptr<test::ScriptedHttpServer> imds() {
  return std::make_unique<test::ScriptedHttpServer>([](const test::ReceivedRequest& r) {
    if (r.method == "PUT" && r.target == "/latest/api/token") return Reply::ok("token-1");
    if (r.target == "/latest/meta-data/placement/region" &&
        r.header("x-aws-ec2-metadata-token") == "token-1") {
      return Reply::ok("eu-west-3");
    }
    return Reply::with_status(404);
  });
}

ClientConfig no_region_config() {
  ClientConfig c;
  c.endpoint = "http://127.0.0.1:1";  // never called
  c.credentials = Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, ""};
  return c;
}

TEST(RegionFromInstanceMetadata, UsedOnlyWhenAskedAndNothingElseGivesOne) {
  test::ScopedEnv env;
  env.clear_aws();
  auto server = imds();
  env.set("AWS_EC2_METADATA_DISABLED", "false");
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server->endpoint());

  EXPECT_THROW(Client{no_region_config()}, Exception) << "off by default";
  EXPECT_EQ(server->requests_received(), 0u);

  ClientConfig asked = no_region_config();
  asked.region_from_instance_metadata = true;
  Client client(asked);
  EXPECT_EQ(client.region(), "eu-west-3");

  env.set("AWS_REGION", "ap-south-1");  // anything else wins, without asking IMDS
  const auto before = server->requests_received();
  Client explicit_region(asked);
  EXPECT_EQ(explicit_region.region(), "ap-south-1");
  EXPECT_EQ(server->requests_received(), before);
}

TEST(RegionFromInstanceMetadata, DisabledMetadataSaysWhy) {
  test::ScopedEnv env;
  env.clear_aws();  // (AWS_EC2_METADATA_DISABLED=true)
  ClientConfig asked = no_region_config();
  asked.region_from_instance_metadata = true;
  try {
    Client client(asked);
    FAIL() << "a client without a region";
  } catch (const Exception& e) {
    EXPECT_EQ(e.error().code, "MissingRegion");
    EXPECT_NE(std::string(e.what()).find("instance metadata"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sqs

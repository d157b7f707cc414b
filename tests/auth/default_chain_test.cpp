// The default chain's order and its "first configured decides" rule, with every endpoint on
// 127.0.0.1; with instance metadata disabled and nothing configured it fails at once, without
// opening a socket.
#include <future>

#include "auth/sts_test_support.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::Reply;
using test::ScriptedHttpServer;

class DefaultChainTest : public AuthTest {
 protected:
  std::shared_ptr<CredentialsProvider> chain() {
    return make_default_credentials_provider(options());
  }

  // A container endpoint and an IMDS, each answering credentials named after it.
  ScriptedHttpServer container{[](const ReceivedRequest&) {
    return Reply::ok(std::string(R"({"AccessKeyId":"ASIACONTAINER","SecretAccessKey":")") +
                     kSecret + R"(","Token":"t","Expiration":"2025-01-01T06:00:00Z"})");
  }};
  ScriptedHttpServer imds{[](const ReceivedRequest& r) {
    if (r.method == "PUT") return Reply::ok("TOKEN");
    if (r.target == "/latest/meta-data/iam/security-credentials/") return Reply::ok("role");
    return Reply::ok(
        std::string(R"({"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":")") + kSecret +
        R"(","Token":"t","Expiration":"2025-01-01T06:00:00Z"})");
  }};
  FakeSts sts{std::chrono::system_clock::time_point(std::chrono::seconds(1735689600)) + 1h};

  void enable_imds() {
    env.unset("AWS_EC2_METADATA_DISABLED");
    env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  }
  void enable_container() {
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.endpoint() + "/c");
  }
  void enable_web_identity() {
    env.set("AWS_ENDPOINT_URL_STS", sts.endpoint());
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("token", kWebToken));
    env.set("AWS_ROLE_ARN", "arn:aws:iam::1:role/web");
  }
  void enable_profile() {
    dir.write("credentials",
              "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n");
  }
  std::string key() {
    auto r = chain()->credentials();
    if (!r) return "error: " + r.error().message;
    return r->access_key_id;
  }
};

TEST_F(DefaultChainTest, NothingConfiguredAndImdsDisabledFailsAtOnceWithoutASocket) {
  // IMDS "endpoint" set but disabled: it must not be contacted.
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  const auto start = std::chrono::steady_clock::now();
  auto provider = chain();
  EXPECT_EQ(provider->current(), nullptr);
  auto e = expect_error(
      provider->credentials(),
      {"no AWS credentials found", "AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE",
       "profile 'default'", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_EC2_METADATA_DISABLED"});
  EXPECT_EQ(e.code, "CredentialsNotFound");
  std::promise<Result<Credentials>> answer;
  provider->async_credentials([&](Result<Credentials> r) { answer.set_value(std::move(r)); });
  EXPECT_FALSE(answer.get_future().get());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(imds.connections_accepted(), 0u);
  EXPECT_EQ(container.connections_accepted(), 0u);
  EXPECT_EQ(sts.server().connections_accepted(), 0u);
}

TEST_F(DefaultChainTest, TheOrderOfTheNewestSdks) {
  enable_imds();
  EXPECT_EQ(key(), "ASIAIMDS");
  enable_container();
  EXPECT_EQ(key(), "ASIACONTAINER");
  enable_profile();
  EXPECT_EQ(key(), "AKIDFILE");
  enable_web_identity();
  EXPECT_EQ(key(), "ASIAweb");
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  EXPECT_EQ(key(), "AKIDENV");
}

TEST_F(DefaultChainTest, AConfiguredButBrokenSourceReportsInsteadOfFallingThrough) {
  enable_profile();
  enable_imds();
  env.set("AWS_ROLE_ARN", "arn:aws:iam::1:role/web");
  expect_error(chain()->credentials(),
               {"AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not"});
  env.unset("AWS_ROLE_ARN");
  env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds");
  dir.write("credentials", "");
  expect_error(chain()->credentials(), {"container", "https"});
  EXPECT_EQ(imds.connections_accepted(), 0u);
}

TEST_F(DefaultChainTest, AnExplicitProfileMustExist) {
  enable_container();
  env.set("AWS_PROFILE", "ghost");
  expect_error(chain()->credentials(), {"profile 'ghost' not found"});
  EXPECT_EQ(container.connections_accepted(), 0u);
}

TEST_F(DefaultChainTest, ImdsFailureSaysWhereElseItLooked) {
  env.unset("AWS_EC2_METADATA_DISABLED");
  ScriptedHttpServer refusing([](const ReceivedRequest&) { return Reply::with_status(400); });
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", refusing.endpoint());
  expect_error(chain()->credentials(),
               {"no AWS credentials found", "AWS_ACCESS_KEY_ID", "instance metadata", "HTTP 400"});
}

TEST_F(DefaultChainTest, TheChoiceIsRememberedAndTheHotPathIsTheCache) {
  enable_container();
  auto provider = chain();
  ASSERT_TRUE(provider->credentials());
  enable_profile();  // appears later: the running choice stays
  for (int i = 0; i < 100; ++i) {
    auto c = provider->current();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->access_key_id, "ASIACONTAINER");
  }
  EXPECT_EQ(container.requests_received(), 1u);
}

TEST_F(DefaultChainTest, WhoSuppliedThem) {
  enable_container();
  EXPECT_EQ(chain()->credentials()->provider, "container");
  enable_profile();
  EXPECT_EQ(chain()->credentials()->provider, "profile:default");
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.set("AWS_SECRET_ACCESS_KEY", kSecret);
  EXPECT_EQ(chain()->credentials()->provider, "environment");
}

// Every error and warning the tests of this binary saw, checked once more as a whole after the
// last test (a global environment's TearDown: whatever order the tests ran in). ctest's
// auth_output_has_no_secret greps the binary's whole output as well.
class NoSecretInErrors : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard lock(seen_mutex());
    for (const auto& e : seen_errors()) {
      for (const char* s : {kSecret, kSessionToken, kWebToken, kContainerToken, kSsoAccessToken,
                            kSsoRefreshToken, kClientSecret, kProcessOutputMarker}) {
        EXPECT_EQ(e.find(s), std::string::npos) << e;
      }
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kNoSecretInErrors =
    ::testing::AddGlobalTestEnvironment(new NoSecretInErrors);

}  // namespace
}  // namespace sqs::auth_test

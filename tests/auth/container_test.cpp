// The container credentials endpoint (ECS, EKS Pod Identity) against a scripted server on
// 127.0.0.1 through AWS_CONTAINER_CREDENTIALS_FULL_URI: the token file re-read at each refresh,
// the allowed hosts, CR/LF refused, failures.
#include <mutex>

#include "auth/auth_test_support.hpp"
#include "auth/container_client.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::Reply;
using test::ScriptedHttpServer;

class ContainerTest : public AuthTest {
 protected:
  std::unique_ptr<ScriptedHttpServer> endpoint(std::chrono::seconds lifetime = 6h) {
    auto exp = wall(*clock) + lifetime;
    return std::make_unique<ScriptedHttpServer>([exp](const ReceivedRequest& r) -> Reply {
      if (r.target != "/creds?id=1")
        return Reply::with_status(404, R"({"message":"no such path"})");
      return Reply::ok(std::string(R"({"AccessKeyId":"ASIACONT","SecretAccessKey":")") + kSecret +
                       R"(","Token":")" + kSessionToken + R"(","Expiration":")" + iso(exp) +
                       R"("})");
    });
  }
};

TEST_F(ContainerTest, FullUriWithTheTokenFileReadAgainAtEachRefresh) {
  auto server = endpoint(15min);
  env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server->endpoint() + "/creds?id=1");
  const std::string file = dir.write("token", std::string(kContainerToken) + "-1");
  env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file);
  env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-the-file-is-set");
  auto provider = make_container_credentials_provider(options());
  auto r = provider->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIACONT");
  EXPECT_EQ(r->provider, "container");
  dir.write("token", std::string(kContainerToken) + "-2");  // rotated
  clock->advance(15min - 30s);                              // mandatory window
  r = provider->credentials();
  ASSERT_TRUE(r) << r.error().message;
  auto got = server->received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].header("Authorization"), std::string(kContainerToken) + "-1");
  EXPECT_EQ(got[1].header("Authorization"), std::string(kContainerToken) + "-2");
  EXPECT_EQ(got[0].target, "/creds?id=1");
}

TEST_F(ContainerTest, TokenFromTheVariable) {
  auto server = endpoint();
  env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server->endpoint() + "/creds?id=1");
  env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kContainerToken);
  ASSERT_TRUE(make_container_credentials_provider(options())->credentials());
  EXPECT_EQ(server->received().at(0).header("Authorization"), kContainerToken);
}

TEST_F(ContainerTest, TokensWithCrOrLfAreRefused) {
  auto server = endpoint();
  env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server->endpoint() + "/creds?id=1");
  env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
          dir.write("token", std::string(kContainerToken) + "\r\nX-Injected: 1"));
  expect_error(make_container_credentials_provider(options())->credentials(), {"CR or LF"});
  EXPECT_EQ(server->requests_received(), 0u);
}

TEST_F(ContainerTest, PlainHttpOnlyToAllowedHosts) {
  for (const char* url :
       {"http://example.com/creds", "http://10.0.0.1/creds", "http://169.254.169.254/creds"}) {
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    auto s = auth::container_settings();
    ASSERT_TRUE(s);
    ASSERT_FALSE(*s) << url;
    EXPECT_NE(s->error().message.find("https"), std::string::npos);
  }
  for (const char* url : {"http://127.0.0.1:8080/creds", "http://localhost/x", "http://[::1]/x",
                          "http://169.254.170.2/x", "http://169.254.170.23/v1/credentials",
                          "http://[fd00:ec2::23]/x", "https://creds.example.com/x"}) {
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    auto s = auth::container_settings();
    ASSERT_TRUE(s);
    EXPECT_TRUE(*s) << url << ": " << s->error().message;
  }
  // The relative URI goes to the ECS agent's address (settings only: nothing is sent).
  env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc");
  auto s = auth::container_settings();
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->url, "http://169.254.170.2/v2/credentials/abc");
  env.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/no-slash");
  s = auth::container_settings();
  ASSERT_TRUE(s);
  EXPECT_FALSE(*s);
}

TEST_F(ContainerTest, ErrorsAndGarbage) {
  {
    auto server = endpoint();
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server->endpoint() + "/wrong");
    env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kContainerToken);
    expect_error(make_container_credentials_provider(options())->credentials(),
                 {"container", "HTTP 404", "no such path"});
  }
  {
    ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::with_status(503); });
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.endpoint() + "/x");
    expect_error(make_container_credentials_provider(options())->credentials(), {"HTTP 503"});
    EXPECT_EQ(server.requests_received(), 2u);  // two attempts
  }
  {
    ScriptedHttpServer server([](const ReceivedRequest&) {
      return Reply::ok(std::string(R"({"AccessKeyId":"A","Token":")") + kSessionToken + "\"}");
    });
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.endpoint() + "/x");
    expect_error(make_container_credentials_provider(options())->credentials(),
                 {"SecretAccessKey"});
  }
  {
    ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.endpoint() + "/x");
    auto o = options();
    o.http_timeout = 200ms;
    expect_error(make_container_credentials_provider(o)->credentials(), {"no answer within"});
  }
  env.unset("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  expect_error(make_container_credentials_provider(options())->credentials(),
               {"AWS_CONTAINER_CREDENTIALS_FULL_URI"});
}

}  // namespace
}  // namespace sqs::auth_test

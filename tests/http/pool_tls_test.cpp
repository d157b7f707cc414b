// http::Pool over TLS against a scripted HTTPS server whose certificate comes from a CA made for
// the test: trusted through ca_file, unknown to the system store, name checked, SNI sent.
#include "pool_test_support.hpp"
#include "test_certificates.hpp"

namespace sqs::http::testing {
namespace {

namespace asio = boost::asio;
using sqs::test::make_test_certificates;
using sqs::test::TempFile;
using sqs::test::TestCertificates;

class PoolTlsTest : public PoolTest {
 protected:
  static void SetUpTestSuite() {
    localhost_ = new TestCertificates(make_test_certificates({"localhost"}, {"127.0.0.1"}));
    elsewhere_ = new TestCertificates(make_test_certificates({"other.example"}, {"10.9.8.7"}));
  }
  static void TearDownTestSuite() {
    delete localhost_;
    delete elsewhere_;
  }

  static ScriptedHttpServer::Options serving(const TestCertificates& certs) {
    return {certs.server_cert_pem, certs.server_key_pem};
  }

  static PoolOptions trusting(const TempFile& ca) {
    PoolOptions options;
    options.ca_file = ca.path();
    return options;
  }

  static Reply echo(const ReceivedRequest& r) { return Reply::ok(r.body); }

  static TestCertificates* localhost_;
  static TestCertificates* elsewhere_;
};

TestCertificates* PoolTlsTest::localhost_ = nullptr;
TestCertificates* PoolTlsTest::elsewhere_ = nullptr;

TEST_F(PoolTlsTest, SucceedsWithCaFileAndHostName) {
  ScriptedHttpServer server(echo, serving(*localhost_));
  TempFile ca(localhost_->ca_pem);
  Pool pool(io.get_executor(), trusting(ca));
  const Endpoint endpoint = endpoint_of("https://localhost:" + std::to_string(server.port()));
  for (int i = 0; i < 3; ++i) {
    const Outcome out = send(pool, endpoint, post("secret " + std::to_string(i)));
    ASSERT_FALSE(out.ec) << out.ec.message();
    EXPECT_EQ(out.response.status, 200);
    EXPECT_EQ(out.response.body, "secret " + std::to_string(i));
  }
  EXPECT_EQ(server.connections_accepted(), 1u);  // kept alive over TLS too
  const auto received = server.received();
  EXPECT_EQ(received[0].tls_server_name, "localhost");  // SNI
  EXPECT_EQ(received[0].header("Host"), "localhost:" + std::to_string(server.port()));
}

TEST_F(PoolTlsTest, SucceedsWithCaFileAndIpAddress) {
  ScriptedHttpServer server(echo, serving(*localhost_));
  TempFile ca(localhost_->ca_pem);
  Pool pool(io.get_executor(), trusting(ca));
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post("by ip"));
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_EQ(out.response.body, "by ip");
  EXPECT_EQ(server.received()[0].tls_server_name, "");  // no SNI for an IP literal
}

TEST_F(PoolTlsTest, NewConnectionsResumeTheTlsSession) {
  ScriptedHttpServer server(
      [](const ReceivedRequest& r) {
        return Reply::ok(r.body).header("Connection", "close").then_close();
      },
      serving(*localhost_));
  TempFile ca(localhost_->ca_pem);
  Pool pool(io.get_executor(), trusting(ca));
  const Endpoint endpoint = endpoint_of("https://localhost:" + std::to_string(server.port()));
  for (int i = 0; i < 3; ++i) {
    const Outcome out = send(pool, endpoint, post(std::to_string(i)));
    ASSERT_FALSE(out.ec) << out.ec.message();
  }
  const auto received = server.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_FALSE(received[0].tls_session_resumed);
  EXPECT_TRUE(received[1].tls_session_resumed);
  EXPECT_TRUE(received[2].tls_session_resumed);
  EXPECT_EQ(received[2].tls_server_name, "localhost");
}

TEST_F(PoolTlsTest, FailsWithTheDefaultStore) {
  ScriptedHttpServer server(echo, serving(*localhost_));
  Pool pool(io.get_executor(), {});
  const Outcome out =
      send(pool, endpoint_of("https://localhost:" + std::to_string(server.port())), post("x"));
  EXPECT_EQ(out.calls, 1);
  EXPECT_TRUE(out.ec);
  EXPECT_NE(out.ec, asio::error::timed_out);
  EXPECT_EQ(server.requests_received(), 0u);
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(PoolTlsTest, FailsOnHostNameMismatch) {
  ScriptedHttpServer server(echo, serving(*elsewhere_));
  TempFile ca(elsewhere_->ca_pem);
  Pool pool(io.get_executor(), trusting(ca));
  const std::string port = std::to_string(server.port());
  for (const std::string& url : {"https://localhost:" + port, "https://127.0.0.1:" + port}) {
    const Outcome out = send(pool, endpoint_of(url), post("x"));
    EXPECT_TRUE(out.ec) << url;
    EXPECT_NE(out.ec, asio::error::timed_out);
  }
  EXPECT_EQ(server.requests_received(), 0u);
}

TEST_F(PoolTlsTest, VerificationCanBeTurnedOff) {
  ScriptedHttpServer server(echo, serving(*elsewhere_));
  PoolOptions options;
  options.verify_peer = false;
  Pool pool(io.get_executor(), options);
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post("unverified"));
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_EQ(out.response.body, "unverified");
}

TEST_F(PoolTlsTest, MissingCaFileIsAnErrorForTlsOnly) {
  ScriptedHttpServer tls_server(echo, serving(*localhost_));
  ScriptedHttpServer plain_server(echo);
  PoolOptions options;
  options.ca_file = "/nonexistent/ca-bundle.pem";
  Pool pool(io.get_executor(), options);
  const Outcome tls = send(pool, endpoint_of(tls_server.endpoint()), post("x"));
  EXPECT_TRUE(tls.ec);
  EXPECT_EQ(tls_server.connections_accepted(), 0u);
  const Outcome plain = send(pool, endpoint_of(plain_server.endpoint()), post("plain"));
  ASSERT_FALSE(plain.ec) << plain.ec.message();
  EXPECT_EQ(plain.response.body, "plain");
}

TEST_F(PoolTlsTest, OneMebibyteBodiesBothWays) {
  std::string body(1024 * 1024, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 13 + i / 509);
  ScriptedHttpServer server(echo, serving(*localhost_));
  TempFile ca(localhost_->ca_pem);
  Pool pool(io.get_executor(), trusting(ca));
  const Outcome out = send(pool, endpoint_of(server.endpoint()), post(body));
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_TRUE(out.response.body == body);
}

TEST_F(PoolTlsTest, StaleTlsConnectionIsRetriedTransparently) {
  ScriptedHttpServer server([](const ReceivedRequest& r) { return Reply::ok(r.body).then_close(); },
                            serving(*localhost_));
  TempFile ca(localhost_->ca_pem);
  Pool pool(io.get_executor(), trusting(ca));
  const Endpoint endpoint = endpoint_of(server.endpoint());
  for (int i = 0; i < 3; ++i) {
    const Outcome out = send(pool, endpoint, post(std::to_string(i)));
    ASSERT_FALSE(out.ec) << i << ": " << out.ec.message();
    EXPECT_EQ(out.response.body, std::to_string(i));
  }
  EXPECT_EQ(server.requests_received(), 3u);
}

TEST_F(PoolTlsTest, DestroyingThePoolDuringHandshakes) {
  ScriptedHttpServer server(echo, serving(*localhost_));
  TempFile ca(localhost_->ca_pem);
  auto pool = std::make_unique<Pool>(io.get_executor(), trusting(ca));
  std::vector<std::shared_ptr<Outcome>> outcomes;
  for (int i = 0; i < 5; ++i) {
    outcomes.push_back(std::make_shared<Outcome>());
    pool->async_send(endpoint_of(server.endpoint()), post("x"), 30s, record_into(outcomes.back()));
  }
  ASSERT_TRUE(run_until([&] { return server.connections_accepted() == 5; }));
  pool.reset();
  ASSERT_TRUE(run_until([&] {
    for (const auto& o : outcomes) {
      if (o->calls == 0) return false;
    }
    return true;
  }));
  for (const auto& o : outcomes) {
    EXPECT_EQ(o->calls, 1);
    // Either aborted, or (if the exchange finished first) answered.
    if (o->ec) {
      EXPECT_EQ(o->ec, asio::error::operation_aborted);
    }
  }
}

}  // namespace
}  // namespace sqs::http::testing

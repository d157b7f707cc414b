// Exit statuses and configuration: service errors (1), transport errors (1), usage and
// configuration errors (2), configuration from the environment.
#include <gtest/gtest.h>

#include "sqsctl/sqsctl_fixture.hpp"
#include "support/scripted_http_server.hpp"

namespace sqsctl_test {
namespace {

using Errors = SqsctlTest;

TEST_F(Errors, NonexistentQueueExits1WithTheServiceCode) {
  auto name = unique_name();
  const std::vector<std::vector<std::string>> commands = {
      {"get-queue-url", name},
      {"delete-queue", name},
      {"purge", name},
      {"get-attributes", name},
      {"set-attributes", name, "VisibilityTimeout=5"},
      {"send", name, "--body", "x"},
      {"receive", name},
      {"delete", name, "handle"},
      {"change-visibility", name, "handle", "5"},
  };
  for (const auto& args : commands) {
    auto r = sqsctl(args);
    EXPECT_EQ(r.exit_code, 1) << args.front() << ": " << describe(r);
    EXPECT_EQ(r.err.rfind("error: QueueDoesNotExist: ", 0), 0u) << args.front() << ": " << r.err;
    EXPECT_EQ(r.out, "") << args.front();
  }
}

TEST_F(Errors, ServiceErrorsShowTheRequestId) {
  auto r = sqsctl({"get-queue-url", unique_name()});
  ASSERT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("HTTP 400"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("request id"), std::string::npos) << r.err;
}

TEST_F(Errors, UnreachableEndpointExits1) {
  // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
  auto r = sqsctl_raw({"--endpoint", "http://127.0.0.1:9", "--region", "us-east-1", "--timeout",
                       "2", "list-queues"},
                      "", {"AWS_MAX_ATTEMPTS=1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << describe(r);
}

TEST_F(Errors, NoPartOfAMalformedEndpointsUserInfoIsEverShown) {
  // Unencoded '/', '?' or '#' in a password used to end the redaction early (issue #8, hole 1).
  for (const char* endpoint :
       {"http://u:hunter2/pw@127.0.0.1:1", "http://u:hunter2?pw@127.0.0.1:1",
        "http://u:hunter2#pw@127.0.0.1:1", "https://u:hunter2@127.0.0.1:1"}) {
    auto r = sqsctl_raw({"--endpoint", endpoint, "--region", "us-east-1", "list-queues"});
    EXPECT_EQ(r.exit_code, 2) << describe(r);
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("***"), std::string::npos) << r.err;
  }
}

// A failure whose request went out without a usable answer (here a 500) says that the message
// may be in the queue anyway: on stderr for a single call, as "MaybeSent" per line of a batch.
TEST_F(Errors, FailuresThatMayHaveBeenCarriedOutSaySo) {
  sqs::test::ScriptedHttpServer server([](const sqs::test::ReceivedRequest&) {
    return sqs::test::Reply::json(
        500, R"({"__type":"com.amazonaws.sqs#InternalError","message":"oops"})");
  });
  const std::string url = "http://127.0.0.1:1/000000000000/q";
  const std::vector<std::string> global = {"--endpoint", server.endpoint(), "--region",
                                           "us-east-1"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), global.begin(), global.end());
    return args;
  };
  auto r = sqsctl_raw(with({"send", url, "--body", "x"}), "", {"AWS_MAX_ATTEMPTS=1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("may have been carried out anyway"), std::string::npos) << r.err;

  r = sqsctl_raw(with({"send-batch", url}), "{\"Body\":\"a\"}\n{\"Body\":\"b\"}\n",
                 {"AWS_MAX_ATTEMPTS=1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.out.find("\"MaybeSent\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("2 of them may have been sent anyway"), std::string::npos) << r.err;

  // Refused outright (a 4xx): nothing was sent, and nothing says otherwise.
  server.set_script([](const sqs::test::ReceivedRequest&) {
    return sqs::test::Reply::json(
        400, R"({"__type":"com.amazonaws.sqs#InvalidParameterValue","message":"no"})");
  });
  r = sqsctl_raw(with({"send", url, "--body", "x"}), "", {"AWS_MAX_ATTEMPTS=1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_EQ(r.err.find("may have been"), std::string::npos) << r.err;
}

TEST_F(Errors, MissingRegionExits2WithAHint) {
  auto r = sqsctl_raw({"--endpoint", fauxqs_endpoint(), "list-queues"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << describe(r);
  EXPECT_NE(r.err.find("--region"), std::string::npos) << describe(r);
}

TEST_F(Errors, BadEndpointExits2) {
  auto r = sqsctl_raw({"--endpoint", "not a url", "--region", "us-east-1", "list-queues"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
}

TEST_F(Errors, RegionAndEndpointComeFromTheEnvironment) {
  auto url = create_queue();
  auto r = sqsctl_raw({"get-queue-url", url.substr(url.rfind('/') + 1)}, "",
                      {"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=" + fauxqs_endpoint()});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, url + "\n");
}

TEST_F(Errors, ProfileComesFromTheSharedConfigFile) {
  auto url = create_queue();
  const std::string config = home_dir_ + "/config-for-profile";
  {
    std::FILE* f = std::fopen(config.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("[profile sqsctl-test]\nregion = us-east-1\n", f);
    std::fclose(f);
  }
  auto r = sqsctl_raw({"--endpoint", fauxqs_endpoint(), "--profile", "sqsctl-test", "list-queues",
                       "--prefix", url.substr(url.rfind('/') + 1)},
                      "", {"AWS_CONFIG_FILE=" + config});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, url + "\n");
}

TEST_F(Errors, TimeoutOptionIsAccepted) {
  auto url = create_queue();
  auto r = sqsctl({"--timeout", "0.5", "get-attributes", url, "VisibilityTimeout"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
}

TEST_F(Errors, GlobalOptionsGoBeforeTheCommand) {
  auto r = sqsctl_raw({"list-queues", "--region", "us-east-1"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
}

}  // namespace
}  // namespace sqsctl_test

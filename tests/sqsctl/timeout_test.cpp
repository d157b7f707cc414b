// The global --timeout bounds the whole command (every call, retry, back-off, page and batch;
// receive: plus its long poll's wait), against a scripted server that hangs or answers slowly;
// --timeout values that are not a finite number of seconds in range, and out-of-range durations
// of the other options, are usage errors (exit 2) before anything is sent.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "sqsctl/sqsctl_fixture.hpp"
#include "support/scripted_http_server.hpp"

namespace sqsctl_test {
namespace {

using namespace std::chrono_literals;
using sqs::test::Reply;
using sqs::test::ScriptedHttpServer;
using Clock = std::chrono::steady_clock;

constexpr auto kLate = 1500ms;  // how long after its bound a command may end (process start...)

class Timeout : public SqsctlTest {
 protected:
  // sqsctl --endpoint SERVER --region us-east-1 ARGS..., timed.
  ProcessResult run(const ScriptedHttpServer& server, const std::vector<std::string>& args,
                    const std::string& input = "") {
    std::vector<std::string> full = {"--endpoint", server.endpoint(), "--region", "us-east-1"};
    full.insert(full.end(), args.begin(), args.end());
    auto start = Clock::now();
    auto r = sqsctl_raw(full, input);
    elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return r;
  }
  std::chrono::milliseconds elapsed{0};
};

std::string target_of(const sqs::test::ReceivedRequest& r) {
  return std::string(r.header("X-Amz-Target"));
}

Reply sqs_json(std::string body) {
  return Reply::json(200, std::move(body)).header("x-amzn-RequestId", "req-canned");
}

// A queue name: GetQueueUrl (which hangs) comes first.
TEST_F(Timeout, ReceiveOfAHangingServerEndsWithinTheTimeoutPlusTheWait) {
  ScriptedHttpServer server([](const sqs::test::ReceivedRequest&) { return Reply::hang(); });
  auto r = run(server, {"--timeout", "1", "receive", "q", "--wait-seconds", "1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("RequestTimeout"), std::string::npos) << describe(r);
  EXPECT_LE(elapsed, 2s + kLate) << describe(r);
  EXPECT_EQ(r.out, "");
}

// A queue URL: the long poll itself hangs, and may take its wait + --timeout, not less.
TEST_F(Timeout, LongPollOfAHangingServerGetsItsWaitOnTop) {
  ScriptedHttpServer server([](const sqs::test::ReceivedRequest&) { return Reply::hang(); });
  auto url = server.endpoint() + "/000000000000/q";
  auto r = run(server, {"--timeout", "1", "receive", url, "--wait-seconds", "1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("RequestTimeout"), std::string::npos) << describe(r);
  EXPECT_GE(elapsed, 2s - 100ms) << describe(r);
  EXPECT_LE(elapsed, 2s + kLate) << describe(r);
  EXPECT_EQ(server.requests_received(), 1u);  // no retry: the deadline ended the call
}

// Every call answers within --timeout, but the pages never end: the command's own deadline
// stops it.
TEST_F(Timeout, EndlessListQueuesPagesStopAtTheTimeout) {
  std::atomic<int> page{0};
  ScriptedHttpServer server([&page](const sqs::test::ReceivedRequest&) {
    int n = page++;
    return sqs_json(R"({"QueueUrls":["https://sqs.us-east-1.amazonaws.com/1/q)" +
                    std::to_string(n) + R"("],"NextToken":"t)" + std::to_string(n) + R"("})")
        .after(200ms);
  });
  auto r = run(server, {"--timeout", "1", "list-queues"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("RequestTimeout"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("--timeout 1 s"), std::string::npos) << describe(r);
  EXPECT_GE(elapsed, 1s - 100ms) << describe(r);
  EXPECT_LE(elapsed, 1s + kLate) << describe(r);
  EXPECT_GE(server.requests_received(), 2u);
  EXPECT_LE(server.requests_received(), 7u);
}

// Five batches one at a time, 400 ms each: about two fit in --timeout 1; every message still
// gets its line (sent, or a RequestTimeout error), and the command ends at the bound.
TEST_F(Timeout, SendBatchOfManyBatchesStopsAtTheTimeout) {
  std::string answer = R"({"Successful":[)";
  for (int i = 0; i < 10; ++i) {
    if (i > 0) answer += ",";
    answer += R"({"Id":")" + std::to_string(i) + R"(","MessageId":"m)" + std::to_string(i) +
              R"(","MD5OfMessageBody":"0cc175b9c0f1b6a831c399e269772661"})";  // MD5 of "a"
  }
  answer += "],\"Failed\":[]}";
  ScriptedHttpServer server([answer](const sqs::test::ReceivedRequest& request) {
    if (target_of(request) != "AmazonSQS.SendMessageBatch") return Reply::with_status(400);
    return sqs_json(answer).after(400ms);
  });
  std::string input;
  for (int i = 0; i < 50; ++i) input += "{\"Body\":\"a\"}\n";
  auto url = server.endpoint() + "/000000000000/q";
  auto r = run(server, {"--timeout", "1", "send-batch", url, "--concurrency", "1"}, input);
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_LE(elapsed, 1s + kLate) << describe(r);
  EXPECT_NE(r.err.find("RequestTimeout"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find("were not sent"), std::string::npos) << describe(r);
  auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 50u) << describe(r);
  std::size_t sent = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["Index"].as_int64(), static_cast<std::int64_t>(i));
    if (lines[i].contains("MessageId")) {
      ++sent;
    } else {
      EXPECT_EQ(str(lines[i]["Error"].as_object()["Code"]), "RequestTimeout") << describe(r);
    }
  }
  EXPECT_GE(sent, 10u) << describe(r);  // the first batch, at least, got through
  EXPECT_LT(sent, 50u) << describe(r);
}

TEST_F(Timeout, BadTimeoutValuesExit2WithAMessage) {
  for (const char* bad : {"1e16", "1e300", "1e400", "inf", "-inf", "nan", "-1", "0", "0.0", "86401",
                          "soon", "2abc", ""}) {
    auto r = sqsctl_raw({"--endpoint", "http://127.0.0.1:9", "--region", "us-east-1", "--timeout",
                         bad, "list-queues"});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << describe(r);
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << bad << ": " << describe(r);
    EXPECT_EQ(r.out, "") << bad;
  }
}

// The other durations: integers in their SQS range, refused at parsing (exit 2, nothing sent:
// the endpoint is a closed port, where any request would fail with exit 1).
TEST_F(Timeout, BadDurationsOfOtherOptionsExit2) {
  const std::vector<std::vector<std::string>> cases = {
      {"receive", "q", "--wait-seconds", "1e16"},
      {"receive", "q", "--wait-seconds", "inf"},
      {"receive", "q", "--wait-seconds", "99999999999"},
      {"receive", "q", "--wait-seconds", "-1"},
      {"receive", "q", "--wait-seconds", "21"},
      {"receive", "q", "--visibility-timeout", "1e300"},
      {"receive", "q", "--visibility-timeout", "-1"},
      {"receive", "q", "--visibility-timeout", "43201"},
      {"send", "q", "--body", "x", "--delay-seconds", "nan"},
      {"send", "q", "--body", "x", "--delay-seconds", "-5"},
      {"send", "q", "--body", "x", "--delay-seconds", "901"},
      {"change-visibility", "q", "handle", "1e16"},
      {"change-visibility", "q", "handle", "-1"},
      {"change-visibility", "q", "handle", "43201"},
  };
  for (const auto& args : cases) {
    std::vector<std::string> full = {"--endpoint", "http://127.0.0.1:9", "--region", "us-east-1"};
    full.insert(full.end(), args.begin(), args.end());
    auto r = sqsctl_raw(full);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << describe(r);
    EXPECT_FALSE(r.err.empty()) << joined;
    EXPECT_EQ(r.out, "") << joined;
  }
}

TEST_F(Timeout, HelpSaysTheTimeoutBoundsTheWholeCommand) {
  auto r = sqsctl_raw({"--help"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("whole command"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("long poll's wait"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sqsctl_test

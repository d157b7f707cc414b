// sqsctl consume: prints and acknowledges, --count, --idle-timeout, --exec (exit status decides,
// the message in the environment), several queues at once, bad specs.
#include <gtest/gtest.h>

#include <set>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

class Consume : public SqsctlTest {
 protected:
  void send(const std::string& url, const std::string& body, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"send", url, "--body", body};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = sqsctl(args);
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }
};

}  // namespace

TEST_F(Consume, PrintsAndDeletesCountMessages) {
  const auto url = create_queue();
  for (int i = 0; i < 5; ++i) send(url, "m" + std::to_string(i));
  auto r = sqsctl({"consume", url, "--count", "3", "--wait-seconds", "1"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const auto& line : lines) EXPECT_EQ(str(line.at("Body")).rfind("m", 0), 0u);
  EXPECT_NE(r.err.find("consumed 3"), std::string::npos) << r.err;
  // The other two are still there, visible (released at once, not hidden).
  EXPECT_EQ(message_count(url), 2);
  EXPECT_EQ(drain(url).size(), 2u);
}

TEST_F(Consume, IdleTimeoutEndsARunThatEmptiedTheQueue) {
  const auto url = create_queue();
  for (int i = 0; i < 4; ++i) send(url, "i" + std::to_string(i));
  auto r = sqsctl({"consume", url, "--idle-timeout", "1", "--wait-seconds", "1"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(json_lines(r).size(), 4u);
  EXPECT_EQ(message_count(url), 0);
}

// --exec: the body on stdin, the message in the environment; exit 0 deletes, anything else
// retries (the message comes back with a higher receive count).
TEST_F(Consume, ExecDecidesByItsExitStatus) {
  const auto url = create_queue();
  send(url, "ok", {"--attribute", "color=String:red"});
  send(url, "fail-once");
  const std::string cmd =
      "body=$(cat); echo \"$body $SQS_RECEIVE_COUNT $SQS_ATTR_COLOR $SQS_QUEUE_INDEX\"; "
      "[ \"$body\" != fail-once ] || [ \"$SQS_RECEIVE_COUNT\" -ge 2 ]";
  auto r = sqsctl({"consume", url, "--count", "2", "--wait-seconds", "1", "--visibility-timeout",
                   "5", "--exec", cmd});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::set<std::string> out;
  std::string line;
  for (char c : r.out) {
    if (c == '\n') {
      out.insert(line);
      line.clear();
    } else {
      line += c;
    }
  }
  EXPECT_TRUE(out.count("ok 1 red 0")) << r.out;
  EXPECT_TRUE(out.count("fail-once 1  0")) << r.out;
  EXPECT_TRUE(out.count("fail-once 2  0")) << r.out;
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(Consume, SeveralQueuesAtOnce) {
  const auto a = create_queue();
  const auto b = create_queue();
  send(a, "from-a");
  send(b, "from-b");
  auto r = sqsctl({"consume", a, b, "--count", "2", "--wait-seconds", "1"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::set<std::string> bodies;
  for (const auto& line : json_lines(r)) bodies.insert(str(line.at("Body")));
  EXPECT_EQ(bodies, (std::set<std::string>{"from-a", "from-b"}));
}

TEST_F(Consume, BadSpecsAndOptionsAreUsageErrors) {
  EXPECT_EQ(sqsctl({"consume"}).exit_code, 2);
  EXPECT_EQ(sqsctl({"consume", "q,weight=0"}).exit_code, 2);
  EXPECT_EQ(sqsctl({"consume", "q", "--max-in-flight", "0"}).exit_code, 2);
  EXPECT_EQ(sqsctl({"consume", "q", "--wait-seconds", "21"}).exit_code, 2);
  auto missing = sqsctl({"consume", unique_name(), "--count", "1"});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
  EXPECT_NE(missing.err.find("QueueDoesNotExist"), std::string::npos) << missing.err;
}

}  // namespace sqsctl_test

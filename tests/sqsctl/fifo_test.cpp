// FIFO queues through sqsctl: group ids, deduplication ids, sequence numbers, order.
#include <gtest/gtest.h>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

using Fifo = SqsctlTest;

TEST_F(Fifo, SendWithGroupAndDeduplicationIdPrintsSequenceNumber) {
  auto url = create_queue(true);
  auto first =
      sqsctl({"send", url, "--body", "one", "--group-id", "g1", "--deduplication-id", "d1"});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  auto result = json_object(first.lines().at(0));
  EXPECT_FALSE(str(result["MessageId"]).empty());
  EXPECT_FALSE(str(result["SequenceNumber"]).empty()) << first.out;

  // The same deduplication id within 5 minutes is accepted and not delivered twice.
  auto duplicate =
      sqsctl({"send", url, "--body", "one again", "--group-id", "g1", "--deduplication-id", "d1"});
  ASSERT_EQ(duplicate.exit_code, 0) << describe(duplicate);
  auto second =
      sqsctl({"send", url, "--body", "two", "--group-id", "g1", "--deduplication-id", "d2"});
  ASSERT_EQ(second.exit_code, 0) << describe(second);

  // A FIFO group gives its next message once the one before it is deleted: receive in a loop.
  auto r = sqsctl({"receive", url, "--count", "10", "--attribute-names", "All", "--delete"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto messages = json_lines(r);
  ASSERT_EQ(messages.size(), 2u) << describe(r);
  EXPECT_EQ(str(messages[0]["Body"]), "one");
  EXPECT_EQ(str(messages[1]["Body"]), "two");
  auto& attributes = messages[0]["Attributes"].as_object();
  EXPECT_EQ(str(attributes.at("MessageGroupId")), "g1") << r.out;
  EXPECT_EQ(str(attributes.at("MessageDeduplicationId")), "d1") << r.out;
  EXPECT_EQ(str(attributes.at("SequenceNumber")), str(result["SequenceNumber"])) << r.out;
}

TEST_F(Fifo, FifoRulesAreCheckedBeforeSending) {
  auto url = create_queue(true, {"--attribute", "ContentBasedDeduplication=true"});
  auto no_group = sqsctl({"send", url, "--body", "x"});
  EXPECT_EQ(no_group.exit_code, 2) << describe(no_group);
  auto delayed = sqsctl({"send", url, "--body", "x", "--group-id", "g", "--delay-seconds", "5"});
  EXPECT_EQ(delayed.exit_code, 2) << describe(delayed);
  auto long_dedup = sqsctl(
      {"send", url, "--body", "x", "--group-id", "g", "--deduplication-id", std::string(129, 'd')});
  EXPECT_EQ(long_dedup.exit_code, 2) << describe(long_dedup);
  EXPECT_EQ(message_count(url), 0);

  auto batch = sqsctl({"send-batch", url}, R"({"Body":"a","GroupId":"g"})"
                                           "\n"
                                           R"({"Body":"b"})"
                                           "\n");
  EXPECT_EQ(batch.exit_code, 2) << describe(batch);
  EXPECT_NE(batch.err.find("line 2: "), std::string::npos) << describe(batch);
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(Fifo, SendBatchKeepsGroupOrderAndPrintsSequenceNumbers) {
  auto url = create_queue(true, {"--attribute", "ContentBasedDeduplication=true"});
  std::string input;
  for (int i = 0; i < 25; ++i) {
    input += R"({"Body":"m)" + std::to_string(i) + R"(","GroupId":"g","DeduplicationId":"d)" +
             std::to_string(i) + "\"}\n";
  }
  auto r = sqsctl({"send-batch", url}, input);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto results = json_lines(r);
  ASSERT_EQ(results.size(), 25u);
  for (auto& result : results) EXPECT_FALSE(str(result["SequenceNumber"]).empty()) << r.out;

  std::vector<std::string> bodies;
  for (int round = 0; round < 5 && bodies.size() < 25; ++round) {
    auto got = sqsctl({"receive", url, "--count", "25", "--delete"});
    ASSERT_EQ(got.exit_code, 0) << describe(got);
    for (auto& m : json_lines(got)) bodies.push_back(str(m["Body"]));
  }
  ASSERT_EQ(bodies.size(), 25u);
  for (int i = 0; i < 25; ++i)
    EXPECT_EQ(bodies[static_cast<std::size_t>(i)], "m" + std::to_string(i));
}

}  // namespace
}  // namespace sqsctl_test

// Queue commands end to end: create-queue, get-queue-url, list-queues, get/set-attributes,
// purge, delete-queue.
#include <gtest/gtest.h>

#include <algorithm>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

using Queues = SqsctlTest;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST_F(Queues, CreateGetUrlListAndDelete) {
  auto name = unique_name();
  auto created = sqsctl({"create-queue", name});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  ASSERT_EQ(created.lines().size(), 1u) << describe(created);
  auto url = created.lines().front();
  EXPECT_TRUE(ends_with(url, "/" + name)) << url;

  auto got = sqsctl({"get-queue-url", name});
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  EXPECT_EQ(got.out, url + "\n");

  auto listed = sqsctl({"list-queues", "--prefix", name});
  ASSERT_EQ(listed.exit_code, 0) << describe(listed);
  EXPECT_EQ(listed.lines(), std::vector<std::string>{url});

  auto all = sqsctl({"list-queues"});
  ASSERT_EQ(all.exit_code, 0) << describe(all);
  auto lines = all.lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), url), lines.end()) << describe(all);

  auto none = sqsctl({"list-queues", "--prefix", "no-queue-has-this-prefix"});
  EXPECT_EQ(none.exit_code, 0) << describe(none);
  EXPECT_EQ(none.out, "");

  auto deleted = sqsctl({"delete-queue", name});  // by name
  EXPECT_EQ(deleted.exit_code, 0) << describe(deleted);
  EXPECT_EQ(deleted.out, "");

  auto gone = sqsctl({"get-queue-url", name});
  EXPECT_EQ(gone.exit_code, 1) << describe(gone);
  EXPECT_EQ(gone.err.rfind("error: QueueDoesNotExist", 0), 0u) << describe(gone);
}

TEST_F(Queues, DeleteQueueByUrl) {
  auto url = create_queue();
  auto deleted = sqsctl({"delete-queue", url});
  EXPECT_EQ(deleted.exit_code, 0) << describe(deleted);
  auto listed = sqsctl({"list-queues", "--prefix", url.substr(url.rfind('/') + 1)});
  EXPECT_EQ(listed.out, "") << describe(listed);
}

TEST_F(Queues, CreateWithAttributesThenGetAndSetThem) {
  auto url = create_queue(false, {"--attribute", "VisibilityTimeout=45", "--attribute",
                                  "DelaySeconds=0", "--attribute", "MaximumMessageSize=2048"});
  auto got = sqsctl({"get-attributes", url, "VisibilityTimeout", "MaximumMessageSize"});
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  ASSERT_EQ(got.lines().size(), 1u) << describe(got);  // one compact object
  auto attributes = json_object(got.lines().front());
  EXPECT_EQ(str(attributes["VisibilityTimeout"]), "45");
  EXPECT_EQ(str(attributes["MaximumMessageSize"]), "2048");
  EXPECT_FALSE(attributes.contains("QueueArn")) << got.out;

  auto set = sqsctl({"set-attributes", url, "VisibilityTimeout=90", "DelaySeconds=1"});
  ASSERT_EQ(set.exit_code, 0) << describe(set);
  EXPECT_EQ(set.out, "");

  auto all = sqsctl({"get-attributes", url});  // no names: all of them
  ASSERT_EQ(all.exit_code, 0) << describe(all);
  auto every = json_object(all.lines().at(0));
  EXPECT_EQ(str(every["VisibilityTimeout"]), "90");
  EXPECT_EQ(str(every["DelaySeconds"]), "1");
  EXPECT_TRUE(every.contains("QueueArn")) << all.out;
  EXPECT_TRUE(every.contains("ApproximateNumberOfMessages")) << all.out;
}

TEST_F(Queues, FifoNameMakesAFifoQueue) {
  auto url = create_queue(true, {"--attribute", "ContentBasedDeduplication=true"});
  EXPECT_TRUE(ends_with(url, ".fifo")) << url;
  auto got = sqsctl({"get-attributes", url, "FifoQueue", "ContentBasedDeduplication"});
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  auto attributes = json_object(got.lines().at(0));
  EXPECT_EQ(str(attributes["FifoQueue"]), "true");
  EXPECT_EQ(str(attributes["ContentBasedDeduplication"]), "true");
}

TEST_F(Queues, BadAttributeArgumentsExit2) {
  auto name = unique_name();
  for (const char* bad : {"VisibilityTimeout", "=5"}) {
    auto r = sqsctl({"create-queue", name, "--attribute", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << describe(r);
    EXPECT_NE(r.err.find("KEY=VALUE"), std::string::npos) << describe(r);
  }
  auto listed = sqsctl({"list-queues", "--prefix", name});
  EXPECT_EQ(listed.out, "") << "nothing was created: " << describe(listed);

  auto url = create_queue();
  auto r = sqsctl({"set-attributes", url, "VisibilityTimeout"});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
}

TEST_F(Queues, PurgeEmptiesTheQueue) {
  auto url = create_queue();
  for (int i = 0; i < 3; ++i) {
    auto sent = sqsctl({"send", url, "--body", "m" + std::to_string(i)});
    ASSERT_EQ(sent.exit_code, 0) << describe(sent);
  }
  EXPECT_EQ(message_count(url), 3);
  auto purged = sqsctl({"purge", url});
  ASSERT_EQ(purged.exit_code, 0) << describe(purged);
  EXPECT_EQ(purged.out, "");
  EXPECT_EQ(message_count(url), 0);
  EXPECT_TRUE(drain(url).empty());
}

}  // namespace
}  // namespace sqsctl_test

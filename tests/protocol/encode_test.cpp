// Golden JSON of every request, with every option set and with none: member names and casing as
// in the SQS service model, optionals omitted when not set.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "protocol/codec.hpp"

namespace sqs::protocol {
namespace {

constexpr const char* kUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/q";

template <class Request>
std::string encoded(const Request& r) {
  std::string out;
  encode(r, out);
  // Whatever we write must be valid JSON.
  boost::system::error_code ec;
  (void)boost::json::parse(out, ec);
  EXPECT_FALSE(ec) << "invalid JSON: " << out;
  return out;
}

TEST(Encode, AppendsToTheCallersBuffer) {
  std::string out = "prefix";
  encode(DeleteQueueRequest{kUrl}, out);
  EXPECT_EQ(out, std::string("prefix{\"QueueUrl\":\"") + kUrl + "\"}");
}

TEST(Encode, CreateQueue) {
  EXPECT_EQ(encoded(CreateQueueRequest{"q", {}, {}}), R"({"QueueName":"q"})");
  CreateQueueRequest r{
      "q.fifo", {{"FifoQueue", "true"}, {"VisibilityTimeout", "30"}}, {{"team", "core"}}};
  EXPECT_EQ(encoded(r),
            R"({"QueueName":"q.fifo","Attributes":{"FifoQueue":"true","VisibilityTimeout":"30"},)"
            R"("tags":{"team":"core"}})");
}

TEST(Encode, DeleteQueueAndPurgeQueueAndListQueueTags) {
  const std::string expected = std::string(R"({"QueueUrl":")") + kUrl + "\"}";
  EXPECT_EQ(encoded(DeleteQueueRequest{kUrl}), expected);
  EXPECT_EQ(encoded(PurgeQueueRequest{kUrl}), expected);
  EXPECT_EQ(encoded(ListQueueTagsRequest{kUrl}), expected);
}

TEST(Encode, GetQueueUrl) {
  EXPECT_EQ(encoded(GetQueueUrlRequest{"q", std::nullopt}), R"({"QueueName":"q"})");
  EXPECT_EQ(encoded(GetQueueUrlRequest{"q", "123456789012"}),
            R"({"QueueName":"q","QueueOwnerAWSAccountId":"123456789012"})");
}

TEST(Encode, ListQueues) {
  EXPECT_EQ(encoded(ListQueuesRequest{}), "{}");
  EXPECT_EQ(encoded(ListQueuesRequest{"orders-", 100, "tok"}),
            R"({"QueueNamePrefix":"orders-","NextToken":"tok","MaxResults":100})");
}

TEST(Encode, GetQueueAttributesEmptyMeansAll) {
  EXPECT_EQ(encoded(GetQueueAttributesRequest{"u", {}}),
            R"({"QueueUrl":"u","AttributeNames":["All"]})");
  EXPECT_EQ(encoded(GetQueueAttributesRequest{"u", {"VisibilityTimeout", "QueueArn"}}),
            R"({"QueueUrl":"u","AttributeNames":["VisibilityTimeout","QueueArn"]})");
}

TEST(Encode, SetQueueAttributes) {
  EXPECT_EQ(encoded(SetQueueAttributesRequest{"u", {}}), R"({"QueueUrl":"u","Attributes":{}})");
  EXPECT_EQ(encoded(SetQueueAttributesRequest{"u", {{"DelaySeconds", "5"}}}),
            R"({"QueueUrl":"u","Attributes":{"DelaySeconds":"5"}})");
}

TEST(Encode, SendMessageMinimal) {
  SendMessageRequest r;
  r.queue_url = "u";
  r.message_body = "hello";
  EXPECT_EQ(encoded(r), R"({"QueueUrl":"u","MessageBody":"hello"})");
}

TEST(Encode, SendMessageEveryOption) {
  SendMessageRequest r;
  r.queue_url = "u";
  r.message_body = "hello";
  r.delay_seconds = 0;  // set to 0 is not the same as unset
  r.message_attributes = {{"s", MessageAttributeValue::string("v")},
                          {"n", MessageAttributeValue::number(42)},
                          {"b", MessageAttributeValue::binary(std::string("\x00\xff\x10", 3))},
                          {"c", {"Number.float", "1.5", {}}}};
  r.message_system_attributes = {{"AWSTraceHeader", MessageAttributeValue::string("Root=1-a")}};
  r.message_deduplication_id = "dedup";
  r.message_group_id = "group";
  EXPECT_EQ(encoded(r),
            R"({"QueueUrl":"u","MessageBody":"hello","DelaySeconds":0,"MessageAttributes":{)"
            R"("b":{"DataType":"Binary","BinaryValue":"AP8Q"},)"
            R"("c":{"DataType":"Number.float","StringValue":"1.5"},)"
            R"("n":{"DataType":"Number","StringValue":"42"},)"
            R"("s":{"DataType":"String","StringValue":"v"}},)"
            R"("MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String",)"
            R"("StringValue":"Root=1-a"}},"MessageDeduplicationId":"dedup",)"
            R"("MessageGroupId":"group"})");
}

TEST(Encode, SendMessageBatch) {
  SendMessageBatchRequest r;
  r.queue_url = "u";
  r.entries.push_back({"0", "a", std::nullopt, {}, {}, std::nullopt, std::nullopt});
  SendMessageBatchRequestEntry full;
  full.id = "e-1";
  full.message_body = "b";
  full.delay_seconds = 900;
  full.message_attributes = {{"k", MessageAttributeValue::binary("hi")}};
  full.message_system_attributes = {{"AWSTraceHeader", MessageAttributeValue::string("t")}};
  full.message_deduplication_id = "d";
  full.message_group_id = "g";
  r.entries.push_back(full);
  EXPECT_EQ(
      encoded(r),
      R"({"QueueUrl":"u","Entries":[{"Id":"0","MessageBody":"a"},)"
      R"({"Id":"e-1","MessageBody":"b","DelaySeconds":900,)"
      R"("MessageAttributes":{"k":{"DataType":"Binary","BinaryValue":"aGk="}},)"
      R"("MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"t"}},)"
      R"("MessageDeduplicationId":"d","MessageGroupId":"g"}]})");
  EXPECT_EQ(encoded(SendMessageBatchRequest{"u", {}}), R"({"QueueUrl":"u","Entries":[]})");
}

TEST(Encode, ReceiveMessage) {
  EXPECT_EQ(encoded(ReceiveMessageRequest{"u", {}, {}, {}, {}, {}, {}}), R"({"QueueUrl":"u"})");
  ReceiveMessageRequest r{"u", {"All"}, {"bar.*", "foo"}, 10, 0, 20, "attempt-1"};
  EXPECT_EQ(encoded(r),
            R"({"QueueUrl":"u","MessageSystemAttributeNames":["All"],)"
            R"("MessageAttributeNames":["bar.*","foo"],"MaxNumberOfMessages":10,)"
            R"("VisibilityTimeout":0,"WaitTimeSeconds":20,"ReceiveRequestAttemptId":"attempt-1"})");
}

TEST(Encode, DeleteMessage) {
  EXPECT_EQ(encoded(DeleteMessageRequest{"u", "rh+/="}),
            R"({"QueueUrl":"u","ReceiptHandle":"rh+/="})");
}

TEST(Encode, DeleteMessageBatch) {
  EXPECT_EQ(encoded(DeleteMessageBatchRequest{"u", {{"0", "r0"}, {"1", "r1"}}}),
            R"({"QueueUrl":"u","Entries":[{"Id":"0","ReceiptHandle":"r0"},)"
            R"({"Id":"1","ReceiptHandle":"r1"}]})");
}

TEST(Encode, ChangeMessageVisibility) {
  EXPECT_EQ(encoded(ChangeMessageVisibilityRequest{"u", "r", 0}),
            R"({"QueueUrl":"u","ReceiptHandle":"r","VisibilityTimeout":0})");
  EXPECT_EQ(encoded(ChangeMessageVisibilityRequest{"u", "r", 43200}),
            R"({"QueueUrl":"u","ReceiptHandle":"r","VisibilityTimeout":43200})");
}

TEST(Encode, ChangeMessageVisibilityBatch) {
  EXPECT_EQ(encoded(ChangeMessageVisibilityBatchRequest{"u", {{"0", "r0", 60}, {"1", "r1", {}}}}),
            R"({"QueueUrl":"u","Entries":[{"Id":"0","ReceiptHandle":"r0","VisibilityTimeout":60},)"
            R"({"Id":"1","ReceiptHandle":"r1"}]})");
}

TEST(Encode, TagAndUntagQueue) {
  EXPECT_EQ(encoded(TagQueueRequest{"u", {{"a", "1"}, {"b", ""}}}),
            R"({"QueueUrl":"u","Tags":{"a":"1","b":""}})");
  EXPECT_EQ(encoded(TagQueueRequest{"u", {}}), R"({"QueueUrl":"u","Tags":{}})");
  EXPECT_EQ(encoded(UntagQueueRequest{"u", {"a", "b"}}), R"({"QueueUrl":"u","TagKeys":["a","b"]})");
  EXPECT_EQ(encoded(UntagQueueRequest{"u", {}}), R"({"QueueUrl":"u","TagKeys":[]})");
}

TEST(Encode, ListDeadLetterSourceQueues) {
  EXPECT_EQ(encoded(ListDeadLetterSourceQueuesRequest{"u", {}, {}}), R"({"QueueUrl":"u"})");
  EXPECT_EQ(encoded(ListDeadLetterSourceQueuesRequest{"u", 5, "t"}),
            R"({"QueueUrl":"u","NextToken":"t","MaxResults":5})");
}

TEST(Encode, MessageMoveTasks) {
  const std::string arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  EXPECT_EQ(encoded(StartMessageMoveTaskRequest{arn, {}, {}}), R"({"SourceArn":")" + arn + "\"}");
  EXPECT_EQ(encoded(StartMessageMoveTaskRequest{arn, "arn:d", 50}),
            R"({"SourceArn":")" + arn +
                R"(","DestinationArn":"arn:d","MaxNumberOfMessagesPerSecond":50})");
  EXPECT_EQ(encoded(CancelMessageMoveTaskRequest{"h"}), R"({"TaskHandle":"h"})");
  EXPECT_EQ(encoded(ListMessageMoveTasksRequest{arn, {}}), R"({"SourceArn":")" + arn + "\"}");
  EXPECT_EQ(encoded(ListMessageMoveTasksRequest{arn, 10}),
            R"({"SourceArn":")" + arn + R"(","MaxResults":10})");
}

TEST(Encode, Permissions) {
  EXPECT_EQ(encoded(AddPermissionRequest{"u", "l", {"111122223333"}, {"SendMessage", "*"}}),
            R"({"QueueUrl":"u","Label":"l","AWSAccountIds":["111122223333"],)"
            R"("Actions":["SendMessage","*"]})");
  EXPECT_EQ(encoded(AddPermissionRequest{"u", "l", {}, {}}),
            R"({"QueueUrl":"u","Label":"l","AWSAccountIds":[],"Actions":[]})");
  EXPECT_EQ(encoded(RemovePermissionRequest{"u", "l"}), R"({"QueueUrl":"u","Label":"l"})");
}

TEST(Encode, ActionTable) {
  EXPECT_EQ(Action<SendMessageRequest>::target, "AmazonSQS.SendMessage");
  EXPECT_EQ(Action<ListDeadLetterSourceQueuesRequest>::name, "ListDeadLetterSourceQueues");
  static_assert(std::is_same_v<result_of<DeleteMessageBatchRequest>, BatchResult>);
  static_assert(std::is_same_v<result_of<PurgeQueueRequest>, Empty>);
}

}  // namespace
}  // namespace sqs::protocol

// Decoding of every successful answer, the tolerances SQS needs, and protocol errors.
#include <gtest/gtest.h>

#include "protocol/codec.hpp"

namespace sqs::protocol {
namespace {

template <class T>
T decoded(std::string_view body) {
  auto r = decode_as<T>(body);
  EXPECT_TRUE(r.has_value()) << body << " -> " << (r ? "" : r.error().to_string());
  return r ? std::move(*r) : T{};
}

template <class T>
Error failure(std::string_view body) {
  auto r = decode_as<T>(body);
  EXPECT_FALSE(r.has_value()) << body;
  return r ? Error{} : r.error();
}

TEST(Decode, EmptyAcceptsNothingOrAnyObject) {
  Empty e;
  EXPECT_TRUE(decode("", e));
  EXPECT_TRUE(decode(" \r\n", e));
  EXPECT_TRUE(decode("{}", e));
  EXPECT_TRUE(decode(R"({"unexpected":[1,2,{"x":null}]})", e));
  EXPECT_FALSE(decode("[]", e));
  EXPECT_FALSE(decode("{", e));
  EXPECT_FALSE(decode("<html>", e));
}

TEST(Decode, CreateQueueAndGetQueueUrl) {
  EXPECT_EQ(decoded<CreateQueueResult>(R"({"QueueUrl":"http://h/1/q"})").queue_url, "http://h/1/q");
  EXPECT_EQ(decoded<GetQueueUrlResult>(R"({"QueueUrl":"http://h/1/q"})").queue_url, "http://h/1/q");
  Error e = failure<GetQueueUrlResult>("{}");
  EXPECT_EQ(e.kind, ErrorKind::protocol);
  EXPECT_EQ(e.code, "MissingField");
  EXPECT_NE(e.message.find("QueueUrl"), std::string::npos);
  EXPECT_NE(e.message.find("GetQueueUrl"), std::string::npos);
  e = failure<CreateQueueResult>(R"({"QueueUrl":42})");
  EXPECT_EQ(e.code, "InvalidField");
}

TEST(Decode, ListQueues) {
  auto r = decoded<ListQueuesResult>(R"({"QueueUrls":["a","b"],"NextToken":"t"})");
  EXPECT_EQ(r.queue_urls, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.next_token, "t");
  r = decoded<ListQueuesResult>("{}");  // no queues: SQS omits the member
  EXPECT_TRUE(r.queue_urls.empty());
  EXPECT_FALSE(r.next_token);
  r = decoded<ListQueuesResult>(R"({"QueueUrls":null,"NextToken":null})");
  EXPECT_TRUE(r.queue_urls.empty());
  EXPECT_FALSE(r.next_token);
  EXPECT_EQ(failure<ListQueuesResult>(R"({"QueueUrls":"a"})").code, "InvalidField");
  EXPECT_EQ(failure<ListQueuesResult>(R"({"QueueUrls":["a",1]})").code, "InvalidField");
}

TEST(Decode, GetQueueAttributes) {
  auto r = decoded<GetQueueAttributesResult>(
      R"({"Attributes":{"VisibilityTimeout":"30","FifoQueue":"true","Odd":12}})");
  EXPECT_EQ(r.attributes.at("VisibilityTimeout"), "30");
  EXPECT_EQ(r.attributes.at("FifoQueue"), "true");
  EXPECT_EQ(r.attributes.at("Odd"), "12");  // tolerated, kept as text
  EXPECT_TRUE(decoded<GetQueueAttributesResult>("{}").attributes.empty());
  EXPECT_EQ(failure<GetQueueAttributesResult>(R"({"Attributes":{"a":{}}})").code, "InvalidField");
}

TEST(Decode, ListQueueTags) {
  auto r = decoded<ListQueueTagsResult>(R"({"Tags":{"team":"core","env":""}})");
  EXPECT_EQ(r.tags, (StringMap{{"env", ""}, {"team", "core"}}));
}

TEST(Decode, ListDeadLetterSourceQueuesUsesLowerCaseMember) {
  auto r =
      decoded<ListDeadLetterSourceQueuesResult>(R"({"queueUrls":["s1","s2"],"NextToken":"n"})");
  EXPECT_EQ(r.queue_urls, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(r.next_token, "n");
}

TEST(Decode, MessageMoveTasks) {
  EXPECT_EQ(decoded<StartMessageMoveTaskResult>(R"({"TaskHandle":"h=="})").task_handle, "h==");
  EXPECT_EQ(failure<StartMessageMoveTaskResult>("{}").code, "MissingField");
  EXPECT_EQ(decoded<CancelMessageMoveTaskResult>(R"({"ApproximateNumberOfMessagesMoved":12})")
                .approximate_number_of_messages_moved,
            12);
  // SQS is sloppy here: numbers may come as strings.
  EXPECT_EQ(decoded<CancelMessageMoveTaskResult>(R"({"ApproximateNumberOfMessagesMoved":"7"})")
                .approximate_number_of_messages_moved,
            7);
  EXPECT_EQ(
      failure<CancelMessageMoveTaskResult>(R"({"ApproximateNumberOfMessagesMoved":"7x"})").code,
      "InvalidField");

  auto r = decoded<ListMessageMoveTasksResult>(R"({"Results":[
    {"TaskHandle":"h","Status":"RUNNING","SourceArn":"arn:s","DestinationArn":"arn:d",
     "MaxNumberOfMessagesPerSecond":50,"ApproximateNumberOfMessagesMoved":"3",
     "ApproximateNumberOfMessagesToMove":10,"StartedTimestamp":"1700000000000"},
    {"Status":"FAILED","SourceArn":"arn:s","ApproximateNumberOfMessagesMoved":0,
     "FailureReason":"AWS.SimpleQueueService.NonExistentQueue","StartedTimestamp":1.7e12}]})");
  ASSERT_EQ(r.results.size(), 2u);
  const auto& running = r.results[0];
  EXPECT_EQ(running.task_handle, "h");
  EXPECT_EQ(running.status, "RUNNING");
  EXPECT_EQ(running.source_arn, "arn:s");
  EXPECT_EQ(running.destination_arn, "arn:d");
  EXPECT_EQ(running.max_number_of_messages_per_second, 50);
  EXPECT_EQ(running.approximate_number_of_messages_moved, 3);
  EXPECT_EQ(running.approximate_number_of_messages_to_move, 10);
  EXPECT_EQ(running.started_timestamp, 1700000000000);
  EXPECT_FALSE(running.failure_reason);
  const auto& failed = r.results[1];
  EXPECT_FALSE(failed.task_handle);
  EXPECT_FALSE(failed.destination_arn);
  EXPECT_FALSE(failed.max_number_of_messages_per_second);
  EXPECT_FALSE(failed.approximate_number_of_messages_to_move);
  EXPECT_EQ(failed.failure_reason, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(failed.started_timestamp, 1700000000000);
  EXPECT_TRUE(decoded<ListMessageMoveTasksResult>("{}").results.empty());
}

TEST(Decode, SendMessage) {
  auto r = decoded<SendMessageResult>(
      R"({"MD5OfMessageBody":"b","MD5OfMessageAttributes":"a","MD5OfMessageSystemAttributes":"s",)"
      R"("MessageId":"id","SequenceNumber":"18849496460467696128"})");
  EXPECT_EQ(r.message_id, "id");
  EXPECT_EQ(r.md5_of_message_body, "b");
  EXPECT_EQ(r.md5_of_message_attributes, "a");
  EXPECT_EQ(r.md5_of_message_system_attributes, "s");
  EXPECT_EQ(r.sequence_number, "18849496460467696128");
  r = decoded<SendMessageResult>(R"({"MessageId":"id","MD5OfMessageBody":"b"})");
  EXPECT_FALSE(r.md5_of_message_attributes);
  EXPECT_FALSE(r.md5_of_message_system_attributes);
  EXPECT_FALSE(r.sequence_number);
  EXPECT_EQ(failure<SendMessageResult>(R"({"MD5OfMessageBody":"b"})").code, "MissingField");
  EXPECT_EQ(failure<SendMessageResult>(R"({"MessageId":"id"})").code, "MissingField");
}

TEST(Decode, SendMessageBatch) {
  auto r = decoded<SendMessageBatchResult>(R"({
    "Successful":[{"Id":"0","MessageId":"m0","MD5OfMessageBody":"b0"},
                  {"Id":"1","MessageId":"m1","MD5OfMessageBody":"b1","MD5OfMessageAttributes":"a1",
                   "MD5OfMessageSystemAttributes":"s1","SequenceNumber":"9"}],
    "Failed":[{"Id":"2","SenderFault":true,"Code":"InvalidParameterValue","Message":"bad"},
              {"Id":"3","SenderFault":false,"Code":"InternalError"}]})");
  ASSERT_EQ(r.successful.size(), 2u);
  EXPECT_EQ(r.successful[0].id, "0");
  EXPECT_EQ(r.successful[0].message_id, "m0");
  EXPECT_EQ(r.successful[0].md5_of_message_body, "b0");
  EXPECT_FALSE(r.successful[0].md5_of_message_attributes);
  EXPECT_EQ(r.successful[1].md5_of_message_attributes, "a1");
  EXPECT_EQ(r.successful[1].md5_of_message_system_attributes, "s1");
  EXPECT_EQ(r.successful[1].sequence_number, "9");
  ASSERT_EQ(r.failed.size(), 2u);
  EXPECT_EQ(r.failed[0].id, "2");
  EXPECT_TRUE(r.failed[0].sender_fault);
  EXPECT_EQ(r.failed[0].code, "InvalidParameterValue");
  EXPECT_EQ(r.failed[0].message, "bad");
  EXPECT_FALSE(r.failed[1].sender_fault);
  EXPECT_EQ(r.failed[1].message, "");
  EXPECT_EQ(failure<SendMessageBatchResult>(R"({"Successful":[{"Id":"0","MessageId":"m"}]})").code,
            "MissingField");
  EXPECT_EQ(failure<SendMessageBatchResult>(R"({"Failed":[{"Id":"0","Code":"X"}]})").code,
            "MissingField");
  EXPECT_EQ(failure<SendMessageBatchResult>(R"({"Successful":[1]})").code, "InvalidField");
}

TEST(Decode, ReceiveMessageFull) {
  auto r = decoded<ReceiveMessageResult>(R"({"Messages":[{
    "MessageId":"m1","ReceiptHandle":"rh1","MD5OfBody":"md5b","Body":"h\u00e9 \"x\"\n",
    "Attributes":{"SentTimestamp":"1700000000000","ApproximateReceiveCount":"2",
                  "MessageGroupId":"g"},
    "MD5OfMessageAttributes":"md5a",
    "MessageAttributes":{
      "s":{"DataType":"String","StringValue":"v"},
      "n":{"DataType":"Number.int","StringValue":"42"},
      "b":{"DataType":"Binary","BinaryValue":"AP8Q"},
      "e":{"DataType":"String","StringValue":"x","StringListValues":[],"BinaryListValues":[]}}}]})");
  ASSERT_EQ(r.messages.size(), 1u);
  const Message& m = r.messages[0];
  EXPECT_EQ(m.message_id, "m1");
  EXPECT_EQ(m.receipt_handle, "rh1");
  EXPECT_EQ(m.md5_of_body, "md5b");
  EXPECT_EQ(m.body, "h\xc3\xa9 \"x\"\n");
  EXPECT_EQ(m.attributes.at("SentTimestamp"), "1700000000000");
  EXPECT_EQ(m.attributes.at("ApproximateReceiveCount"), "2");
  EXPECT_EQ(m.attributes.at("MessageGroupId"), "g");
  EXPECT_EQ(m.md5_of_message_attributes, "md5a");
  ASSERT_EQ(m.message_attributes.size(), 4u);
  EXPECT_EQ(m.message_attributes.at("s"), MessageAttributeValue::string("v"));
  EXPECT_EQ(m.message_attributes.at("n"), (MessageAttributeValue{"Number.int", "42", {}}));
  EXPECT_EQ(m.message_attributes.at("b"),
            MessageAttributeValue::binary(std::string("\x00\xff\x10", 3)));
}

TEST(Decode, ReceiveMessageEmpty) {
  EXPECT_TRUE(decoded<ReceiveMessageResult>("{}").messages.empty());
  EXPECT_TRUE(decoded<ReceiveMessageResult>(R"({"Messages":[]})").messages.empty());
}

TEST(Decode, ReceiveMessageMinimal) {
  auto r = decoded<ReceiveMessageResult>(
      R"({"Messages":[{"MessageId":"m","ReceiptHandle":"r","MD5OfBody":"d","Body":"b"}]})");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_TRUE(r.messages[0].attributes.empty());
  EXPECT_TRUE(r.messages[0].message_attributes.empty());
  EXPECT_FALSE(r.messages[0].md5_of_message_attributes);
}

TEST(Decode, ReceiveMessageErrors) {
  Error e = failure<ReceiveMessageResult>(
      R"({"Messages":[{"MessageId":"m","MD5OfBody":"d","Body":"b"}]})");
  EXPECT_EQ(e.code, "MissingField");
  EXPECT_NE(e.message.find("ReceiptHandle"), std::string::npos);
  EXPECT_NE(e.message.find("Messages[]"), std::string::npos);
  e = failure<ReceiveMessageResult>(
      R"({"Messages":[{"MessageId":"m","ReceiptHandle":"r","MD5OfBody":"d","Body":"b",)"
      R"("MessageAttributes":{"x":{"DataType":"Binary","BinaryValue":"not base64!"}}}]})");
  EXPECT_EQ(e.code, "InvalidField");
  EXPECT_NE(e.message.find("BinaryValue"), std::string::npos);
  e = failure<ReceiveMessageResult>(
      R"({"Messages":[{"MessageId":"m","ReceiptHandle":"r","MD5OfBody":"d","Body":"b",)"
      R"("MessageAttributes":{"x":{"StringValue":"v"}}}]})");
  EXPECT_EQ(e.code, "MissingField");
  EXPECT_NE(e.message.find("DataType"), std::string::npos);
  EXPECT_EQ(failure<ReceiveMessageResult>(R"({"Messages":{}})").code, "InvalidField");
  EXPECT_EQ(failure<ReceiveMessageResult>(R"({"Messages":["x"]})").code, "InvalidField");
}

TEST(Decode, BatchResult) {
  auto r = decoded<BatchResult>(
      R"({"Successful":[{"Id":"0"},{"Id":"1"}],)"
      R"("Failed":[{"Id":"2","SenderFault":"true","Code":"ReceiptHandleIsInvalid","Message":"m"}]})");
  EXPECT_EQ(r.successful, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_TRUE(r.failed[0].sender_fault);
  EXPECT_EQ(r.failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(failure<BatchResult>(R"({"Successful":[{}]})").code, "MissingField");
}

TEST(Decode, ResultIsResetBeforeDecoding) {
  ReceiveMessageResult r;
  r.messages.resize(3);
  ASSERT_TRUE(decode("{}", r));
  EXPECT_TRUE(r.messages.empty());
}

TEST(Decode, MalformedJson) {
  for (std::string_view body : {"", "{", "nul", "{\"QueueUrl\":\"x\"", "{\"QueueUrl\":\"x\"}}",
                                "[\"QueueUrl\"]", "\"x\"", "{\"QueueUrl\":\"\xff\"}"}) {
    Error e = failure<CreateQueueResult>(body);
    EXPECT_EQ(e.kind, ErrorKind::protocol) << body;
  }
  EXPECT_EQ(failure<CreateQueueResult>("{").code, "InvalidJson");
}

TEST(Decode, LargeAnswerBeyondTheArena) {
  std::string body = R"({"Messages":[)";
  for (int i = 0; i < 10; ++i) {
    if (i) body += ',';
    body += R"({"MessageId":"m","ReceiptHandle":"r","MD5OfBody":"d","Body":")" +
            std::string(100 * 1024, 'z') + "\"}";
  }
  body += "]}";
  auto r = decoded<ReceiveMessageResult>(body);
  ASSERT_EQ(r.messages.size(), 10u);
  EXPECT_EQ(r.messages[9].body.size(), 100u * 1024);
}

}  // namespace
}  // namespace sqs::protocol

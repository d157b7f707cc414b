// Malformed answers never crash: every truncation and many random corruptions of real answers
// go through every decoder and decode_error (run under ASan/UBSan to make this meaningful).
#include <gtest/gtest.h>

#include <random>

#include "canned_answers.hpp"
#include "protocol/checksum.hpp"
#include "protocol/codec.hpp"

namespace sqs::protocol {
namespace {

const std::vector<std::string>& samples() {
  static const std::vector<std::string> s = {
      std::string(test::canned::kSendMessage),
      std::string(test::canned::kSendMessageBatch),
      test::canned::expand(test::canned::kReceiveMessage).substr(0, 4000) + "\"}]}",
      std::string(test::canned::kDeleteMessageBatch),
      R"({"Messages":[{"MessageId":"m","ReceiptHandle":"r","MD5OfBody":"d","Body":"b",)"
      R"("Attributes":{"A":"1"},"MD5OfMessageAttributes":"x","MessageAttributes":)"
      R"({"b":{"DataType":"Binary","BinaryValue":"AP8Q"},"s":{"DataType":"String","StringValue":"\u00e9"}}}]})",
      R"({"Results":[{"TaskHandle":"h","Status":"RUNNING","SourceArn":"a","StartedTimestamp":"12",)"
      R"("ApproximateNumberOfMessagesMoved":1.5e3,"MaxNumberOfMessagesPerSecond":-1}]})",
      R"({"QueueUrls":["a","b"],"queueUrls":["c"],"NextToken":"t","Attributes":{"k":"v"},"Tags":{}})",
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})",
  };
  return s;
}

// Runs every decoder; whatever they return, nothing may crash or leak.
void decode_everything(std::string_view body) {
  Empty empty;
  (void)decode(body, empty);
  (void)decode_as<CreateQueueResult>(body);
  (void)decode_as<GetQueueUrlResult>(body);
  (void)decode_as<ListQueuesResult>(body);
  (void)decode_as<GetQueueAttributesResult>(body);
  (void)decode_as<ListQueueTagsResult>(body);
  (void)decode_as<ListDeadLetterSourceQueuesResult>(body);
  (void)decode_as<StartMessageMoveTaskResult>(body);
  (void)decode_as<CancelMessageMoveTaskResult>(body);
  (void)decode_as<ListMessageMoveTasksResult>(body);
  (void)decode_as<SendMessageResult>(body);
  (void)decode_as<SendMessageBatchResult>(body);
  if (auto r = decode_as<ReceiveMessageResult>(body)) (void)verify(*r);
  (void)decode_as<BatchResult>(body);
  (void)decode_error(400, body, "AWS.SimpleQueueService.NonExistentQueue;Sender", "id");
  (void)decode_error(500, body, body.substr(0, 40), "");
}

TEST(MalformedInput, EveryTruncation) {
  for (const std::string& sample : samples()) {
    for (std::size_t n = 0; n <= sample.size(); ++n) decode_everything(std::string(sample, 0, n));
  }
}

TEST(MalformedInput, TruncatedAnswersAreProtocolErrors) {
  const std::string body = test::canned::expand(test::canned::kReceiveMessage);
  for (std::size_t n = 1; n < body.size(); n += 97) {
    auto r = decode_as<ReceiveMessageResult>(std::string_view(body).substr(0, n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().kind, ErrorKind::protocol);
  }
}

TEST(MalformedInput, RandomCorruptions) {
  std::mt19937 rng(1234);
  const char interesting[] = {'{', '}', '[',  ']',    '"',    ',', ':', '\\', 'n', '0',
                              '-', 'e', '\0', '\x80', '\xff', ' ', 't', 'A',  '='};
  for (const std::string& sample : samples()) {
    for (int round = 0; round < 400; ++round) {
      std::string s = sample;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < edits && !s.empty(); ++i) {
        const std::size_t pos = rng() % s.size();
        switch (rng() % 3) {
          case 0:
            s[pos] = interesting[rng() % sizeof interesting];
            break;
          case 1:
            s.erase(pos, 1 + rng() % 8);
            break;
          default:
            s.insert(pos, 1, interesting[rng() % sizeof interesting]);
            break;
        }
      }
      decode_everything(s);
    }
  }
}

TEST(MalformedInput, DeepNestingIsRejected) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  decode_everything(deep);
  auto r = decode_as<ReceiveMessageResult>(deep);
  EXPECT_FALSE(r);
}

TEST(MalformedInput, RandomBytes) {
  std::mt19937 rng(99);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    decode_everything(s);
  }
}

}  // namespace
}  // namespace sqs::protocol

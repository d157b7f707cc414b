// The benchmark endpoint's canned answers decode and verify (what the client benchmarks rely on).
#include "canned_answers.hpp"

#include <gtest/gtest.h>

#include "protocol/checksum.hpp"
#include "protocol/codec.hpp"

namespace sqs::protocol {
namespace {

using namespace sqs::test;

TEST(CannedAnswers, SendMessage) {
  auto r = decode_as<SendMessageResult>(canned::kSendMessage);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->message_id, "5fea7756-0ea4-451a-a703-a558b933e274");
  SendMessageRequest request{
      "http://127.0.0.1/000000000000/bench", canned::bench_body(), {}, {}, {}, {}, {}};
  EXPECT_FALSE(verify(request, *r));
}

TEST(CannedAnswers, SendMessageBatch) {
  auto r = decode_as<SendMessageBatchResult>(canned::kSendMessageBatch);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->successful.size(), 10u);
  EXPECT_TRUE(r->failed.empty());
  SendMessageBatchRequest request{"u", {}};
  for (int i = 0; i < 10; ++i) {
    request.entries.push_back({std::to_string(i), canned::bench_body(), {}, {}, {}, {}, {}});
    EXPECT_EQ(r->successful[static_cast<std::size_t>(i)].id, std::to_string(i));
  }
  EXPECT_FALSE(verify(request, *r));
  EXPECT_EQ(r->successful.size(), 10u);
  EXPECT_TRUE(r->failed.empty());
}

TEST(CannedAnswers, ReceiveMessageTenMessagesOf1KiB) {
  const std::string body = canned::expand(canned::kReceiveMessage);
  auto r = decode_as<ReceiveMessageResult>(body);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->messages.size(), 10u);
  for (const Message& m : r->messages) {
    EXPECT_EQ(m.body, canned::bench_body());
    EXPECT_EQ(m.md5_of_body, canned::kBenchBodyMd5);
    EXPECT_EQ(m.receipt_handle.substr(0, 4), "AQEB");
    EXPECT_FALSE(verify(m)) << m.message_id;
  }
  EXPECT_EQ(r->messages[0].message_id, "79c8c292-6b94-45b5-b498-82321e35049e");
  EXPECT_EQ(r->messages[9].message_id, "3566132d-b1b1-4152-ba2e-6ab183f61208");
  EXPECT_FALSE(verify(*r));
}

TEST(CannedAnswers, BatchAndEmptyAnswers) {
  for (std::string_view answer :
       {canned::kDeleteMessageBatch, canned::kChangeMessageVisibilityBatch}) {
    auto r = decode_as<BatchResult>(answer);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->successful.size(), 10u);
    EXPECT_TRUE(r->failed.empty());
  }
  Empty e;
  EXPECT_TRUE(decode(canned::kDeleteMessage, e));
}

}  // namespace
}  // namespace sqs::protocol

// MD5 digests (reference vectors from AWS samples, cross-checked with Python's hashlib and the
// fauxqs emulator) and the send/receive verifications.
#include "protocol/checksum.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sqs::protocol {
namespace {

constexpr std::string_view kEmojiText = "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80";  // héllo ✓ 😀

TEST(Md5, KnownDigests) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex(std::string(1024, 'a')), "c9a34cfc85d982698c6ac89f76071abd");
  EXPECT_EQ(md5_hex(kEmojiText), "537f5718566dd425639556ce037d44ff");
}

TEST(Md5, ThreadsDigestIndependently) {
  std::vector<std::thread> threads;
  std::vector<std::string> digests(4);
  for (std::size_t i = 0; i < digests.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 200; ++n) digests[i] = md5_hex(std::string(1024, 'a'));
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& d : digests) EXPECT_EQ(d, "c9a34cfc85d982698c6ac89f76071abd");
}

TEST(Md5OfMessageAttributes, AwsSampleWithStrings) {
  MessageAttributes a = {
      {"test_attribute_name_2", MessageAttributeValue::string("test_attribute_value_2")},
      {"test_attribute_name_1", MessageAttributeValue::string("test_attribute_value_1")}};
  EXPECT_EQ(md5_of_message_attributes(a), "d53f3b558fe951154770f25cb63dbba9");
}

TEST(Md5OfMessageAttributes, AwsSampleWithBinary) {
  MessageAttributes a = {
      {"test_attribute_name", MessageAttributeValue::binary("test_attribute_value")}};
  EXPECT_EQ(md5_of_message_attributes(a), "23f6bd27ea87aab7dfeadcc9aebee495");
}

TEST(Md5OfMessageAttributes, SingleString) {
  EXPECT_EQ(
      md5_of_message_attributes({{"SellerName", MessageAttributeValue::string("Example Store")}}),
      "cd28f3b68aeee4b2eac9c66f2f694b58");
}

TEST(Md5OfMessageAttributes, HandComputedMixedTypes) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  MessageAttributes a = {{"n", {"Number.int", "42", {}}},
                         {"bin", {"Binary.gif", {}, all_bytes}},
                         {"s", MessageAttributeValue::string(std::string(kEmojiText))}};
  EXPECT_EQ(md5_of_message_attributes(a), "d45bac94af493928d51d484bc3c0a5cf");
  a = {{"City", MessageAttributeValue::string("Any City")},
       {"PostalCode", MessageAttributeValue::string("99065")},
       {"Region", MessageAttributeValue::string("WA")}};
  EXPECT_EQ(md5_of_message_attributes(a), "dcf9a9f69fefb3eb52111520ee5c6d3f");
}

TEST(Md5OfMessageAttributes, SystemAttributeTraceHeader) {
  MessageAttributes a = {
      {"AWSTraceHeader",
       MessageAttributeValue::string(
           "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")}};
  EXPECT_EQ(md5_of_message_attributes(a), "5ae4d5d7636402d80f4eb6d213245a88");
}

TEST(Md5OfMessageAttributes, EmptyMapGivesEmptyString) {
  EXPECT_EQ(md5_of_message_attributes({}), "");
}

SendMessageRequest request_with_everything() {
  SendMessageRequest r;
  r.queue_url = "u";
  r.message_body = "hello";
  r.message_attributes = {{"SellerName", MessageAttributeValue::string("Example Store")}};
  r.message_system_attributes = {
      {"AWSTraceHeader",
       MessageAttributeValue::string(
           "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")}};
  return r;
}

SendMessageResult good_answer() {
  SendMessageResult a;
  a.message_id = "m-1";
  a.md5_of_message_body = md5_hex("hello");
  a.md5_of_message_attributes = "cd28f3b68aeee4b2eac9c66f2f694b58";
  a.md5_of_message_system_attributes = "5ae4d5d7636402d80f4eb6d213245a88";
  return a;
}

TEST(VerifySend, MatchingAnswerPasses) {
  EXPECT_FALSE(verify(request_with_everything(), good_answer()));
  auto upper = good_answer();
  for (char& c : upper.md5_of_message_body) c = static_cast<char>(std::toupper(c));
  EXPECT_FALSE(verify(request_with_everything(), upper)) << "hex case does not matter";
}

TEST(VerifySend, BodyMismatchNamesMd5AndMessage) {
  auto answer = good_answer();
  answer.md5_of_message_body = "00000000000000000000000000000000";
  auto e = verify(request_with_everything(), answer);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ErrorKind::checksum);
  EXPECT_EQ(e->code, kMd5MismatchCode);
  EXPECT_NE(e->message.find("MD5OfMessageBody"), std::string::npos);
  EXPECT_NE(e->message.find("m-1"), std::string::npos);
  EXPECT_FALSE(e->retryable);
}

TEST(VerifySend, MissingBodyMd5IsAMismatch) {
  auto answer = good_answer();
  answer.md5_of_message_body.clear();
  EXPECT_TRUE(verify(request_with_everything(), answer));
}

TEST(VerifySend, AttributeMd5RequiredWhenAttributesWereSent) {
  auto answer = good_answer();
  answer.md5_of_message_attributes.reset();
  auto e = verify(request_with_everything(), answer);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("MD5OfMessageAttributes"), std::string::npos);
  answer.md5_of_message_attributes = "d53f3b558fe951154770f25cb63dbba9";
  EXPECT_TRUE(verify(request_with_everything(), answer));
}

TEST(VerifySend, AttributeMd5IgnoredWhenNoneWereSent) {
  auto request = request_with_everything();
  request.message_attributes.clear();
  request.message_system_attributes.clear();
  auto answer = good_answer();
  answer.md5_of_message_attributes = "junk";
  answer.md5_of_message_system_attributes = "junk";
  EXPECT_FALSE(verify(request, answer));
}

TEST(VerifySend, SystemAttributeMd5CheckedOnlyWhenPresent) {
  auto answer = good_answer();
  answer.md5_of_message_system_attributes.reset();
  EXPECT_FALSE(verify(request_with_everything(), answer)) << "servers may omit it";
  answer.md5_of_message_system_attributes = "cd28f3b68aeee4b2eac9c66f2f694b58";
  auto e = verify(request_with_everything(), answer);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("MD5OfMessageSystemAttributes"), std::string::npos);
}

TEST(VerifySend, BatchEntry) {
  SendMessageBatchRequestEntry entry;
  entry.id = "0";
  entry.message_body = "hello";
  SendMessageBatchResultEntry answer{"0", "m-0", md5_hex("hello"), {}, {}, {}};
  EXPECT_FALSE(verify(entry, answer));
  answer.md5_of_message_body = md5_hex("hellO");
  EXPECT_TRUE(verify(entry, answer));
}

TEST(VerifySend, BatchMovesMismatchesToFailed) {
  SendMessageBatchRequest request{"u", {}};
  for (const char* id : {"a", "b", "c"}) {
    SendMessageBatchRequestEntry e;
    e.id = id;
    e.message_body = std::string("body-") + id;
    request.entries.push_back(e);
  }
  SendMessageBatchResult result;
  result.successful = {{"a", "m-a", md5_hex("body-a"), {}, {}, {}},
                       {"b", "m-b", md5_hex("tampered"), {}, {}, {}},
                       {"c", "m-c", md5_hex("body-c"), {}, {}, {}}};
  result.failed = {{"z", "InternalError", "x", false}};
  EXPECT_FALSE(verify(request, result));
  ASSERT_EQ(result.successful.size(), 2u);
  EXPECT_EQ(result.successful[0].id, "a");
  EXPECT_EQ(result.successful[1].id, "c");
  ASSERT_EQ(result.failed.size(), 2u);
  EXPECT_EQ(result.failed[1].id, "b");
  EXPECT_EQ(result.failed[1].code, kMd5MismatchCode);
  EXPECT_FALSE(result.failed[1].sender_fault);
  EXPECT_NE(result.failed[1].message.find("m-b"), std::string::npos);
}

TEST(VerifySend, BatchAnswerWithUnknownIdIsAProtocolError) {
  SendMessageBatchRequest request{"u", {}};
  request.entries.push_back({"a", "x", {}, {}, {}, {}, {}});
  SendMessageBatchResult result;
  result.successful = {{"nope", "m", md5_hex("x"), {}, {}, {}}};
  auto e = verify(request, result);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, ErrorKind::protocol);
}

Message received() {
  Message m;
  m.message_id = "m-9";
  m.receipt_handle = "rh";
  m.body = std::string(kEmojiText);
  m.md5_of_body = "537f5718566dd425639556ce037d44ff";
  return m;
}

TEST(VerifyReceive, BodyOnly) {
  EXPECT_FALSE(verify(received()));
  auto m = received();
  m.body += "!";
  auto e = verify(m);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("MD5OfBody"), std::string::npos);
  EXPECT_NE(e->message.find("m-9"), std::string::npos);
}

TEST(VerifyReceive, AttributesWhenReturned) {
  auto m = received();
  m.message_attributes = {
      {"test_attribute_name", MessageAttributeValue::binary("test_attribute_value")}};
  EXPECT_TRUE(verify(m)) << "attributes returned without their MD5";
  m.md5_of_message_attributes = "23f6bd27ea87aab7dfeadcc9aebee495";
  EXPECT_FALSE(verify(m));
  m.message_attributes.begin()->second.binary_value += "x";
  EXPECT_TRUE(verify(m));
}

TEST(VerifyReceive, AttributeMd5WithoutAttributesIsIgnored) {
  auto m = received();
  m.md5_of_message_attributes = "d53f3b558fe951154770f25cb63dbba9";  // not asked for
  EXPECT_FALSE(verify(m));
}

TEST(VerifyReceive, WholeResultReportsFirstMismatch) {
  ReceiveMessageResult r;
  r.messages = {received(), received(), received()};
  EXPECT_FALSE(verify(r));
  r.messages[1].message_id = "second";
  r.messages[1].md5_of_body = "x";
  auto e = verify(r);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("second"), std::string::npos);
}

}  // namespace
}  // namespace sqs::protocol

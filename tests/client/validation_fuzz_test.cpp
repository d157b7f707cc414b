// Regressions found by fuzzing (fuzz/message_attributes.cpp and fuzz/urls.cpp, inputs in
// fuzz/regressions/): what passes validation must encode to valid JSON (a DataType suffix or an
// AWSTraceHeader that is not UTF-8 did not, and went to the server as malformed JSON), and a
// queue-URL error never shows what could be user info.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "client/validation.hpp"
#include "protocol/codec.hpp"

namespace sqs::client {
namespace {

SendMessageRequest message() {
  SendMessageRequest r;
  r.queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/q";
  r.message_body = "hello";
  return r;
}

// The request passes validation and its encoding parses as JSON; or it is refused with `code`.
void expect_refused_or_valid_json(const SendMessageRequest& r, const std::string& code) {
  if (auto e = validate(r, Limits{})) {
    EXPECT_EQ(e->code, code) << e->message;
    return;
  }
  std::string json;
  protocol::encode(r, json);
  boost::system::error_code ec;
  boost::json::parse(json, ec);
  ADD_FAILURE() << "accepted, and encodes to " << (ec ? "invalid" : "valid") << " JSON";
}

TEST(ValidationFuzzRegressions, DataTypeSuffixMustBeValidText) {
  for (const std::string& type : {std::string("Binary.((\xd8\xd8"
                                              "a"),
                                  std::string("String.\xff"), std::string("Number.\xed\xa0\x80"),
                                  std::string("String.\x01")}) {
    SendMessageRequest r = message();
    r.message_attributes["a"] = {type, type.starts_with("Binary") ? "" : "1",
                                 type.starts_with("Binary") ? "x" : ""};
    expect_refused_or_valid_json(r, "InvalidAttributeDataType");
  }
  SendMessageRequest ok = message();
  ok.message_attributes["a"] = {"String.caf\xc3\xa9", "v", ""};  // UTF-8 suffixes are fine
  EXPECT_FALSE(validate(ok, Limits{}));
}

TEST(ValidationFuzzRegressions, TraceHeaderMustBeValidText) {
  SendMessageRequest r = message();
  r.message_system_attributes["AWSTraceHeader"] = MessageAttributeValue::string("Root=\xc3");
  expect_refused_or_valid_json(r, "InvalidMessageSystemAttribute");
  r.message_system_attributes["AWSTraceHeader"] = MessageAttributeValue::string("Root=1-5759e988");
  EXPECT_FALSE(validate(r, Limits{}));
}

TEST(ValidationFuzzRegressions, QueueUrlErrorHidesWhatCouldBeUserInfo) {
  // Host "u", path "/pw12@h/": parses as an endpoint, names no queue, and "u/pw12" may well be
  // user info written with an unencoded '/'.
  DeleteQueueRequest r{"http://u/pw12@h/"};
  auto e = validate(r, Limits{});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "InvalidAddress");
  EXPECT_EQ(e->message.find("pw12"), std::string::npos) << e->message;
  EXPECT_EQ(e->to_string().find("pw12"), std::string::npos) << e->to_string();
}

}  // namespace
}  // namespace sqs::client

// JSON string escaping of the request encoder.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdio>

#include "protocol/codec.hpp"
#include "protocol/json_writer.hpp"

namespace sqs::protocol {
namespace {

std::string json_quoted(std::string_view s) {
  std::string out;
  detail::append_json_string(out, s);
  return out;
}

TEST(JsonEscape, PlainTextIsCopied) {
  EXPECT_EQ(json_quoted(""), R"("")");
  EXPECT_EQ(json_quoted("hello world /~"), R"("hello world /~")");
}

TEST(JsonEscape, QuotesAndBackslashes) {
  EXPECT_EQ(json_quoted(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
}

TEST(JsonEscape, ControlCharacters) {
  EXPECT_EQ(json_quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_quoted(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(json_quoted("a\x7f"), "\"a\x7f\"");  // DEL needs no escape in JSON
}

TEST(JsonEscape, MultiByteUtf8PassesThrough) {
  const std::string text = "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 \xe4\xb8\xad";  // é ✓ 😀 中
  EXPECT_EQ(json_quoted(text), "\"" + text + "\"");
}

TEST(JsonEscape, EveryAsciiCharacterRoundTrips) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xc3\xa9\xf0\x9f\x98\x80";
  const boost::json::value v = boost::json::parse(json_quoted(all));
  ASSERT_TRUE(v.is_string());
  EXPECT_EQ(std::string_view(v.get_string()), all);
}

// The byte-at-a-time definition the fast word-at-a-time scan must agree with.
std::string reference_escape(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

TEST(JsonEscape, EverySpecialByteAtEveryOffset) {
  for (int special = 0; special < 256; ++special) {
    for (std::size_t pos = 0; pos < 20; ++pos) {
      for (std::size_t len : {pos + 1, pos + 3, std::size_t{24}, std::size_t{33}}) {
        if (len <= pos) continue;
        std::string s(len, 'x');
        s[pos] = static_cast<char>(special);
        if (len > pos + 9) s[pos + 9] = '"';
        ASSERT_EQ(json_quoted(s), reference_escape(s)) << "byte " << special << " at " << pos;
      }
    }
  }
}

TEST(JsonEscape, UserKeysAndValuesAreEscapedInRequests) {
  SendMessageRequest r;
  r.queue_url = "u";
  r.message_body = "line1\nline2\t\"q\"";
  r.message_attributes = {{"we\"ird", MessageAttributeValue::string("\x01")}};
  std::string out;
  encode(r, out);
  EXPECT_EQ(out, R"({"QueueUrl":"u","MessageBody":"line1\nline2\t\"q\"","MessageAttributes":)"
                 R"({"we\"ird":{"DataType":"String","StringValue":"\u0001"}}})");

  CreateQueueRequest c{"q", {{"Policy", R"({"Version":"2012-10-17"})"}}, {{"k\\", "v"}}};
  out.clear();
  encode(c, out);
  EXPECT_EQ(out, R"({"QueueName":"q","Attributes":{"Policy":"{\"Version\":\"2012-10-17\"}"},)"
                 R"("tags":{"k\\":"v"}})");
}

TEST(JsonEscape, LargeBodyRoundTrips) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += (i % 97 == 0) ? "\"\\\n" : "x\xc3\xa9";
  SendMessageRequest r{"u", body, {}, {}, {}, {}, {}};
  std::string out;
  encode(r, out);
  const boost::json::value v = boost::json::parse(out);
  EXPECT_EQ(std::string_view(v.at("MessageBody").get_string()), body);
}

}  // namespace
}  // namespace sqs::protocol

// send-batch end to end: batching, results in input order, all-or-nothing validation.
#include <gtest/gtest.h>

#include <set>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

using SendBatch = SqsctlTest;
namespace json = boost::json;

std::string body_line(const std::string& body) {
  json::object o;
  o["Body"] = body;
  return json::serialize(o) + "\n";
}

TEST_F(SendBatch, TwentyFiveLinesAllSentWithResultsInInputOrder) {
  auto url = create_queue();
  std::string input;
  for (int i = 0; i < 25; ++i) input += body_line("message " + std::to_string(i));
  auto r = sqsctl({"send-batch", url}, input);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto results = json_lines(r);
  ASSERT_EQ(results.size(), 25u) << describe(r);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto& result = results[i];
    EXPECT_EQ(result["Index"].to_number<std::size_t>(), i) << r.out;
    EXPECT_FALSE(result.contains("Error")) << r.out;
    ids.insert(str(result["MessageId"]));
  }
  EXPECT_EQ(ids.size(), 25u);

  std::map<std::string, std::string> body_by_id;
  for (auto& m : drain(url)) body_by_id[str(m["MessageId"])] = str(m["Body"]);
  ASSERT_EQ(body_by_id.size(), 25u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(body_by_id[str(results[i]["MessageId"])], "message " + std::to_string(i));
  }
}

TEST_F(SendBatch, BlankLinesAreSkippedAndTakeNoIndex) {
  auto url = create_queue();
  auto r = sqsctl({"send-batch", url}, "\n" + body_line("a") + "   \n\n" + body_line("b") + "\r\n");
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto results = json_lines(r);
  ASSERT_EQ(results.size(), 2u) << describe(r);
  EXPECT_EQ(results[0]["Index"].to_number<int>(), 0);
  EXPECT_EQ(results[1]["Index"].to_number<int>(), 1);
  EXPECT_EQ(message_count(url), 2);
}

TEST_F(SendBatch, EmptyInputSendsNothingAndSucceeds) {
  auto url = create_queue();
  auto r = sqsctl({"send-batch", url}, "");
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "");
}

TEST_F(SendBatch, AllFieldsAndBinaryAttributesRoundTrip) {
  auto url = create_queue();
  const std::string input =
      R"({"Body":"one","MessageAttributes":{"b":{"DataType":"Binary","BinaryValue":"AAH+/w=="},"s":{"DataType":"String","StringValue":"v"},"n":{"DataType":"Number.int","StringValue":"3"}}})"
      "\n"
      R"({"Body":"two","DelaySeconds":0,"GroupId":"tenant-1"})"
      "\n";
  auto r = sqsctl({"send-batch", url}, input);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  ASSERT_EQ(r.lines().size(), 2u) << describe(r);

  auto messages = drain(url);
  ASSERT_EQ(messages.size(), 2u);
  for (auto& m : messages) {
    if (str(m["Body"]) != "one") continue;
    auto expected = json::parse(
        R"({"b":{"DataType":"Binary","BinaryValue":"AAH+/w=="},"s":{"DataType":"String","StringValue":"v"},"n":{"DataType":"Number.int","StringValue":"3"}})");
    EXPECT_EQ(m["MessageAttributes"], expected);
  }
}

TEST_F(SendBatch, LargeMessagesAreSplitByPayloadSize) {
  auto url = create_queue();
  // 12 messages of 200 KB: 2.4 MB, so the 1 MiB payload limit needs at least 3 batches.
  std::string input;
  for (int i = 0; i < 12; ++i)
    input += body_line(std::string(200 * 1024, static_cast<char>('a' + i)));
  auto r = sqsctl({"send-batch", url}, input);
  ASSERT_EQ(r.exit_code, 0) << describe(r).substr(0, 2000);
  EXPECT_EQ(json_lines(r).size(), 12u);
  EXPECT_EQ(message_count(url), 12);
}

TEST_F(SendBatch, AnInvalidLineSendsNothing) {
  struct Case {
    std::string line;
    std::string expected_text;  // in the error for that line
  };
  const std::vector<Case> cases = {
      {"{not json", "not valid JSON"},
      {R"(["Body"])", "JSON object"},
      {R"({"Body":"x","Colour":"red"})", "Colour"},
      {R"({"Body":42})", "Body"},
      {R"({"Body":"x","DelaySeconds":"5"})", "DelaySeconds"},
      {R"({"Body":"x","DelaySeconds":1.5})", "DelaySeconds"},
      {R"({"DelaySeconds":5})", "Body"},
      {R"({"Body":"x","DelaySeconds":901})", "DelaySeconds"},
      {R"({"Body":"x","MessageAttributes":{"a":{"DataType":"String"}}})", "StringValue"},
      {R"({"Body":"x","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"%%%"}}})",
       "base64"},
      {R"({"Body":"x","MessageAttributes":{"a":{"DataType":"String","StringValue":"v","Extra":1}}})",
       "Extra"},
      {R"({"Body":"x","MessageAttributes":{"AWS.reserved":{"DataType":"String","StringValue":"v"}}})",
       ""},
      {R"({"Body":""})", ""},  // an empty body
      {R"({"Body":"x","GroupId":5})", "GroupId"},
      {R"({"Body":"x","DeduplicationId":"d"})", ""},             // only on FIFO queues
      {"{\"Body\":\"" + std::string(1048577, 'x') + "\"}", ""},  // over 1 MiB
  };
  auto url = create_queue();
  for (const auto& c : cases) {
    // The bad line is the third line of the input; line 2 is blank.
    std::string input = body_line("fine") + "\n" + c.line + "\n" + body_line("also fine");
    auto r = sqsctl({"send-batch", url}, input);
    const std::string shown = c.line.substr(0, 100);
    EXPECT_EQ(r.exit_code, 2) << shown << ": " << describe(r).substr(0, 2000);
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_NE(r.err.find("line 3: "), std::string::npos) << shown << ": " << r.err.substr(0, 2000);
    EXPECT_EQ(r.err.find("line 1:"), std::string::npos) << shown;
    EXPECT_NE(r.err.find(c.expected_text), std::string::npos)
        << shown << ": " << r.err.substr(0, 2000);
    EXPECT_NE(r.err.find("nothing was sent"), std::string::npos) << shown;
  }
  EXPECT_EQ(message_count(url), 0) << "no batch was sent";
}

TEST_F(SendBatch, EveryInvalidLineIsReported) {
  // Lines that do not parse and lines that break an SQS rule are reported together.
  auto url = create_queue();
  auto r = sqsctl({"send-batch", url}, "{}\n" + body_line("ok") + "nope\n" +
                                           R"({"Body":"x","DelaySeconds":901})"
                                           "\n");
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("line 1: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("line 2: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 4: "), std::string::npos) << r.err;
  EXPECT_LT(r.err.find("line 3: "), r.err.find("line 4: ")) << "in line order: " << r.err;
  EXPECT_NE(r.err.find("3 invalid lines"), std::string::npos) << r.err;
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(SendBatch, NonexistentQueueFailsWithExit1) {
  auto r = sqsctl({"send-batch", unique_name()}, body_line("x"));
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_EQ(r.err.rfind("error: QueueDoesNotExist", 0), 0u) << describe(r);
}

}  // namespace
}  // namespace sqsctl_test

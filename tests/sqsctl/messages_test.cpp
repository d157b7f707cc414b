// send, receive, delete and change-visibility end to end.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

using Messages = SqsctlTest;
namespace json = boost::json;

std::set<std::string> keys_of(const json::object& o) {
  std::set<std::string> keys;
  for (const auto& [k, v] : o) keys.insert(std::string(k));
  return keys;
}

TEST_F(Messages, SendPrintsIdAndMd5AndReceivePrintsTheMessage) {
  auto url = create_queue();
  auto name = url.substr(url.rfind('/') + 1);
  auto sent = sqsctl({"send", name, "--body", "hello"});  // QUEUE given by name
  ASSERT_EQ(sent.exit_code, 0) << describe(sent);
  ASSERT_EQ(sent.lines().size(), 1u) << describe(sent);
  auto result = json_object(sent.lines().front());
  EXPECT_EQ(keys_of(result), (std::set<std::string>{"MessageId", "MD5OfMessageBody"}));
  EXPECT_EQ(str(result["MD5OfMessageBody"]), "5d41402abc4b2a76b9719d911017c592");

  auto received = sqsctl({"receive", url});
  ASSERT_EQ(received.exit_code, 0) << describe(received);
  auto messages = json_lines(received);
  ASSERT_EQ(messages.size(), 1u) << describe(received);
  auto& m = messages.front();
  EXPECT_EQ(keys_of(m), (std::set<std::string>{"MessageId", "ReceiptHandle", "Body", "MD5OfBody",
                                               "Attributes", "MessageAttributes"}));
  EXPECT_EQ(str(m["MessageId"]), str(result["MessageId"]));
  EXPECT_EQ(str(m["Body"]), "hello");
  EXPECT_EQ(str(m["MD5OfBody"]), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_FALSE(str(m["ReceiptHandle"]).empty());
  EXPECT_TRUE(m["Attributes"].is_object());
  EXPECT_TRUE(m["MessageAttributes"].is_object());
  EXPECT_TRUE(m["MessageAttributes"].as_object().empty());
}

TEST_F(Messages, BodyComesFromFileOrStdinByteForByte) {
  auto url = create_queue();
  const std::string file_body = "line 1\nline 2 \xc3\xa9 \xe2\x9c\x93\n\ttabbed\n";
  const std::string path = home_dir_ + "/body.txt";
  std::ofstream(path, std::ios::binary) << file_body;

  auto from_file = sqsctl({"send", url, "--body-file", path});
  ASSERT_EQ(from_file.exit_code, 0) << describe(from_file);
  auto from_stdin = sqsctl({"send", url}, "from stdin\n");
  ASSERT_EQ(from_stdin.exit_code, 0) << describe(from_stdin);
  auto from_dash = sqsctl({"send", url, "--body-file", "-"}, "dash");
  ASSERT_EQ(from_dash.exit_code, 0) << describe(from_dash);

  std::multiset<std::string> bodies;
  for (auto& m : drain(url)) bodies.insert(str(m["Body"]));
  EXPECT_EQ(bodies, (std::multiset<std::string>{file_body, "from stdin\n", "dash"}));

  auto missing = sqsctl({"send", url, "--body-file", home_dir_ + "/no-such-file"});
  EXPECT_EQ(missing.exit_code, 2) << describe(missing);
  EXPECT_NE(missing.err.find("no-such-file"), std::string::npos) << describe(missing);
  // A directory is bad input too, said plainly (issue #8, hole 3).
  auto directory = sqsctl({"send", url, "--body-file", home_dir_});
  EXPECT_EQ(directory.exit_code, 2) << describe(directory);
  EXPECT_NE(directory.err.find("Is a directory"), std::string::npos) << describe(directory);
  EXPECT_EQ(directory.err.find("basic_filebuf"), std::string::npos) << describe(directory);
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(Messages, MessageAttributesRoundTripIncludingBinary) {
  auto url = create_queue();
  auto sent = sqsctl({"send", url, "--body", "with attributes", "--attribute",
                      "s=String:hello world", "--attribute", "n=Number:42", "--attribute",
                      "i=Number.int:7", "--attribute", "b=Binary:AAH+/w==", "--attribute",
                      "gif=Binary.gif:aGVsbG8=", "--attribute", "tricky=String:a=b:c"});
  ASSERT_EQ(sent.exit_code, 0) << describe(sent);

  auto received =
      sqsctl({"receive", url, "--message-attribute-names", "All", "--visibility-timeout", "0"});
  ASSERT_EQ(received.exit_code, 0) << describe(received);
  auto messages = json_lines(received);
  ASSERT_EQ(messages.size(), 1u) << describe(received);
  auto expected = json::parse(R"({
    "s": {"DataType":"String","StringValue":"hello world"},
    "n": {"DataType":"Number","StringValue":"42"},
    "i": {"DataType":"Number.int","StringValue":"7"},
    "b": {"DataType":"Binary","BinaryValue":"AAH+/w=="},
    "gif": {"DataType":"Binary.gif","BinaryValue":"aGVsbG8="},
    "tricky": {"DataType":"String","StringValue":"a=b:c"}})");
  EXPECT_EQ(messages.front()["MessageAttributes"], expected) << received.out;
}

TEST_F(Messages, MessageAttributeNamesTakeACommaSeparatedList) {
  // fauxqs answers MD5OfMessageAttributes over every attribute of the message even when only
  // some are asked for (SQS digests the ones it returns), which the library rightly rejects; so
  // this message has just the attributes asked for.
  auto url = create_queue();
  ASSERT_EQ(sqsctl({"send", url, "--body", "x", "--attribute", "s=String:v", "--attribute",
                    "b=Binary:AAH+/w=="})
                .exit_code,
            0);
  auto some = sqsctl({"receive", url, "--message-attribute-names", "s,b"});
  ASSERT_EQ(some.exit_code, 0) << describe(some);
  auto messages = json_lines(some);
  ASSERT_EQ(messages.size(), 1u) << describe(some);
  EXPECT_EQ(keys_of(messages.front()["MessageAttributes"].as_object()),
            (std::set<std::string>{"s", "b"}))
      << some.out;
}

TEST_F(Messages, InvalidMessageAttributesExit2AndSendNothing) {
  auto url = create_queue();
  std::vector<std::vector<std::string>> cases = {
      {"--attribute", "noequals"},
      {"--attribute", "x=String"},  // no TYPE:VALUE
      {"--attribute", "x=:v"},      // empty TYPE
      {"--attribute", "b=Binary:not base64!"},
      {"--attribute", "b=Binary:AAH"},                             // bad padding
      {"--attribute", "x=Fancy:1"},                                // unknown type
      {"--attribute", "AWS.x=String:1"},                           // reserved name
      {"--attribute", "x=String:"},                                // empty value
      {"--attribute", "x=String:1", "--attribute", "x=String:2"},  // twice
  };
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) {
    eleven.push_back("--attribute");
    eleven.push_back("a" + std::to_string(i) + "=String:v");
  }
  cases.push_back(eleven);  // more than 10
  for (const auto& extra : cases) {
    std::vector<std::string> args = {"send", url, "--body", "x"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = sqsctl(args);
    EXPECT_EQ(r.exit_code, 2) << extra.at(1) << ": " << describe(r);
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << describe(r);
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(Messages, DelaySecondsDelaysAndIsRangeChecked) {
  auto url = create_queue();
  auto sent = sqsctl({"send", url, "--body", "later", "--delay-seconds", "900"});
  ASSERT_EQ(sent.exit_code, 0) << describe(sent);
  auto now = sqsctl({"receive", url});
  EXPECT_EQ(now.exit_code, 0) << describe(now);
  EXPECT_EQ(now.out, "") << "a delayed message is not visible yet";
  EXPECT_EQ(message_count(url), 1);

  auto too_long = sqsctl({"send", url, "--body", "x", "--delay-seconds", "901"});
  EXPECT_EQ(too_long.exit_code, 2) << describe(too_long);
  EXPECT_EQ(message_count(url), 1);
}

TEST_F(Messages, ReceiveReturnsSystemAttributesAskedFor) {
  auto url = create_queue();
  ASSERT_EQ(sqsctl({"send", url, "--body", "x"}).exit_code, 0);
  auto r = sqsctl({"receive", url, "--attribute-names", "All", "--visibility-timeout", "0"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto messages = json_lines(r);
  ASSERT_EQ(messages.size(), 1u) << describe(r);
  auto& attributes = messages.front()["Attributes"].as_object();
  EXPECT_TRUE(attributes.contains("SentTimestamp")) << r.out;
  EXPECT_EQ(str(attributes.at("ApproximateReceiveCount")), "1") << r.out;

  auto named =
      sqsctl({"receive", url, "--attribute-names", "ApproximateReceiveCount,SentTimestamp"});
  ASSERT_EQ(named.exit_code, 0) << describe(named);
  auto again = json_lines(named);
  ASSERT_EQ(again.size(), 1u) << describe(named);
  EXPECT_EQ(str(again.front()["Attributes"].as_object()["ApproximateReceiveCount"]), "2")
      << named.out;
}

TEST_F(Messages, ReceiveMaxAndVisibilityTimeout) {
  auto url = create_queue();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(sqsctl({"send", url, "--body", std::to_string(i)}).exit_code, 0);
  }
  auto first = sqsctl({"receive", url, "--max", "3", "--visibility-timeout", "600"});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  EXPECT_EQ(first.lines().size(), 3u) << describe(first);
  auto rest = sqsctl({"receive", url, "--max", "10", "--visibility-timeout", "600"});
  ASSERT_EQ(rest.exit_code, 0) << describe(rest);
  EXPECT_EQ(rest.lines().size(), 2u) << describe(rest);
  auto none = sqsctl({"receive", url, "--max", "10"});
  EXPECT_EQ(none.exit_code, 0) << describe(none);
  EXPECT_EQ(none.out, "") << "the received messages are invisible";
  EXPECT_EQ(message_count(url), 5);

  for (const char* bad : {"0", "11"}) {
    auto r = sqsctl({"receive", url, "--max", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << describe(r);
  }
  auto bad_wait = sqsctl({"receive", url, "--wait-seconds", "21"});
  EXPECT_EQ(bad_wait.exit_code, 2) << describe(bad_wait);
  auto bad_visibility = sqsctl({"receive", url, "--visibility-timeout", "43201"});
  EXPECT_EQ(bad_visibility.exit_code, 2) << describe(bad_visibility);
}

TEST_F(Messages, LongPollOnAnEmptyQueueEndsWithNothing) {
  auto url = create_queue();
  auto r = sqsctl({"receive", url, "--wait-seconds", "1", "--count", "3"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, "");
}

TEST_F(Messages, ReceiveCountDeleteLeavesTheQueueEmpty) {
  auto url = create_queue();
  std::string input;
  for (int i = 0; i < 15; ++i) input += R"({"Body":"m)" + std::to_string(i) + "\"}\n";
  ASSERT_EQ(sqsctl({"send-batch", url}, input).exit_code, 0);
  ASSERT_EQ(message_count(url), 15);

  auto r = sqsctl({"receive", url, "--count", "15", "--wait-seconds", "1", "--delete"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  std::set<std::string> bodies, ids;
  for (auto& m : json_lines(r)) {
    bodies.insert(str(m["Body"]));
    ids.insert(str(m["MessageId"]));
  }
  EXPECT_EQ(bodies.size(), 15u) << describe(r);
  EXPECT_EQ(ids.size(), 15u);
  EXPECT_EQ(message_count(url), 0) << "every printed message was deleted";
  EXPECT_TRUE(drain(url, false).empty());
}

TEST_F(Messages, ReceiveCountStopsAtCountAndDeletesNothingWithoutDelete) {
  auto url = create_queue();
  std::string input;
  for (int i = 0; i < 12; ++i)
    input += R"({"Body":"m"})"
             "\n";
  ASSERT_EQ(sqsctl({"send-batch", url}, input).exit_code, 0);
  auto r = sqsctl({"receive", url, "--count", "5", "--max", "2", "--visibility-timeout", "600"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.lines().size(), 5u) << describe(r);
  EXPECT_EQ(message_count(url), 12);
}

TEST_F(Messages, DeleteOneOrManyReceiptHandles) {
  auto url = create_queue();
  std::string input;
  for (int i = 0; i < 13; ++i)
    input += R"({"Body":"m"})"
             "\n";
  ASSERT_EQ(sqsctl({"send-batch", url}, input).exit_code, 0);
  auto received = sqsctl({"receive", url, "--count", "13", "--visibility-timeout", "600"});
  ASSERT_EQ(received.exit_code, 0) << describe(received);
  std::vector<std::string> handles;
  for (auto& m : json_lines(received)) handles.push_back(str(m["ReceiptHandle"]));
  ASSERT_EQ(handles.size(), 13u);

  auto one = sqsctl({"delete", url, handles.front()});
  ASSERT_EQ(one.exit_code, 0) << describe(one);
  EXPECT_EQ(one.out, "");
  EXPECT_EQ(message_count(url), 12);

  std::vector<std::string> args = {"delete", url};
  args.insert(args.end(), handles.begin() + 1, handles.end());  // 12: two batches
  auto many = sqsctl(args);
  ASSERT_EQ(many.exit_code, 0) << describe(many);
  EXPECT_EQ(many.out, "");
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(Messages, AnEmptyReceiptHandleIsRejectedBeforeDeletingAnything) {
  auto url = create_queue();
  ASSERT_EQ(sqsctl({"send", url, "--body", "x"}).exit_code, 0);
  auto received = sqsctl({"receive", url, "--visibility-timeout", "600"});
  auto messages = json_lines(received);
  ASSERT_EQ(messages.size(), 1u) << describe(received);
  auto good = str(messages.front()["ReceiptHandle"]);

  auto single = sqsctl({"delete", url, ""});
  EXPECT_EQ(single.exit_code, 2) << describe(single);
  EXPECT_EQ(single.err.rfind("error: ", 0), 0u) << describe(single);
  // The batch holds a good handle, but nothing is deleted when any handle is invalid.
  auto mixed = sqsctl({"delete", url, good, ""});
  EXPECT_EQ(mixed.exit_code, 2) << describe(mixed);
  EXPECT_EQ(message_count(url), 1) << "nothing was deleted";

  auto deleted = sqsctl({"delete", url, good});
  EXPECT_EQ(deleted.exit_code, 0) << describe(deleted);
  EXPECT_EQ(message_count(url), 0);
}

TEST_F(Messages, ChangeVisibilityMakesAMessageVisibleAgain) {
  auto url = create_queue();
  ASSERT_EQ(sqsctl({"send", url, "--body", "x"}).exit_code, 0);
  auto received = sqsctl({"receive", url, "--visibility-timeout", "600"});
  auto messages = json_lines(received);
  ASSERT_EQ(messages.size(), 1u) << describe(received);
  auto handle = str(messages.front()["ReceiptHandle"]);
  EXPECT_EQ(sqsctl({"receive", url}).out, "") << "hidden for 600 s";

  auto bad = sqsctl({"change-visibility", url, handle, "43201"});
  EXPECT_EQ(bad.exit_code, 2) << describe(bad);

  auto changed = sqsctl({"change-visibility", url, handle, "0"});
  ASSERT_EQ(changed.exit_code, 0) << describe(changed);
  EXPECT_EQ(changed.out, "");
  auto again = sqsctl({"receive", url, "--attribute-names", "ApproximateReceiveCount"});
  auto visible = json_lines(again);
  ASSERT_EQ(visible.size(), 1u) << describe(again);
  EXPECT_EQ(str(visible.front()["Body"]), "x");
}

}  // namespace
}  // namespace sqsctl_test

// --help, --version and usage errors: what a new user sees first.
#include <gtest/gtest.h>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

using Help = SqsctlTest;

const std::vector<std::string> kCommands = {"create-queue",   "delete-queue", "get-queue-url",
                                            "list-queues",    "purge",        "get-attributes",
                                            "set-attributes", "send",         "send-batch",
                                            "receive",        "delete",       "change-visibility"};

TEST_F(Help, TopLevelHelpListsCommandsOptionsExitStatusAndExamples) {
  auto r = sqsctl_raw({"--help"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  for (const auto& command : kCommands)
    EXPECT_NE(r.out.find(command), std::string::npos) << command;
  for (const char* option : {"--endpoint", "--region", "--profile", "--timeout", "--version"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
  for (const char* text :
       {"Examples:", "Exit status:", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
        "sqsctl send-batch", "sqsctl receive", "COMMAND --help"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
}

TEST_F(Help, EveryCommandHasItsOwnHelp) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"create-queue", {"NAME", "--attribute", ".fifo", "Example"}},
      {"delete-queue", {"QUEUE", "Example"}},
      {"get-queue-url", {"NAME", "Example"}},
      {"list-queues", {"--prefix", "Example"}},
      {"purge", {"QUEUE", "Example"}},
      {"get-attributes", {"QUEUE", "NAME", "Example"}},
      {"set-attributes", {"QUEUE", "KEY=VALUE", "Example"}},
      {"send",
       {"--body", "--body-file", "--attribute", "NAME=TYPE:VALUE", "--delay-seconds", "--group-id",
        "--deduplication-id", "stdin", "SequenceNumber", "Example"}},
      {"send-batch",
       {"Body", "MessageAttributes", "DelaySeconds", "GroupId", "DeduplicationId", "Blank lines",
        "Index", "line number", "nothing is", "Error", "Example"}},
      {"receive",
       {"--max", "--wait-seconds", "--visibility-timeout", "--attribute-names",
        "--message-attribute-names", "--count", "--delete", "ReceiptHandle", "Example"}},
      {"delete", {"QUEUE", "RECEIPT_HANDLE", "Example"}},
      {"change-visibility", {"QUEUE", "RECEIPT_HANDLE", "SECONDS", "Example"}},
  };
  ASSERT_EQ(expected.size(), kCommands.size());
  for (const auto& [command, texts] : expected) {
    auto r = sqsctl_raw({command, "--help"});
    ASSERT_EQ(r.exit_code, 0) << command << ": " << describe(r);
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << command;
    for (const auto& text : texts) {
      EXPECT_NE(r.out.find(text), std::string::npos) << command << " help lacks " << text << "\n"
                                                     << r.out;
    }
  }
}

TEST_F(Help, VersionPrintsTheVersion) {
  auto r = sqsctl_raw({"--version"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out.rfind("sqsctl ", 0), 0u) << describe(r);
}

TEST_F(Help, NoArgumentsShowsTheHelpAndExits2) {
  auto r = sqsctl_raw({});
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("Examples:"), std::string::npos) << describe(r);
}

TEST_F(Help, UsageErrorsExit2WithoutContactingAnything) {
  // The endpoint is a closed port: any request would fail with exit 1, not 2.
  const std::vector<std::vector<std::string>> cases = {
      {"no-such-command"},
      {"send"},  // QUEUE missing
      {"send", "q", "--no-such-option"},
      {"send", "q", "--body", "a", "--body-file", "f"},  // exclusive
      {"send", "q", "--delay-seconds", "soon"},
      {"receive", "q", "--count", "0"},
      {"change-visibility", "q", "handle"},  // SECONDS missing
      {"set-attributes", "q"},               // KEY=VALUE missing
      {"delete", "q"},                       // RECEIPT_HANDLE missing
      {"send-batch", "q", "--concurrency", "0"},
      {"--timeout", "-1", "list-queues"},
      {"--timeout", "soon", "list-queues"},
  };
  for (const auto& args : cases) {
    std::vector<std::string> full = {"--endpoint", "http://127.0.0.1:9", "--region", "us-east-1"};
    full.insert(full.end(), args.begin(), args.end());
    auto r = sqsctl_raw(full);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << describe(r);
    EXPECT_FALSE(r.err.empty()) << joined;
    EXPECT_TRUE(r.out.empty()) << joined << describe(r);
  }
}

}  // namespace
}  // namespace sqsctl_test

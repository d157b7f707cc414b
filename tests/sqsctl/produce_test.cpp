// sqsctl produce: stdin lines through sqs::Producer, one result line per input line in input
// order, an error line for a refused message (exit status 1), FIFO groups.
#include <gtest/gtest.h>

#include <set>

#include "sqsctl/sqsctl_fixture.hpp"

namespace sqsctl_test {
namespace {

class Produce : public SqsctlTest {};

}  // namespace

TEST_F(Produce, SendsEveryLineAndAnswersInInputOrder) {
  const auto url = create_queue();
  std::string input;
  for (int i = 1; i <= 55; ++i) input += "line " + std::to_string(i) + "\n";
  auto r = sqsctl({"produce", url}, input);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 55u) << r.out;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].at("Line").to_number<std::size_t>(), i + 1);
    ids.insert(str(lines[i].at("MessageId")));
  }
  EXPECT_EQ(ids.size(), 55u);
  EXPECT_NE(r.err.find("produced 55 of 55 lines"), std::string::npos) << r.err;
  std::set<std::string> bodies;
  for (const auto& m : drain(url)) bodies.insert(str(m.at("Body")));
  EXPECT_EQ(bodies.size(), 55u);
  EXPECT_TRUE(bodies.count("line 1"));
}

TEST_F(Produce, ARefusedLineGetsAnErrorLineAndTheRestGo) {
  const auto url = create_queue();
  auto r = sqsctl({"produce", url}, "a\n\nb\n");
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  const auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_TRUE(lines[0].contains("MessageId"));
  ASSERT_TRUE(lines[1].contains("Error")) << r.out;
  EXPECT_EQ(str(lines[1].at("Error").at("Code")), "EmptyMessageBody");
  EXPECT_TRUE(lines[2].contains("MessageId"));
  EXPECT_EQ(drain(url).size(), 2u);
}

TEST_F(Produce, FifoNeedsAGroupAndKeepsTheOrder) {
  const auto url = create_queue(true);
  auto refused = sqsctl({"produce", url}, "x\n");
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_NE(refused.err.find("--group-id"), std::string::npos) << refused.err;
  std::string input;
  for (int i = 1; i <= 30; ++i) input += std::to_string(i) + "\n";
  auto r = sqsctl({"produce", url, "--group-id", "g"}, input);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto lines = json_lines(r);
  ASSERT_EQ(lines.size(), 30u);
  for (const auto& line : lines) EXPECT_TRUE(line.contains("SequenceNumber")) << line;
  const auto got = drain(url);
  ASSERT_EQ(got.size(), 30u);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(str(got[i].at("Body")), std::to_string(i + 1));
}

}  // namespace sqsctl_test

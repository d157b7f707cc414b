// The input of send-batch: JSON lines, one message each, e.g.
//   {"Body":"hi","MessageAttributes":{"n":{"DataType":"Number","StringValue":"1"}},
//    "DelaySeconds":5,"GroupId":"g","DeduplicationId":"d"}
// Blank lines (only whitespace) are skipped: they are not messages and take no index.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "sqs/error.hpp"
#include "sqs/queue.hpp"

namespace sqsctl {

struct LineError {
  std::size_t line;  // 1-based line number in the input
  std::string message;
};

struct BatchInput {
  std::vector<sqs::OutgoingMessage> messages;
  std::vector<std::size_t> lines;  // lines[i]: the input line of messages[i]
  std::vector<LineError> errors;   // every line that is not a valid message
};

// One line as a message; an error (kind validation) says what is wrong with it.
sqs::Result<sqs::OutgoingMessage> parse_batch_line(std::string_view line);

BatchInput read_batch_input(std::istream& in);

}  // namespace sqsctl

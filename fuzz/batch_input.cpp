// Fuzz target: `sqsctl send-batch`'s JSON-lines input (tools/sqsctl: read_batch_input and
// parse_batch_line, with the attribute reader and base64 decoder they use). Input: the text on
// standard input.
// Invariants: nothing throws; every line that is not blank is exactly one message or one error,
// with increasing 1-based line numbers; read_batch_input agrees with parse_batch_line line by
// line; errors are validation errors with a message; bodies and String values are valid UTF-8
// (JSON strings), Binary values only in Binary attributes.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "batch_input.hpp"
#include "fuzz_common.hpp"

namespace {

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void check_message(const sqs::OutgoingMessage& m) {
  FUZZ_CHECK(sqs_fuzz::valid_utf8(m.body));
  for (const auto& [name, value] : m.options.attributes) {
    FUZZ_CHECK(sqs_fuzz::valid_utf8(name));
    FUZZ_CHECK(sqs_fuzz::valid_utf8(value.data_type));
    if (value.is_binary()) {
      FUZZ_CHECK(value.string_value.empty());
    } else {
      FUZZ_CHECK(value.binary_value.empty());
      FUZZ_CHECK(sqs_fuzz::valid_utf8(value.string_value));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sqs_fuzz::no_exception(__FILE__, [&] {
    std::istringstream in(text);
    const sqsctl::BatchInput input = sqsctl::read_batch_input(in);
    FUZZ_CHECK(input.messages.size() == input.lines.size());

    // The lines as std::getline sees them.
    std::istringstream again(text);
    std::size_t number = 0, message = 0, error = 0;
    for (std::string line; std::getline(again, line);) {
      ++number;
      if (blank(line)) continue;
      auto parsed = sqsctl::parse_batch_line(line);
      if (parsed) {
        FUZZ_CHECK(message < input.messages.size() && input.lines[message] == number);
        check_message(*parsed);
        FUZZ_CHECK(input.messages[message].body == parsed->body);
        FUZZ_CHECK(input.messages[message].options.attributes == parsed->options.attributes);
        ++message;
      } else {
        FUZZ_CHECK(parsed.error().kind == sqs::ErrorKind::validation);
        FUZZ_CHECK(!parsed.error().message.empty());
        FUZZ_CHECK(error < input.errors.size() && input.errors[error].line == number);
        FUZZ_CHECK(input.errors[error].message == parsed.error().message);
        ++error;
      }
    }
    FUZZ_CHECK(message == input.messages.size());
    FUZZ_CHECK(error == input.errors.size());
  });
  return 0;
}

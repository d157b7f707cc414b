#include "batch_input.hpp"

#include <boost/json/parse.hpp>
#include <limits>
#include <string>

#include "json_io.hpp"

namespace sqsctl {
namespace {

namespace json = boost::json;

sqs::Error invalid(std::string message) {
  return sqs::Error::validation("InvalidInput", std::move(message));
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

sqs::Result<std::string> string_field(const json::value& value, std::string_view name) {
  if (const json::string* s = value.if_string()) return std::string(*s);
  return invalid(std::string(name) + " must be a string");
}

}  // namespace

sqs::Result<sqs::OutgoingMessage> parse_batch_line(std::string_view line) {
  json::error_code ec;
  json::value parsed = json::parse(line, ec);
  if (ec) return invalid("not valid JSON: " + ec.message());
  const json::object* obj = parsed.if_object();
  if (obj == nullptr) return invalid("expected a JSON object such as {\"Body\":\"...\"}");

  sqs::OutgoingMessage message;
  bool has_body = false;
  for (const auto& field : *obj) {
    const auto key = field.key();
    const json::value& value = field.value();
    if (key == "Body") {
      auto body = string_field(value, key);
      if (!body) return std::move(body).error();
      message.body = std::move(*body);
      has_body = true;
    } else if (key == "MessageAttributes") {
      const json::object* attributes = value.if_object();
      if (attributes == nullptr) return invalid("MessageAttributes must be an object");
      for (const auto& attribute : *attributes) {
        std::string name(attribute.key());
        auto parsed_value = attribute_from_json(attribute.value(), "MessageAttributes." + name);
        if (!parsed_value) return std::move(parsed_value).error();
        message.options.attributes[std::move(name)] = std::move(*parsed_value);
      }
    } else if (key == "DelaySeconds") {
      // Any integer that fits an int: the range itself is the library's rule to check.
      if (const auto* i = value.if_int64(); i != nullptr && *i >= std::numeric_limits<int>::min() &&
                                            *i <= std::numeric_limits<int>::max()) {
        message.options.delay_seconds = static_cast<int>(*i);
      } else if (const auto* u = value.if_uint64();
                 u != nullptr &&
                 *u <= static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        message.options.delay_seconds = static_cast<int>(*u);
      } else {
        return invalid("DelaySeconds must be an integer (0-900)");
      }
    } else if (key == "GroupId") {
      auto group = string_field(value, key);
      if (!group) return std::move(group).error();
      message.options.group_id = std::move(*group);
    } else if (key == "DeduplicationId") {
      auto dedup = string_field(value, key);
      if (!dedup) return std::move(dedup).error();
      message.options.deduplication_id = std::move(*dedup);
    } else {
      return invalid("unknown field \"" + std::string(key) +
                     "\" (expected Body, MessageAttributes, DelaySeconds, GroupId, "
                     "DeduplicationId)");
    }
  }
  if (!has_body) return invalid("Body is missing");
  return message;
}

BatchInput read_batch_input(std::istream& in) {
  BatchInput input;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (is_blank(line)) continue;
    auto message = parse_batch_line(line);
    if (!message) {
      input.errors.push_back({number, message.error().message});
      continue;
    }
    input.messages.push_back(std::move(*message));
    input.lines.push_back(number);
  }
  return input;
}

}  // namespace sqsctl

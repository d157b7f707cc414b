#include "arguments.hpp"

#include "base64.hpp"

namespace sqsctl {
namespace {

sqs::Error invalid(std::string message) {
  return sqs::Error::validation("InvalidArgument", std::move(message));
}

}  // namespace

sqs::Result<std::pair<std::string, std::string>> parse_key_value(std::string_view argument) {
  auto eq = argument.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return invalid("'" + std::string(argument) + "': expected KEY=VALUE");
  }
  return std::pair{std::string(argument.substr(0, eq)), std::string(argument.substr(eq + 1))};
}

sqs::Result<sqs::StringMap> parse_key_values(const std::vector<std::string>& arguments) {
  sqs::StringMap out;
  for (const auto& argument : arguments) {
    auto kv = parse_key_value(argument);
    if (!kv) return std::move(kv).error();
    if (!out.emplace(std::move(kv->first), std::move(kv->second)).second) {
      return invalid("'" + argument + "': " + "the key is given twice");
    }
  }
  return out;
}

sqs::Result<std::pair<std::string, sqs::MessageAttributeValue>> parse_message_attribute(
    std::string_view argument) {
  auto expected = [&] {
    return invalid("'" + std::string(argument) +
                   "': expected NAME=TYPE:VALUE (TYPE String, Number or Binary with a base64 "
                   "value, optionally with a suffix such as Number.int)");
  };
  auto eq = argument.find('=');
  if (eq == std::string_view::npos || eq == 0) return expected();
  auto rest = argument.substr(eq + 1);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return expected();

  sqs::MessageAttributeValue value;
  value.data_type = std::string(rest.substr(0, colon));
  auto text = rest.substr(colon + 1);
  if (value.is_binary()) {
    auto bytes = base64_decode(text);
    if (!bytes) {
      return invalid("'" + std::string(argument) + "': a Binary value must be base64");
    }
    value.binary_value = std::move(*bytes);
  } else {
    value.string_value = std::string(text);
  }
  return std::pair{std::string(argument.substr(0, eq)), std::move(value)};
}

sqs::Result<sqs::MessageAttributes> parse_message_attributes(
    const std::vector<std::string>& arguments) {
  sqs::MessageAttributes out;
  for (const auto& argument : arguments) {
    auto attribute = parse_message_attribute(argument);
    if (!attribute) return std::move(attribute).error();
    if (!out.emplace(std::move(attribute->first), std::move(attribute->second)).second) {
      return invalid("'" + argument + "': the attribute name is given twice");
    }
  }
  return out;
}

}  // namespace sqsctl

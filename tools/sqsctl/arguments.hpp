// Parsing of the KEY=VALUE and NAME=TYPE:VALUE command-line arguments.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqsctl {

// "KEY=VALUE" (the value may be empty and may hold '='), e.g. a queue attribute.
sqs::Result<std::pair<std::string, std::string>> parse_key_value(std::string_view argument);

// Every "KEY=VALUE" of `arguments`; a repeated key is an error.
sqs::Result<sqs::StringMap> parse_key_values(const std::vector<std::string>& arguments);

// "NAME=TYPE:VALUE", a message attribute: TYPE is String, Number or Binary, optionally with a
// custom suffix (Number.int, Binary.gif); a Binary VALUE is base64.
sqs::Result<std::pair<std::string, sqs::MessageAttributeValue>> parse_message_attribute(
    std::string_view argument);

sqs::Result<sqs::MessageAttributes> parse_message_attributes(
    const std::vector<std::string>& arguments);

}  // namespace sqsctl

// MD5 checks of SQS: body, message attributes and message system attributes, on send and on
// receive. A mismatch is an Error of kind `checksum`, never silently accepted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqs::protocol {

// Lower-case hex MD5 of the bytes.
std::string md5_hex(std::string_view data);

// MD5OfMessageAttributes as SQS computes it: names sorted; for each: 4-byte big-endian length +
// name, 4-byte length + data type, transport byte (1 String/Number, 2 Binary), 4-byte length +
// value bytes; hex MD5 of the whole. Empty string for an empty map.
std::string md5_of_message_attributes(const MessageAttributes& attributes);

// Checks an answer of SendMessage against its request (body; attributes and system attributes
// when the request had any).
std::optional<Error> verify(const SendMessageRequest& request, const SendMessageResult& result);
std::optional<Error> verify(const SendMessageBatchRequestEntry& request,
                            const SendMessageBatchResultEntry& result);
// Checks a received message: MD5OfBody against the body; MD5OfMessageAttributes against the
// returned attributes when any were returned.
std::optional<Error> verify(const Message& message);

}  // namespace sqs::protocol

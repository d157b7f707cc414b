// MD5 checks of SQS: body, message attributes and message system attributes, on send and on
// receive. A mismatch is an Error of kind `checksum`, never silently accepted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqs::protocol {

// Error::code of every checksum mismatch; Error::message names the MD5 (MD5OfMessageBody,
// MD5OfMessageAttributes, MD5OfMessageSystemAttributes, MD5OfBody), the message id and both
// digests.
inline constexpr std::string_view kMd5MismatchCode = "MD5Mismatch";

// Lower-case hex MD5 of the bytes.
std::string md5_hex(std::string_view data);

// MD5OfMessageAttributes as SQS computes it: names sorted; for each: 4-byte big-endian length +
// name, 4-byte length + data type, transport byte (1 String/Number, 2 Binary), 4-byte length +
// value bytes; hex MD5 of the whole. Empty string for an empty map. Also gives
// MD5OfMessageSystemAttributes when applied to the system attributes.
std::string md5_of_message_attributes(const MessageAttributes& attributes);

// Checks an answer of SendMessage against its request: the body MD5 always; the attribute MD5
// when the request had attributes (an answer without it is a mismatch); the system-attribute
// MD5 when the request had system attributes and the answer carries it (some SQS-compatible
// servers omit it).
std::optional<Error> verify(const SendMessageRequest& request, const SendMessageResult& result);
std::optional<Error> verify(const SendMessageBatchRequestEntry& request,
                            const SendMessageBatchResultEntry& result);

// Checks every successful entry of a SendMessageBatch answer against the request entry with the
// same Id. An entry whose MD5s do not match is moved from `successful` to `failed` (code
// kMd5MismatchCode, SenderFault false), so the caller sees it as one failed entry of the batch.
// Returns an Error (kind protocol) only when the answer names an Id the request does not have.
std::optional<Error> verify(const SendMessageBatchRequest& request, SendMessageBatchResult& result);

// Checks a received message: MD5OfBody against the body; MD5OfMessageAttributes against the
// returned attributes when any were returned (their MD5 missing is a mismatch).
std::optional<Error> verify(const Message& message);
// The first mismatch among the received messages, if any.
std::optional<Error> verify(const ReceiveMessageResult& result);

}  // namespace sqs::protocol

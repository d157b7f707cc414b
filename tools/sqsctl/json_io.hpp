// The JSON sqsctl reads and prints: one compact object per line (JSON Lines), messages and
// message attributes in the shape of the SQS API, Binary values as base64.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqsctl {

// Writes `value` on one line of stdout.
void print_json_line(const boost::json::value& value);

// {"DataType":"String","StringValue":"v"} / {"DataType":"Binary","BinaryValue":"<base64>"}
boost::json::object attribute_to_json(const sqs::MessageAttributeValue& value);
boost::json::object attributes_to_json(const sqs::MessageAttributes& attributes);
boost::json::object string_map_to_json(const sqs::StringMap& map);

// {"MessageId","ReceiptHandle","Body","MD5OfBody","Attributes","MessageAttributes"}
boost::json::object message_to_json(const sqs::Message& message);

// {"Code","Message","SenderFault"} (+ "MaybeSent":true when the entry may have been sent
// anyway: sqs::Error::maybe_processed): one failed entry of a batch, or a failed call.
boost::json::object error_to_json(const std::string& code, const std::string& message,
                                  bool sender_fault, bool maybe_sent = false);

// Reads the attribute shape above back; an error (kind validation) says what is wrong, with
// `where` (e.g. MessageAttributes.color) in front.
sqs::Result<sqs::MessageAttributeValue> attribute_from_json(const boost::json::value& json,
                                                            const std::string& where);

}  // namespace sqsctl

#include "json_io.hpp"

#include <boost/json/serialize.hpp>
#include <iostream>

#include "base64.hpp"

namespace sqsctl {

namespace json = boost::json;

void print_json_line(const json::value& value) {
  std::cout << json::serialize(value) << '\n';
}

json::object attribute_to_json(const sqs::MessageAttributeValue& value) {
  json::object out;
  out["DataType"] = value.data_type;
  if (value.is_binary()) {
    out["BinaryValue"] = base64_encode(value.binary_value);
  } else {
    out["StringValue"] = value.string_value;
  }
  return out;
}

json::object attributes_to_json(const sqs::MessageAttributes& attributes) {
  json::object out;
  for (const auto& [name, value] : attributes) out[name] = attribute_to_json(value);
  return out;
}

json::object string_map_to_json(const sqs::StringMap& map) {
  json::object out;
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

json::object message_to_json(const sqs::Message& message) {
  json::object out;
  out["MessageId"] = message.message_id;
  out["ReceiptHandle"] = message.receipt_handle;
  out["Body"] = message.body;
  out["MD5OfBody"] = message.md5_of_body;
  out["Attributes"] = string_map_to_json(message.attributes);
  out["MessageAttributes"] = attributes_to_json(message.message_attributes);
  return out;
}

json::object error_to_json(const std::string& code, const std::string& message, bool sender_fault,
                           bool maybe_sent) {
  json::object out;
  out["Code"] = code;
  out["Message"] = message;
  out["SenderFault"] = sender_fault;
  if (maybe_sent) out["MaybeSent"] = true;
  return out;
}

sqs::Result<sqs::MessageAttributeValue> attribute_from_json(const json::value& value,
                                                            const std::string& where) {
  auto invalid = [&](const std::string& what) {
    return sqs::Error::validation("InvalidInput", where + ": " + what);
  };
  const json::object* obj = value.if_object();
  if (obj == nullptr) {
    return invalid(R"(must be an object {"DataType":..., "StringValue"|"BinaryValue":...})");
  }
  sqs::MessageAttributeValue out;
  const json::string* string_value = nullptr;
  const json::string* binary_value = nullptr;
  bool has_type = false;
  for (const auto& field : *obj) {
    const json::string* s = field.value().if_string();
    if (field.key() == "DataType") {
      if (s == nullptr) return invalid("DataType must be a string");
      out.data_type = std::string(*s);
      has_type = true;
    } else if (field.key() == "StringValue") {
      if (s == nullptr) return invalid("StringValue must be a string");
      string_value = s;
    } else if (field.key() == "BinaryValue") {
      if (s == nullptr) return invalid("BinaryValue must be a base64 string");
      binary_value = s;
    } else {
      return invalid("unknown field \"" + std::string(field.key()) +
                     "\" (expected DataType, StringValue or BinaryValue)");
    }
  }
  if (!has_type) return invalid("DataType is missing");
  if ((string_value != nullptr) == (binary_value != nullptr)) {
    return invalid("give exactly one of StringValue and BinaryValue");
  }
  if (out.is_binary() != (binary_value != nullptr)) {
    return invalid(out.is_binary() ? "a Binary attribute takes BinaryValue (base64)"
                                   : "a " + out.data_type + " attribute takes StringValue");
  }
  if (binary_value != nullptr) {
    auto bytes = base64_decode(*binary_value);
    if (!bytes) return invalid("BinaryValue is not valid base64");
    out.binary_value = std::move(*bytes);
  } else {
    out.string_value = std::string(*string_value);
  }
  return out;
}

}  // namespace sqsctl

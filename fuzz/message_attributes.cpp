// Fuzz target: the message validator (client::validate_message_attributes, validate_body and
// validate(SendMessageRequest / SendMessageBatchRequest)) with messages built from the input:
// attribute names, data types ("String", "Number.x", "Binary", anything), values (Number rules
// included), the body, the AWSTraceHeader system attribute, group and deduplication ids, delay.
// DIFFERENTIAL: a reference validator of the attribute rules (DESIGN.md §2), written here
// independently, must accept and refuse the same attributes with the same error code.
// Invariants: nothing throws; a message that passes validation encodes (protocol::encode) to
// valid JSON — strict UTF-8, as any JSON parser wants — that carries the same body and attributes
// back, within the size limit.
#include <fuzzer/FuzzedDataProvider.h>

#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/validation.hpp"
#include "fuzz_common.hpp"
#include "protocol/base64.hpp"
#include "protocol/codec.hpp"

namespace {

using sqs::MessageAttributes;
using sqs::MessageAttributeValue;

bool ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool ascii_alnum(char c) {
  return ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// SQS's Number: [+-] digits with at most one '.', at least one digit, then optionally
// e|E [+-] digits; at most 38 significant digits (leading and trailing zeros do not count);
// unless zero, the first significant digit's power of ten within -128..+126.
bool reference_number_ok(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string mantissa;  // digits only
  long long point = -1;  // digits before the '.', when there is one
  for (; i < s.size() && (ascii_digit(s[i]) || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      if (point >= 0) return false;
      point = static_cast<long long>(mantissa.size());
    } else {
      mantissa += s[i];
    }
  }
  if (mantissa.empty()) return false;
  if (point < 0) point = static_cast<long long>(mantissa.size());
  long long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < s.size() && ascii_digit(s[i])) ++i;
    if (i == start) return false;
    std::string_view digits = s.substr(start, i - start);
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    exponent = digits.size() > 9 ? 1'000'000'000LL : std::stoll(std::string(digits));
    if (negative) exponent = -exponent;
  }
  if (i != s.size()) return false;
  const auto first = mantissa.find_first_not_of('0');
  if (first == std::string::npos) return true;  // zero, whatever its exponent
  const auto last = mantissa.find_last_not_of('0');
  if (last - first + 1 > 38) return false;
  const long long magnitude = point - static_cast<long long>(first) - 1 + exponent;
  return magnitude >= -128 && magnitude <= 126;
}

bool reference_text_ok(std::string_view s) {
  bool not_utf8 = false;
  return sqs_fuzz::first_refused(s, not_utf8) == std::string_view::npos;
}

// The error code the rules give one attribute, empty when it is fine.
std::string reference_attribute(const std::string& name, const MessageAttributeValue& v) {
  bool name_ok = !name.empty() && name.size() <= 256 && name.front() != '.' && name.back() != '.' &&
                 name.find("..") == std::string::npos;
  for (char c : name) name_ok = name_ok && (ascii_alnum(c) || c == '_' || c == '-' || c == '.');
  std::string head = name.substr(0, 7);
  for (char& c : head) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (head.starts_with("aws.") || head.starts_with("amazon.")) name_ok = false;
  if (!name_ok) return "InvalidAttributeName";

  const std::string& t = v.data_type;
  const auto dot = t.find('.');
  const std::string base = t.substr(0, dot);
  const bool type_ok = (base == "String" || base == "Number" || base == "Binary") &&
                       t.size() <= 256 && (dot == std::string::npos || dot + 1 < t.size()) &&
                       reference_text_ok(t);  // a custom suffix: the body's characters
  if (!type_ok) return "InvalidAttributeDataType";

  if (base == "Binary") return v.binary_value.empty() ? "InvalidAttributeValue" : "";
  if (v.string_value.empty()) return "InvalidAttributeValue";
  if (base == "Number" && !reference_number_ok(v.string_value)) return "InvalidAttributeValue";
  if (!reference_text_ok(v.string_value)) return "InvalidAttributeValue";
  return "";
}

std::string reference_attributes(const MessageAttributes& attributes) {
  if (attributes.size() > 10) return "TooManyMessageAttributes";
  for (const auto& [name, v] : attributes) {
    if (std::string code = reference_attribute(name, v); !code.empty()) return code;
  }
  return "";
}

std::string pick_type(FuzzedDataProvider& in) {
  static constexpr const char* kTypes[] = {"String", "Number", "Binary", "String.", "Number.int"};
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0:
      return kTypes[in.ConsumeIntegralInRange<std::size_t>(0, 4)];
    case 1:
      return std::string(kTypes[in.ConsumeIntegralInRange<std::size_t>(0, 2)]) + "." +
             in.ConsumeRandomLengthString(300);
    default:
      return in.ConsumeRandomLengthString(300);
  }
}

MessageAttributes make_attributes(FuzzedDataProvider& in) {
  MessageAttributes out;
  const int n = in.ConsumeIntegralInRange(0, 12);
  for (int i = 0; i < n; ++i) {
    std::string name = in.ConsumeRandomLengthString(300);
    MessageAttributeValue v;
    v.data_type = pick_type(in);
    std::string value = in.ConsumeRandomLengthString(400);
    if (v.is_binary()) {
      v.binary_value = std::move(value);
    } else {
      v.string_value = std::move(value);
    }
    out.insert_or_assign(std::move(name), std::move(v));
  }
  return out;
}

// The encoded request parses as JSON and carries the message back.
template <class Entry>
void check_encoded(const boost::json::object& m, const Entry& e) {
  FUZZ_CHECK(m.at("MessageBody").as_string() == e.message_body);
  if (e.message_attributes.empty()) return;
  const auto& attributes = m.at("MessageAttributes").as_object();
  FUZZ_CHECK(attributes.size() == e.message_attributes.size());
  for (const auto& [name, v] : e.message_attributes) {
    const auto& a = attributes.at(name).as_object();
    FUZZ_CHECK(a.at("DataType").as_string() == v.data_type);
    if (v.is_binary()) {
      std::string bytes;
      FUZZ_CHECK(sqs::protocol::base64_decode(a.at("BinaryValue").as_string(), bytes));
      FUZZ_CHECK(bytes == v.binary_value);
    } else {
      FUZZ_CHECK(a.at("StringValue").as_string() == v.string_value);
    }
  }
}

boost::json::value parse_encoded(const std::string& json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  FUZZ_CHECK_MSG(!ec, "a valid request encodes to invalid JSON (" + ec.message() +
                          "): " + json.substr(0, 300));
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  sqs_fuzz::no_exception(__FILE__, [&] {
    const auto flags = in.ConsumeIntegral<std::uint8_t>();
    sqs::SendMessageRequest r;
    const bool fifo = (flags & 1) != 0;
    r.queue_url = fifo ? "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo"
                       : "https://sqs.us-east-1.amazonaws.com/123456789012/q";
    r.message_attributes = make_attributes(in);
    if ((flags & 2) != 0) r.message_group_id = in.ConsumeRandomLengthString(200);
    if ((flags & 4) != 0) r.message_deduplication_id = in.ConsumeRandomLengthString(200);
    if ((flags & 8) != 0) r.delay_seconds = in.ConsumeIntegralInRange(-2, 1000);
    if ((flags & 16) != 0) {
      std::string name = (flags & 32) != 0 ? in.ConsumeRandomLengthString(40) : "AWSTraceHeader";
      r.message_system_attributes[std::move(name)] = {
          (flags & 64) != 0 ? in.ConsumeRandomLengthString(20) : "String",
          in.ConsumeRandomLengthString(300),
          {}};
    }
    sqs::client::Limits limits;
    if ((flags & 128) != 0) limits.max_message_bytes = in.ConsumeIntegralInRange(0, 2048);
    r.message_body = in.ConsumeRemainingBytesAsString();

    // The attribute rules, differentially.
    const auto checked = sqs::client::validate_message_attributes(r.message_attributes);
    const std::string expected = reference_attributes(r.message_attributes);
    FUZZ_CHECK_MSG(
        checked.has_value() == !expected.empty(),
        checked ? checked->code + ": " + checked->message : "accepted; expected " + expected);
    if (checked) {
      FUZZ_CHECK(checked->kind == sqs::ErrorKind::validation);
      FUZZ_CHECK_MSG(checked->code == expected, checked->code + " vs " + expected);
    }

    // The whole message: what passes must encode to valid JSON.
    const auto whole = sqs::client::validate(r, limits);
    if (whole) {
      FUZZ_CHECK(whole->kind == sqs::ErrorKind::validation && !whole->code.empty());
      return;
    }
    FUZZ_CHECK(!checked);
    FUZZ_CHECK(reference_text_ok(r.message_body) && !r.message_body.empty());
    FUZZ_CHECK(sqs::client::message_size(r.message_body, r.message_attributes) <=
               limits.max_message_bytes);
    std::string json;
    sqs::protocol::encode(r, json);
    check_encoded(parse_encoded(json).as_object(), r);  // (the value lives to the end of this)

    // The same message three times in a batch.
    sqs::SendMessageBatchRequest batch;
    batch.queue_url = r.queue_url;
    for (const char* id : {"a", "b-1", "C_2"}) {
      batch.entries.push_back({id, r.message_body, r.delay_seconds, r.message_attributes,
                               r.message_system_attributes, r.message_deduplication_id,
                               r.message_group_id});
    }
    const auto batch_check = sqs::client::validate(batch, limits);
    if (batch_check) {
      FUZZ_CHECK_MSG(batch_check->code == "BatchRequestTooLong", batch_check->code);
      return;
    }
    json.clear();
    sqs::protocol::encode(batch, json);
    const boost::json::value encoded = parse_encoded(json);
    const auto& entries = encoded.at("Entries").as_array();
    FUZZ_CHECK(entries.size() == 3);
    for (const auto& entry : entries) check_encoded(entry.as_object(), r);
  });
  return 0;
}

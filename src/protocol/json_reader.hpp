// Reading SQS answers with Boost.JSON: parse into a DOM held in a monotonic arena (per-thread,
// reused: no heap allocation for typical answers), then copy members into our value types with
// tolerant accessors (SQS sometimes sends numbers as strings).
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqs::protocol::detail {

namespace json = boost::json;

// Error codes of answers that cannot be understood (Error kind `protocol`).
inline constexpr std::string_view kInvalidJson = "InvalidJson";
inline constexpr std::string_view kMissingField = "MissingField";
inline constexpr std::string_view kInvalidField = "InvalidField";

// A parsed answer. Its values point into an arena that lives as long as this object.
class ParsedJson {
 public:
  ParsedJson();
  ~ParsedJson();
  ParsedJson(const ParsedJson&) = delete;
  ParsedJson& operator=(const ParsedJson&) = delete;

  // False (with a reason) on malformed JSON.
  bool parse(std::string_view text, std::string& reason);
  // Precondition: parse() returned true.
  const json::value& value() const { return *value_; }

 private:
  bool owns_scratch_ = false;  // this thread's reusable arena buffer is ours
  std::optional<json::monotonic_resource> arena_;
  // Move-constructed from the parser, so it keeps the arena as its storage (assignment would
  // copy into the default heap storage).
  std::optional<json::value> value_;
};

// Copies members of JSON objects into C++ fields, remembering the first problem. Absent and
// null members are the same thing to SQS: both leave the field untouched.
class Reader {
 public:
  explicit Reader(std::string_view action) : action_(action) {}

  bool ok() const noexcept { return code_.empty(); }
  Result<Empty> result() const;

  // Names the object being read in error messages, e.g. "Messages[]".
  void set_context(std::string_view context) { context_ = context; }

  void required_string(const json::object& o, std::string_view key, std::string& out);
  void string(const json::object& o, std::string_view key, std::string& out);
  void string(const json::object& o, std::string_view key, std::optional<std::string>& out);
  // Integers accept JSON numbers and numeric strings.
  void integer(const json::object& o, std::string_view key, std::int64_t& out);
  void integer(const json::object& o, std::string_view key, std::optional<std::int64_t>& out);
  void integer(const json::object& o, std::string_view key, std::optional<int>& out);
  // Booleans accept true/false and "true"/"false".
  void required_boolean(const json::object& o, std::string_view key, bool& out);
  // Scalar values that are not strings are kept as their JSON text.
  void string_map(const json::object& o, std::string_view key, StringMap& out);
  void string_list(const json::object& o, std::string_view key, std::vector<std::string>& out);
  // The array member, or nullptr when absent (or not an array: then an error is recorded).
  const json::array* array(const json::object& o, std::string_view key);
  // The value as an object, or nullptr (and an error) when it is not one.
  const json::object* object(const json::value& v, std::string_view what);

  void fail(std::string_view code, std::string message);
  void missing(std::string_view key);
  void invalid(std::string_view key, std::string_view expected);

 private:
  std::string_view action_;
  std::string_view context_;
  std::string_view code_;
  std::string message_;
};

// The member, or nullptr when absent or null.
inline const json::value* member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

// Parses `body` as a JSON object and hands it to fill(object, reader).
template <class Fill>
Result<Empty> decode_object(std::string_view body, std::string_view action, Fill&& fill) {
  ParsedJson parsed;
  std::string reason;
  Reader reader(action);
  if (!parsed.parse(body, reason)) {
    reader.fail(kInvalidJson, std::move(reason));
  } else if (!parsed.value().is_object()) {
    reader.fail(kInvalidJson, "the answer is not a JSON object");
  } else {
    fill(parsed.value().get_object(), reader);
  }
  return reader.result();
}

}  // namespace sqs::protocol::detail

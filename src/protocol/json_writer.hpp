// Hand-written JSON output for request bodies: appending to a std::string the caller reuses is
// several times cheaper than building a boost::json::value and serializing it.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace sqs::protocol::detail {

// Appends `s` as a JSON string literal (quotes included). Quotes, backslashes and control
// characters are escaped; every other byte, multi-byte UTF-8 included, is copied as is.
void append_json_string(std::string& out, std::string_view s);

// Writes one JSON object member by member; keys given as literals need no escaping (every SQS
// member name is plain ASCII), while map keys coming from users go through `escaped_key`.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  // `"key":` with the separating comma when needed.
  void key(std::string_view literal_key) {
    separate();
    out_.push_back('"');
    out_.append(literal_key);
    out_.append("\":", 2);
  }
  void escaped_key(std::string_view user_key) {
    separate();
    append_json_string(out_, user_key);
    out_.push_back(':');
  }

  void string(std::string_view literal_key, std::string_view value) {
    key(literal_key);
    append_json_string(out_, value);
  }
  void integer(std::string_view literal_key, std::int64_t value) {
    key(literal_key);
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    (void)ec;  // 24 chars always fit an int64
    out_.append(buf, end);
  }

  void close() { out_.push_back('}'); }
  std::string& out() { return out_; }

 private:
  void separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace sqs::protocol::detail

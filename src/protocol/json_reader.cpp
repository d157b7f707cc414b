#include "protocol/json_reader.hpp"

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <memory>

namespace sqs::protocol::detail {
namespace {

// Per-thread parser and arena buffer, reused across answers: after the first answer, decoding a
// typical one allocates nothing but the strings of the result. A nested parse on the same thread
// (not done today) would simply fall back to fresh ones.
struct Scratch {
  static constexpr std::size_t kArenaSize = 64 * 1024;
  std::unique_ptr<unsigned char[]> arena{new unsigned char[kArenaSize]};
  json::parser parser;
  bool in_use = false;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

bool parse_integer(const json::value& v, std::int64_t& out) {
  switch (v.kind()) {
    case json::kind::int64:
      out = v.get_int64();
      return true;
    case json::kind::uint64:
      if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return false;
      out = static_cast<std::int64_t>(v.get_uint64());
      return true;
    case json::kind::double_: {
      const double d = v.get_double();
      if (!(d >= -9.2e18 && d <= 9.2e18) ||
          d != static_cast<double>(static_cast<std::int64_t>(d))) {
        return false;
      }
      out = static_cast<std::int64_t>(d);
      return true;
    }
    case json::kind::string: {
      const json::string& s = v.get_string();
      const char* end = s.data() + s.size();
      auto [p, ec] = std::from_chars(s.data(), end, out);
      return ec == std::errc() && p == end && !s.empty();
    }
    default:
      return false;
  }
}

}  // namespace

ParsedJson::ParsedJson() {
  Scratch& s = scratch();
  owns_scratch_ = !s.in_use;
  if (owns_scratch_) {
    s.in_use = true;
    arena_.emplace(s.arena.get(), Scratch::kArenaSize);
  } else {
    arena_.emplace();
  }
}

ParsedJson::~ParsedJson() {
  value_.reset();  // the value lives in the arena: destroy it first
  arena_.reset();
  if (owns_scratch_) scratch().in_use = false;
}

bool ParsedJson::parse(std::string_view text, std::string& reason) {
  json::monotonic_resource* arena = &*arena_;
  boost::system::error_code ec;
  if (owns_scratch_) {
    json::parser& p = scratch().parser;
    p.reset(json::storage_ptr(arena));
    p.write(text.data(), text.size(), ec);
    if (!ec) value_.emplace(p.release());
    p.reset();  // drop the parser's reference to the arena
  } else {
    json::parser p{json::storage_ptr(arena)};
    p.write(text.data(), text.size(), ec);
    if (!ec) value_.emplace(p.release());
  }
  if (ec) {
    reason = "malformed JSON: " + ec.message();
    return false;
  }
  return true;
}

Result<Empty> Reader::result() const {
  if (ok()) return Empty{};
  return Error::make(ErrorKind::protocol, std::string(code_), message_);
}

void Reader::fail(std::string_view code, std::string message) {
  if (!ok()) return;  // the first problem is the interesting one
  code_ = code;
  message_.reserve(action_.size() + message.size() + 16);
  message_.append(action_).append(" answer: ").append(message);
}

void Reader::missing(std::string_view key) {
  if (!ok()) return;
  std::string m = "missing member ";
  m.append(key);
  if (!context_.empty()) m.append(" in ").append(context_);
  fail(kMissingField, std::move(m));
}

void Reader::invalid(std::string_view key, std::string_view expected) {
  if (!ok()) return;
  std::string m = "member ";
  m.append(key);
  if (!context_.empty()) m.append(" in ").append(context_);
  m.append(" is not ").append(expected);
  fail(kInvalidField, std::move(m));
}

void Reader::required_string(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return missing(key);
  if (!v->is_string()) return invalid(key, "a string");
  out.assign(v->get_string().data(), v->get_string().size());
}

void Reader::string(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return;
  if (!v->is_string()) return invalid(key, "a string");
  out.assign(v->get_string().data(), v->get_string().size());
}

void Reader::string(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return;
  if (!v->is_string()) return invalid(key, "a string");
  out.emplace(v->get_string().data(), v->get_string().size());
}

void Reader::integer(const json::object& o, std::string_view key, std::int64_t& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return;
  if (!parse_integer(*v, out)) invalid(key, "an integer");
}

void Reader::integer(const json::object& o, std::string_view key,
                     std::optional<std::int64_t>& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return;
  std::int64_t n = 0;
  if (!parse_integer(*v, n)) return invalid(key, "an integer");
  out = n;
}

void Reader::integer(const json::object& o, std::string_view key, std::optional<int>& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return;
  std::int64_t n = 0;
  if (!parse_integer(*v, n) || n < INT32_MIN || n > INT32_MAX) return invalid(key, "an int");
  out = static_cast<int>(n);
}

void Reader::required_boolean(const json::object& o, std::string_view key, bool& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return missing(key);
  if (v->is_bool()) {
    out = v->get_bool();
  } else if (v->is_string() && (v->get_string() == "true" || v->get_string() == "false")) {
    out = v->get_string() == "true";
  } else {
    invalid(key, "a boolean");
  }
}

void Reader::string_map(const json::object& o, std::string_view key, StringMap& out) {
  const json::value* v = member(o, key);
  if (v == nullptr) return;
  if (!v->is_object()) return invalid(key, "an object");
  for (const auto& kv : v->get_object()) {
    std::string value;
    if (kv.value().is_string()) {
      value.assign(kv.value().get_string().data(), kv.value().get_string().size());
    } else if (kv.value().is_primitive()) {
      value = json::serialize(kv.value());
    } else {
      return invalid(key, "a map of strings");
    }
    out.insert_or_assign(std::string(kv.key()), std::move(value));
  }
}

void Reader::string_list(const json::object& o, std::string_view key,
                         std::vector<std::string>& out) {
  const json::array* a = array(o, key);
  if (a == nullptr) return;
  out.reserve(out.size() + a->size());
  for (const json::value& item : *a) {
    if (!item.is_string()) return invalid(key, "a list of strings");
    out.emplace_back(item.get_string().data(), item.get_string().size());
  }
}

const json::array* Reader::array(const json::object& o, std::string_view key) {
  const json::value* v = member(o, key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    invalid(key, "an array");
    return nullptr;
  }
  return &v->get_array();
}

const json::object* Reader::object(const json::value& v, std::string_view what) {
  if (v.is_object()) return &v.get_object();
  invalid(what, "an object");
  return nullptr;
}

}  // namespace sqs::protocol::detail

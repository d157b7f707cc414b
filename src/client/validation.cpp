#include "client/validation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "http/types.hpp"

namespace sqs::client {
namespace {

Error invalid(std::string rule, std::string message) {
  return Error::validation(std::move(rule), std::move(message));
}

// Shows a user value in an error message: quoted, cut when long.
std::string show(std::string_view v) {
  constexpr std::size_t max = 64;
  std::string s = "\"";
  s.append(v.substr(0, max));
  if (v.size() > max) s += "...";
  s += "\" (" + std::to_string(v.size()) + " chars)";
  return s;
}

std::string prefixed(std::string_view where, std::string message) {
  if (where.empty()) return message;
  return std::string(where) + ": " + message;
}

Check range(std::string_view where, const char* name, const char* rule, std::optional<int> v,
            int lo, int hi) {
  if (v && (*v < lo || *v > hi)) {
    return invalid(rule,
                   prefixed(where, std::string(name) + " must be " + std::to_string(lo) + ".." +
                                       std::to_string(hi) + ", got " + std::to_string(*v)));
  }
  return std::nullopt;
}

// An explicit port, if any, is a port number (an empty one means the default).
bool port_ok(std::string_view digits) {
  return digits.empty() || http::parse_port(digits).has_value();
}

// A queue URL is what SQS returned: http(s)://host[:port]/ACCOUNT/NAME. The request goes to the
// client's endpoint whatever host the URL names, so a URL that is not one (no host, spaces,
// control characters, user info, a query) would only come back as the server's puzzling error,
// or be taken for another queue: refuse it here. The fast path parses without allocating (this
// runs on every call); the message is built only on failure, and never shows user info.
Check require_url(const std::string& url) {
  if (url.empty()) return invalid("MissingQueueUrl", "QueueUrl is required");
  namespace urls = boost::urls;
  if (auto u = urls::parse_absolute_uri(url);
      u && (u->scheme_id() == urls::scheme::http || u->scheme_id() == urls::scheme::https) &&
      !u->has_userinfo() && !u->has_query() && !u->has_fragment() && !u->host().empty() &&
      u->encoded_path().size() > 1 && u->encoded_path().front() == '/' &&
      u->encoded_path().back() != '/' && port_ok(u->port())) {
    return std::nullopt;
  }
  std::string why;
  if (!http::Endpoint::parse(url, &why)) {
    return invalid("InvalidAddress", "QueueUrl is not a queue URL: " + why);
  }
  // A usable origin without a queue name after it. (Its path may still hold what was meant as
  // user info: "http://u/pw@h/" has host "u". Shown redacted, as every URL error.)
  return invalid("InvalidAddress", "QueueUrl " + http::redacted_url(url) +
                                       " names no queue (expected http(s)://host/ACCOUNT/NAME)");
}

// Decodes one UTF-8 code point at s[i]; returns its length, 0 when invalid.
std::size_t utf8_next(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len;
  if (b < 0x80) {
    cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    cp = b & 0x1F;
    len = 2;
  } else if ((b & 0xF0) == 0xE0) {
    cp = b & 0x0F;
    len = 3;
  } else if ((b & 0xF8) == 0xF0) {
    cp = b & 0x07;
    len = 4;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Characters SQS allows in bodies and String values.
bool sqs_allowed(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// True when the 8 bytes of `w` are all printable ASCII (0x20..0x7F): no byte has its high bit
// set and none is below 0x20 (the "has a byte less than n" bit trick; exact as a yes/no answer).
bool printable_ascii(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  return ((w | (w - kOnes * 0x20)) & kHigh) == 0;
}

// Runs on every byte of every body sent (twice per message: Queue and Client both validate), so
// it skips printable ASCII eight bytes at a time and decodes UTF-8 only where needed.
Check validate_text(std::string_view text, const char* rule, std::string_view what) {
  for (std::size_t i = 0; i < text.size();) {
    for (std::uint64_t w; i + 8 <= text.size(); i += 8) {
      std::memcpy(&w, text.data() + i, 8);
      if (!printable_ascii(w)) break;
    }
    if (i == text.size()) break;
    char32_t cp = 0;
    std::size_t n = utf8_next(text, i, cp);
    if (n == 0) {
      return invalid(rule, std::string(what) + " is not valid UTF-8 at byte " + std::to_string(i));
    }
    if (!sqs_allowed(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
      return invalid(rule, std::string(what) + " contains the character " + buf + " at byte " +
                               std::to_string(i) +
                               ", which SQS does not allow (allowed: #x9 #xA #xD #x20-#xD7FF "
                               "#xE000-#xFFFD #x10000-#x10FFFF)");
    }
    i += n;
  }
  return std::nullopt;
}

bool is_id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// MessageGroupId / MessageDeduplicationId: 1..128 chars of alphanumerics and punctuation.
Check validate_token(std::string_view where, const char* field,
                     const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  if (v->empty() || v->size() > 128) {
    return invalid(
        std::string("Invalid") + field,
        prefixed(where, std::string(field) + " must be 1..128 characters, got " + show(*v)));
  }
  for (char c : *v) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::ispunct(static_cast<unsigned char>(c)))) {
      return invalid(std::string("Invalid") + field,
                     prefixed(where, std::string(field) +
                                         " may contain only letters, digits and punctuation, got " +
                                         show(*v)));
    }
  }
  return std::nullopt;
}

Check validate_batch_ids(const std::vector<std::string>& ids) {
  if (ids.empty()) return invalid("EmptyBatchRequest", "a batch needs at least one entry");
  if (ids.size() > 10) {
    return invalid("TooManyEntriesInBatchRequest",
                   "a batch takes at most 10 entries, got " + std::to_string(ids.size()));
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& id = ids[i];
    if (id.empty() || id.size() > 80 ||
        !std::all_of(id.begin(), id.end(), [](char c) { return is_id_char(c); })) {
      return invalid("InvalidBatchEntryId",
                     "entry " + std::to_string(i) +
                         ": Id must be 1..80 characters of A-Z a-z 0-9 - _, got " + show(id));
    }
    if (!seen.insert(id).second) {
      return invalid("BatchEntryIdsNotDistinct",
                     "entry " + std::to_string(i) + ": Id " + show(id) + " is used twice");
    }
  }
  return std::nullopt;
}

// A Number attribute as SQS takes it: [+-]digits[.digits][e[+-]digits] (or [+-].digits), with
// at most 38 significant digits (leading and trailing zeros aside) and, unless it is zero, a
// magnitude from 10^-128 to 10^+126. Empty when it is fine, else what is wrong.
std::string number_problem(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string digits;  // integer part then fraction, as written
  std::int64_t fraction = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) digits += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits += s[i++];
      ++fraction;
    }
  }
  if (digits.empty()) return "not a number";
  std::int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    std::size_t exponent_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      // Saturated: anything past a million is out of range anyway.
      exponent = std::min<std::int64_t>(exponent * 10 + (s[i++] - '0'), 1'000'000);
      ++exponent_digits;
    }
    if (exponent_digits == 0) return "not a number";
    if (negative) exponent = -exponent;
  }
  if (i != s.size()) return "not a number";
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {};  // zero
  const auto last = digits.find_last_not_of('0');
  if (last - first + 1 > 38) return "more than 38 significant digits";
  // The value is digits x 10^(exponent - fraction): its order of magnitude is that of its
  // first significant digit.
  const std::int64_t magnitude =
      static_cast<std::int64_t>(digits.size() - first - 1) + exponent - fraction;
  if (magnitude > 126 || magnitude < -128) return "magnitude outside 10^-128 .. 10^+126";
  return {};
}

Check validate_attribute(const std::string& name, const MessageAttributeValue& v,
                         std::string_view what) {
  std::string where = std::string(what) + " " + show(name);
  if (name.empty() || name.size() > 256) {
    return invalid("InvalidAttributeName", where + ": a name must be 1..256 characters");
  }
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      return invalid("InvalidAttributeName", where + ": a name may contain only A-Z a-z 0-9 _ - .");
    }
  }
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) {
    return invalid("InvalidAttributeName",
                   where + ": a name may not start or end with '.' or contain '..'");
  }
  auto lower = name.substr(0, 7);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("aws.", 0) == 0 || lower.rfind("amazon.", 0) == 0) {
    return invalid("InvalidAttributeName",
                   where + ": names starting with 'AWS.' or 'Amazon.' are reserved");
  }
  const std::string& t = v.data_type;
  auto base = t.substr(0, t.find('.'));
  if (base != "String" && base != "Number" && base != "Binary") {
    return invalid("InvalidAttributeDataType",
                   where +
                       ": DataType must be String, Number or Binary (optionally with a "
                       ".suffix), got " +
                       show(t));
  }
  if (t.size() > 256 || (t.size() > base.size() && t.size() == base.size() + 1)) {
    return invalid("InvalidAttributeDataType", where + ": bad DataType " + show(t));
  }
  // The custom suffix has the body's character rules: it goes into the JSON as it is.
  if (auto e = validate_text(t, "InvalidAttributeDataType", where + ": DataType")) return e;
  if (base == "Binary") {
    if (v.binary_value.empty()) {
      return invalid("InvalidAttributeValue", where + ": a Binary value may not be empty");
    }
  } else {
    if (v.string_value.empty()) {
      return invalid("InvalidAttributeValue", where + ": a " + base + " value may not be empty");
    }
    if (base == "Number") {
      if (auto problem = number_problem(v.string_value); !problem.empty()) {
        return invalid("InvalidAttributeValue", where + ": " + problem + ": " +
                                                    show(v.string_value) +
                                                    " (SQS takes up to 38 significant digits, "
                                                    "from 10^-128 to 10^+126)");
      }
    }
    if (auto e = validate_text(v.string_value, "InvalidAttributeValue", where)) return e;
  }
  return std::nullopt;
}

Check validate_system_attributes(const MessageAttributes& attributes) {
  for (const auto& [name, v] : attributes) {
    if (name != "AWSTraceHeader") {
      return invalid("InvalidMessageSystemAttribute",
                     "the only message system attribute that can be sent is AWSTraceHeader, got " +
                         show(name));
    }
    if (v.data_type != "String" || v.string_value.empty()) {
      return invalid("InvalidMessageSystemAttribute", "AWSTraceHeader must be a non-empty String");
    }
    if (auto e = validate_text(v.string_value, "InvalidMessageSystemAttribute", "AWSTraceHeader")) {
      return e;
    }
  }
  return std::nullopt;
}

// Everything about one message, shared by SendMessage and each SendMessageBatch entry.
template <class M>
Check validate_message(const M& m, bool fifo, std::string_view where, const Limits& limits) {
  if (m.message_body.empty()) {
    return invalid("EmptyMessageBody", prefixed(where, "MessageBody may not be empty"));
  }
  // (The field name is prefixed only on failure: no string built per message sent.)
  if (auto e = validate_text(m.message_body, "InvalidMessageContents", "MessageBody")) {
    e->message = prefixed(where, std::move(e->message));
    return e;
  }
  if (auto e = validate_message_attributes(m.message_attributes)) {
    e->message = prefixed(where, e->message);
    return e;
  }
  if (auto e = validate_system_attributes(m.message_system_attributes)) {
    e->message = prefixed(where, e->message);
    return e;
  }
  auto size = message_size(m.message_body, m.message_attributes);
  if (size > limits.max_message_bytes) {
    return invalid("MessageTooLong",
                   prefixed(where, "message size (body + attributes) is " + std::to_string(size) +
                                       " bytes, over the limit of " +
                                       std::to_string(limits.max_message_bytes)));
  }
  if (auto e = range(where, "DelaySeconds", "DelaySecondsOutOfRange", m.delay_seconds, 0, 900)) {
    return e;
  }
  if (fifo) {
    if (m.delay_seconds) {
      return invalid("InvalidParameterValue",
                     prefixed(where,
                              "DelaySeconds cannot be set per message on a FIFO queue (set "
                              "it on the queue)"));
    }
    if (!m.message_group_id) {
      return invalid("MissingMessageGroupId",
                     prefixed(where, "MessageGroupId is required on a FIFO queue"));
    }
  } else if (m.message_deduplication_id) {
    return invalid("InvalidParameterValue",
                   prefixed(where, "MessageDeduplicationId applies only to FIFO queues"));
  }
  if (auto e = validate_token(where, "MessageGroupId", m.message_group_id)) return e;
  if (auto e = validate_token(where, "MessageDeduplicationId", m.message_deduplication_id)) {
    return e;
  }
  return std::nullopt;
}

Check validate_receipt(std::string_view where, const std::string& receipt_handle) {
  if (receipt_handle.empty()) {
    return invalid("ReceiptHandleIsInvalid", prefixed(where, "ReceiptHandle may not be empty"));
  }
  return std::nullopt;
}

Check validate_queue_name(const std::string& name) {
  std::string_view base = name;
  if (base.size() > 5 && base.substr(base.size() - 5) == ".fifo") base.remove_suffix(5);
  if (name.empty() || name.size() > 80 || base.empty() ||
      !std::all_of(base.begin(), base.end(), [](char c) { return is_id_char(c); })) {
    return invalid("InvalidQueueName",
                   "a queue name must be 1..80 characters of A-Z a-z 0-9 - _ (plus .fifo for FIFO "
                   "queues), got " +
                       show(name));
  }
  return std::nullopt;
}

Check validate_max_results(const std::optional<int>& max_results) {
  return range({}, "MaxResults", "InvalidParameterValue", max_results, 1, 1000);
}

}  // namespace

bool is_fifo_url(std::string_view url) noexcept {
  return url.size() >= 5 && url.substr(url.size() - 5) == ".fifo";
}

std::size_t message_size(std::string_view body, const MessageAttributes& attributes) noexcept {
  std::size_t size = body.size();
  for (const auto& [name, v] : attributes) {
    size += name.size() + v.data_type.size() +
            (v.is_binary() ? v.binary_value.size() : v.string_value.size());
  }
  return size;
}

Check validate_body(std::string_view body) {
  return validate_text(body, "InvalidMessageContents", "MessageBody");
}

Check validate_message_attributes(const MessageAttributes& attributes) {
  if (attributes.size() > 10) {
    return invalid("TooManyMessageAttributes", "a message takes at most 10 attributes, got " +
                                                   std::to_string(attributes.size()));
  }
  for (const auto& [name, v] : attributes) {
    if (auto e = validate_attribute(name, v, "message attribute")) return e;
  }
  return std::nullopt;
}

Check validate(const CreateQueueRequest& r, const Limits&) {
  return validate_queue_name(r.queue_name);
}
Check validate(const DeleteQueueRequest& r, const Limits&) {
  return require_url(r.queue_url);
}
Check validate(const GetQueueUrlRequest& r, const Limits&) {
  return validate_queue_name(r.queue_name);
}
Check validate(const ListQueuesRequest& r, const Limits&) {
  return validate_max_results(r.max_results);
}
Check validate(const GetQueueAttributesRequest& r, const Limits&) {
  return require_url(r.queue_url);
}
Check validate(const SetQueueAttributesRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (r.attributes.empty()) {
    return invalid("MissingParameter", "SetQueueAttributes needs at least one attribute");
  }
  return std::nullopt;
}
Check validate(const PurgeQueueRequest& r, const Limits&) {
  return require_url(r.queue_url);
}

Check validate(const SendMessageRequest& r, const Limits& limits) {
  if (auto e = require_url(r.queue_url)) return e;
  return validate_message(r, is_fifo_url(r.queue_url), {}, limits);
}

Check validate(const SendMessageBatchRequest& r, const Limits& limits) {
  if (auto e = require_url(r.queue_url)) return e;
  std::vector<std::string> ids;
  ids.reserve(r.entries.size());
  for (const auto& entry : r.entries) ids.push_back(entry.id);
  if (auto e = validate_batch_ids(ids)) return e;
  bool fifo = is_fifo_url(r.queue_url);
  std::size_t total = 0;
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    const auto& entry = r.entries[i];
    if (auto e = validate_message(entry, fifo, "entry " + std::to_string(i), limits)) return e;
    total += message_size(entry.message_body, entry.message_attributes);
  }
  if (total > limits.max_message_bytes) {
    return invalid("BatchRequestTooLong", "the batch's total payload is " + std::to_string(total) +
                                              " bytes, over the limit of " +
                                              std::to_string(limits.max_message_bytes));
  }
  return std::nullopt;
}

Check validate(const ReceiveMessageRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (auto e = range({}, "MaxNumberOfMessages", "InvalidParameterValue", r.max_number_of_messages,
                     1, 10)) {
    return e;
  }
  if (auto e =
          range({}, "VisibilityTimeout", "InvalidParameterValue", r.visibility_timeout, 0, 43200)) {
    return e;
  }
  if (auto e = range({}, "WaitTimeSeconds", "InvalidParameterValue", r.wait_time_seconds, 0, 20)) {
    return e;
  }
  return validate_token({}, "ReceiveRequestAttemptId", r.receive_request_attempt_id);
}

Check validate(const DeleteMessageRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  return validate_receipt({}, r.receipt_handle);
}

Check validate(const DeleteMessageBatchRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  std::vector<std::string> ids;
  for (const auto& entry : r.entries) ids.push_back(entry.id);
  if (auto e = validate_batch_ids(ids)) return e;
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    if (auto e = validate_receipt("entry " + std::to_string(i), r.entries[i].receipt_handle)) {
      return e;
    }
  }
  return std::nullopt;
}

Check validate(const ChangeMessageVisibilityRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (auto e = validate_receipt({}, r.receipt_handle)) return e;
  return range({}, "VisibilityTimeout", "InvalidParameterValue", r.visibility_timeout, 0, 43200);
}

Check validate(const ChangeMessageVisibilityBatchRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  std::vector<std::string> ids;
  for (const auto& entry : r.entries) ids.push_back(entry.id);
  if (auto e = validate_batch_ids(ids)) return e;
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    std::string where = "entry " + std::to_string(i);
    if (auto e = validate_receipt(where, r.entries[i].receipt_handle)) return e;
    if (auto e = range(where, "VisibilityTimeout", "InvalidParameterValue",
                       r.entries[i].visibility_timeout, 0, 43200)) {
      return e;
    }
  }
  return std::nullopt;
}

Check validate(const TagQueueRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (r.tags.empty()) return invalid("MissingParameter", "TagQueue needs at least one tag");
  return std::nullopt;
}
Check validate(const UntagQueueRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (r.tag_keys.empty()) return invalid("MissingParameter", "UntagQueue needs at least one key");
  return std::nullopt;
}
Check validate(const ListQueueTagsRequest& r, const Limits&) {
  return require_url(r.queue_url);
}
Check validate(const ListDeadLetterSourceQueuesRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  return validate_max_results(r.max_results);
}
Check validate(const StartMessageMoveTaskRequest& r, const Limits&) {
  if (r.source_arn.empty()) return invalid("MissingParameter", "SourceArn is required");
  return range({}, "MaxNumberOfMessagesPerSecond", "InvalidParameterValue",
               r.max_number_of_messages_per_second, 1, 500);
}
Check validate(const CancelMessageMoveTaskRequest& r, const Limits&) {
  if (r.task_handle.empty()) return invalid("MissingParameter", "TaskHandle is required");
  return std::nullopt;
}
Check validate(const ListMessageMoveTasksRequest& r, const Limits&) {
  if (r.source_arn.empty()) return invalid("MissingParameter", "SourceArn is required");
  return range({}, "MaxResults", "InvalidParameterValue", r.max_results, 1, 10);
}
Check validate(const AddPermissionRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (r.label.empty() || r.label.size() > 80 ||
      !std::all_of(r.label.begin(), r.label.end(), [](char c) { return is_id_char(c); })) {
    return invalid("InvalidParameterValue",
                   "Label must be 1..80 characters of A-Z a-z 0-9 - _, got " + show(r.label));
  }
  if (r.aws_account_ids.empty()) return invalid("MissingParameter", "AWSAccountIds is required");
  if (r.actions.empty()) return invalid("MissingParameter", "Actions is required");
  return std::nullopt;
}
Check validate(const RemovePermissionRequest& r, const Limits&) {
  if (auto e = require_url(r.queue_url)) return e;
  if (r.label.empty()) return invalid("MissingParameter", "Label is required");
  return std::nullopt;
}

}  // namespace sqs::client

// Fuzz target: the decoder of every SQS action's successful answer (protocol::decode). The
// first byte picks the result type, the rest is the body. Invariants:
// - nothing throws out of decode (errors are values);
// - a failure is a `protocol` error with one of the three documented codes and a message that
//   names the action;
// - on success every decoded text is valid UTF-8 (binary attribute values aside);
// - the same body decodes the same way on the reused per-thread parser and arena and on fresh
//   ones (taken when the per-thread scratch is busy), success or failure alike.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "protocol/codec.hpp"
#include "protocol/json_reader.hpp"

namespace {

using namespace sqs;

// A printable, unambiguous dump of a result (length-prefixed fields) for comparisons; texts are
// checked for UTF-8 on the way.
struct Dump {
  std::string out;

  void text(std::string_view s) {
    FUZZ_CHECK_MSG(sqs_fuzz::valid_utf8(s), s);
    bytes(s);
  }
  void text(const std::string& s) { text(std::string_view(s)); }
  void bytes(std::string_view s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
    out += ';';
  }
  void number(std::int64_t v) { out += std::to_string(v) + ";"; }
  void flag(bool v) { out += v ? "T;" : "F;"; }
  void text(const std::optional<std::string>& s) {
    if (s) {
      text(*s);
    } else {
      out += "-;";
    }
  }
  template <class Int>
  void number(const std::optional<Int>& v) {
    if (v) {
      number(static_cast<std::int64_t>(*v));
    } else {
      out += "-;";
    }
  }
  void texts(const std::vector<std::string>& list) {
    out += "[" + std::to_string(list.size());
    for (const auto& s : list) text(s);
    out += "]";
  }
  void map(const StringMap& m) {
    out += "{" + std::to_string(m.size());
    for (const auto& [k, v] : m) {
      text(k);
      text(v);
    }
    out += "}";
  }
  void attributes(const MessageAttributes& m) {
    out += "{" + std::to_string(m.size());
    for (const auto& [k, v] : m) {
      text(k);
      text(v.data_type);
      if (v.is_binary()) {
        FUZZ_CHECK(v.string_value.empty());
        bytes(v.binary_value);
      } else {
        FUZZ_CHECK(v.binary_value.empty());
        text(v.string_value);
      }
    }
    out += "}";
  }
  void failed(const std::vector<BatchResultErrorEntry>& list) {
    out += "[" + std::to_string(list.size());
    for (const auto& e : list) {
      text(e.id);
      text(e.code);
      text(e.message);
      flag(e.sender_fault);
    }
    out += "]";
  }

  void operator()(const Empty&) {}
  void operator()(const CreateQueueResult& r) { text(r.queue_url); }
  void operator()(const GetQueueUrlResult& r) { text(r.queue_url); }
  void operator()(const ListQueuesResult& r) {
    texts(r.queue_urls);
    text(r.next_token);
  }
  void operator()(const GetQueueAttributesResult& r) { map(r.attributes); }
  void operator()(const ListQueueTagsResult& r) { map(r.tags); }
  void operator()(const ListDeadLetterSourceQueuesResult& r) {
    texts(r.queue_urls);
    text(r.next_token);
  }
  void operator()(const StartMessageMoveTaskResult& r) { text(r.task_handle); }
  void operator()(const CancelMessageMoveTaskResult& r) {
    number(r.approximate_number_of_messages_moved);
  }
  void operator()(const ListMessageMoveTasksResult& r) {
    out += "[" + std::to_string(r.results.size());
    for (const auto& t : r.results) {
      text(t.task_handle);
      text(t.status);
      text(t.source_arn);
      text(t.destination_arn);
      number(t.max_number_of_messages_per_second);
      number(t.approximate_number_of_messages_moved);
      number(t.approximate_number_of_messages_to_move);
      text(t.failure_reason);
      number(t.started_timestamp);
    }
    out += "]";
  }
  void operator()(const SendMessageResult& r) {
    text(r.message_id);
    text(r.md5_of_message_body);
    text(r.md5_of_message_attributes);
    text(r.md5_of_message_system_attributes);
    text(r.sequence_number);
  }
  void operator()(const SendMessageBatchResult& r) {
    out += "[" + std::to_string(r.successful.size());
    for (const auto& e : r.successful) {
      text(e.id);
      text(e.message_id);
      text(e.md5_of_message_body);
      text(e.md5_of_message_attributes);
      text(e.md5_of_message_system_attributes);
      text(e.sequence_number);
    }
    out += "]";
    failed(r.failed);
  }
  void operator()(const ReceiveMessageResult& r) {
    out += "[" + std::to_string(r.messages.size());
    for (const auto& m : r.messages) {
      text(m.message_id);
      text(m.receipt_handle);
      text(m.md5_of_body);
      text(m.body);
      map(m.attributes);
      text(m.md5_of_message_attributes);
      attributes(m.message_attributes);
    }
    out += "]";
  }
  void operator()(const BatchResult& r) {
    texts(r.successful);
    failed(r.failed);
  }
};

// Decodes `body` as a T and returns a dump of the outcome (the error, or the result).
template <class T>
std::string decode_once(std::string_view body, std::string_view action) {
  T out{};
  Result<Empty> r = Empty{};
  sqs_fuzz::no_exception(__FILE__, [&] { r = protocol::decode(body, out); });
  Dump d;
  if (r) {
    d.out = "ok;";
    d(out);
    return std::move(d.out);
  }
  const Error& e = r.error();
  FUZZ_CHECK(e.kind == ErrorKind::protocol);
  FUZZ_CHECK_MSG(e.code == "InvalidJson" || e.code == "MissingField" || e.code == "InvalidField",
                 e.code);
  FUZZ_CHECK_MSG(std::string_view(e.message).starts_with(std::string(action) + " answer: "),
                 e.message);
  d.out = "error;";
  d.text(e.code);
  d.text(e.message);
  return std::move(d.out);
}

template <class T>
void check(std::string_view body, std::string_view action) {
  const std::string first = decode_once<T>(body, action);
  const std::string again = decode_once<T>(body, action);  // the scratch arena reused
  FUZZ_CHECK(first == again);
  // With this thread's scratch parser and arena held, decode falls back to fresh ones.
  sqs::protocol::detail::ParsedJson hold;
  const std::string fresh = decode_once<T>(body, action);
  FUZZ_CHECK_MSG(first == fresh, first + "\n*** vs\n" + fresh);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 14) {
    case 0:
      check<Empty>(body, "SQS");
      break;
    case 1:
      check<CreateQueueResult>(body, "CreateQueue");
      break;
    case 2:
      check<GetQueueUrlResult>(body, "GetQueueUrl");
      break;
    case 3:
      check<ListQueuesResult>(body, "ListQueues");
      break;
    case 4:
      check<GetQueueAttributesResult>(body, "GetQueueAttributes");
      break;
    case 5:
      check<ListQueueTagsResult>(body, "ListQueueTags");
      break;
    case 6:
      check<ListDeadLetterSourceQueuesResult>(body, "ListDeadLetterSourceQueues");
      break;
    case 7:
      check<StartMessageMoveTaskResult>(body, "StartMessageMoveTask");
      break;
    case 8:
      check<CancelMessageMoveTaskResult>(body, "CancelMessageMoveTask");
      break;
    case 9:
      check<ListMessageMoveTasksResult>(body, "ListMessageMoveTasks");
      break;
    case 10:
      check<SendMessageResult>(body, "SendMessage");
      break;
    case 11:
      check<SendMessageBatchResult>(body, "SendMessageBatch");
      break;
    case 12:
      check<ReceiveMessageResult>(body, "ReceiveMessage");
      break;
    default:
      check<BatchResult>(body, "batch");
      break;
  }
  return 0;
}

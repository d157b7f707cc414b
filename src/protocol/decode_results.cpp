// Decoding of successful SQS answers (AWS JSON 1.0). Members the result types need to be
// meaningful (queue URL, message id, receipt handle, MD5s...) are required; the rest is optional
// as in the service model. Unknown members are ignored, so new SQS features do not break us.
#include "protocol/base64.hpp"
#include "protocol/codec.hpp"
#include "protocol/json_reader.hpp"

namespace sqs::protocol {
namespace {

using detail::decode_object;
using detail::Reader;
using detail::json::object;

void read_message_attributes(const object& o, std::string_view key, MessageAttributes& out,
                             Reader& r) {
  const auto* v = detail::member(o, key);
  if (v == nullptr) return;
  const object* map = r.object(*v, key);
  if (map == nullptr) return;
  for (const auto& kv : *map) {
    const object* a = r.object(kv.value(), key);
    if (a == nullptr) return;
    MessageAttributeValue value;
    r.set_context(key);
    r.required_string(*a, "DataType", value.data_type);
    if (value.is_binary()) {
      std::string encoded;
      r.string(*a, "BinaryValue", encoded);
      if (!base64_decode(encoded, value.binary_value)) r.invalid("BinaryValue", "valid base64");
    } else {
      r.string(*a, "StringValue", value.string_value);
    }
    if (!r.ok()) return;
    out.insert_or_assign(std::string(kv.key()), std::move(value));
  }
}

void read_failed(const object& o, std::vector<BatchResultErrorEntry>& out, Reader& r) {
  const auto* failed = r.array(o, "Failed");
  if (failed == nullptr) return;
  r.set_context("Failed[]");
  out.reserve(failed->size());
  for (const auto& item : *failed) {
    const object* e = r.object(item, "Failed[]");
    if (e == nullptr) return;
    BatchResultErrorEntry entry;
    r.required_string(*e, "Id", entry.id);
    r.required_boolean(*e, "SenderFault", entry.sender_fault);
    r.required_string(*e, "Code", entry.code);
    r.string(*e, "Message", entry.message);
    if (!r.ok()) return;
    out.push_back(std::move(entry));
  }
}

void read_message(const object& m, Message& out, Reader& r) {
  r.set_context("Messages[]");
  r.required_string(m, "MessageId", out.message_id);
  r.required_string(m, "ReceiptHandle", out.receipt_handle);
  r.required_string(m, "MD5OfBody", out.md5_of_body);
  r.required_string(m, "Body", out.body);
  r.string_map(m, "Attributes", out.attributes);
  r.string(m, "MD5OfMessageAttributes", out.md5_of_message_attributes);
  read_message_attributes(m, "MessageAttributes", out.message_attributes, r);
}

void read_move_task(const object& t, MessageMoveTask& out, Reader& r) {
  r.set_context("Results[]");
  r.string(t, "TaskHandle", out.task_handle);
  r.string(t, "Status", out.status);
  r.string(t, "SourceArn", out.source_arn);
  r.string(t, "DestinationArn", out.destination_arn);
  r.integer(t, "MaxNumberOfMessagesPerSecond", out.max_number_of_messages_per_second);
  r.integer(t, "ApproximateNumberOfMessagesMoved", out.approximate_number_of_messages_moved);
  r.integer(t, "ApproximateNumberOfMessagesToMove", out.approximate_number_of_messages_to_move);
  r.string(t, "FailureReason", out.failure_reason);
  r.integer(t, "StartedTimestamp", out.started_timestamp);
}

bool blank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<Empty> decode(std::string_view body, Empty& out) {
  out = {};
  if (blank(body)) return Empty{};
  return decode_object(body, "SQS", [](const object&, Reader&) {});
}

Result<Empty> decode(std::string_view body, CreateQueueResult& out) {
  out = {};
  return decode_object(body, "CreateQueue", [&](const object& o, Reader& r) {
    r.required_string(o, "QueueUrl", out.queue_url);
  });
}

Result<Empty> decode(std::string_view body, GetQueueUrlResult& out) {
  out = {};
  return decode_object(body, "GetQueueUrl", [&](const object& o, Reader& r) {
    r.required_string(o, "QueueUrl", out.queue_url);
  });
}

Result<Empty> decode(std::string_view body, ListQueuesResult& out) {
  out = {};
  return decode_object(body, "ListQueues", [&](const object& o, Reader& r) {
    r.string_list(o, "QueueUrls", out.queue_urls);
    r.string(o, "NextToken", out.next_token);
  });
}

Result<Empty> decode(std::string_view body, GetQueueAttributesResult& out) {
  out = {};
  return decode_object(body, "GetQueueAttributes", [&](const object& o, Reader& r) {
    r.string_map(o, "Attributes", out.attributes);
  });
}

Result<Empty> decode(std::string_view body, ListQueueTagsResult& out) {
  out = {};
  return decode_object(body, "ListQueueTags",
                       [&](const object& o, Reader& r) { r.string_map(o, "Tags", out.tags); });
}

Result<Empty> decode(std::string_view body, ListDeadLetterSourceQueuesResult& out) {
  out = {};
  return decode_object(body, "ListDeadLetterSourceQueues", [&](const object& o, Reader& r) {
    r.string_list(o, "queueUrls", out.queue_urls);  // lower-case in the service model
    r.string(o, "NextToken", out.next_token);
  });
}

Result<Empty> decode(std::string_view body, StartMessageMoveTaskResult& out) {
  out = {};
  return decode_object(body, "StartMessageMoveTask", [&](const object& o, Reader& r) {
    r.required_string(o, "TaskHandle", out.task_handle);
  });
}

Result<Empty> decode(std::string_view body, CancelMessageMoveTaskResult& out) {
  out = {};
  return decode_object(body, "CancelMessageMoveTask", [&](const object& o, Reader& r) {
    r.integer(o, "ApproximateNumberOfMessagesMoved", out.approximate_number_of_messages_moved);
  });
}

Result<Empty> decode(std::string_view body, ListMessageMoveTasksResult& out) {
  out = {};
  return decode_object(body, "ListMessageMoveTasks", [&](const object& o, Reader& r) {
    const auto* results = r.array(o, "Results");
    if (results == nullptr) return;
    out.results.reserve(results->size());
    for (const auto& item : *results) {
      const object* t = r.object(item, "Results[]");
      if (t == nullptr) return;
      read_move_task(*t, out.results.emplace_back(), r);
    }
  });
}

Result<Empty> decode(std::string_view body, SendMessageResult& out) {
  out = {};
  return decode_object(body, "SendMessage", [&](const object& o, Reader& r) {
    r.required_string(o, "MessageId", out.message_id);
    r.required_string(o, "MD5OfMessageBody", out.md5_of_message_body);
    r.string(o, "MD5OfMessageAttributes", out.md5_of_message_attributes);
    r.string(o, "MD5OfMessageSystemAttributes", out.md5_of_message_system_attributes);
    r.string(o, "SequenceNumber", out.sequence_number);
  });
}

Result<Empty> decode(std::string_view body, SendMessageBatchResult& out) {
  out = {};
  return decode_object(body, "SendMessageBatch", [&](const object& o, Reader& r) {
    if (const auto* ok = r.array(o, "Successful")) {
      r.set_context("Successful[]");
      out.successful.reserve(ok->size());
      for (const auto& item : *ok) {
        const object* e = r.object(item, "Successful[]");
        if (e == nullptr) return;
        auto& entry = out.successful.emplace_back();
        r.required_string(*e, "Id", entry.id);
        r.required_string(*e, "MessageId", entry.message_id);
        r.required_string(*e, "MD5OfMessageBody", entry.md5_of_message_body);
        r.string(*e, "MD5OfMessageAttributes", entry.md5_of_message_attributes);
        r.string(*e, "MD5OfMessageSystemAttributes", entry.md5_of_message_system_attributes);
        r.string(*e, "SequenceNumber", entry.sequence_number);
      }
    }
    read_failed(o, out.failed, r);
  });
}

Result<Empty> decode(std::string_view body, ReceiveMessageResult& out) {
  out = {};
  return decode_object(body, "ReceiveMessage", [&](const object& o, Reader& r) {
    const auto* messages = r.array(o, "Messages");
    if (messages == nullptr) return;
    out.messages.reserve(messages->size());
    for (const auto& item : *messages) {
      const object* m = r.object(item, "Messages[]");
      if (m == nullptr) return;
      read_message(*m, out.messages.emplace_back(), r);
      if (!r.ok()) return;
    }
  });
}

Result<Empty> decode(std::string_view body, BatchResult& out) {
  out = {};
  return decode_object(body, "batch", [&](const object& o, Reader& r) {
    if (const auto* ok = r.array(o, "Successful")) {
      r.set_context("Successful[]");
      out.successful.reserve(ok->size());
      for (const auto& item : *ok) {
        const object* e = r.object(item, "Successful[]");
        if (e == nullptr) return;
        r.required_string(*e, "Id", out.successful.emplace_back());
      }
    }
    read_failed(o, out.failed, r);
  });
}

}  // namespace sqs::protocol

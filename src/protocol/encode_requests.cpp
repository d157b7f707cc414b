// AWS JSON 1.0 bodies of every SQS request. Member names are those of the SQS service model
// (sqs-2012-11-05), case included: note the lower-case "tags" of CreateQueue.
#include <optional>

#include "protocol/base64.hpp"
#include "protocol/codec.hpp"
#include "protocol/json_writer.hpp"

namespace sqs::protocol {
namespace {

using detail::append_json_string;
using detail::ObjectWriter;

// Upper bound of the JSON for the quoted, possibly escaped text: exact for the common case of
// text needing no escapes, so one reservation usually suffices.
std::size_t text_estimate(std::string_view s) {
  return s.size() + 8;
}

std::size_t attributes_estimate(const MessageAttributes& attributes) {
  std::size_t n = 32;
  for (const auto& [name, v] : attributes) {
    n += name.size() + v.data_type.size() + v.string_value.size() +
         (v.binary_value.size() + 2) / 3 * 4 + 64;
  }
  return n;
}

void reserve_more(std::string& out, std::size_t more) {
  out.reserve(out.size() + more);
}

void write_optional(ObjectWriter& w, std::string_view key, const std::optional<int>& v) {
  if (v) w.integer(key, *v);
}
void write_optional(ObjectWriter& w, std::string_view key, const std::optional<std::string>& v) {
  if (v) w.string(key, *v);
}

void write_list(ObjectWriter& w, std::string_view key, const std::vector<std::string>& list) {
  w.key(key);
  std::string& out = w.out();
  out.push_back('[');
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_json_string(out, list[i]);
  }
  out.push_back(']');
}

void write_map(ObjectWriter& w, std::string_view key, const StringMap& map) {
  w.key(key);
  ObjectWriter m(w.out());
  for (const auto& [k, v] : map) {
    m.escaped_key(k);
    append_json_string(m.out(), v);
  }
  m.close();
}

// {"Name":{"DataType":"String","StringValue":"..."}, "Bin":{"DataType":"Binary","BinaryValue":
// "<base64>"}}; the data type decides which value member travels.
void write_attributes(ObjectWriter& w, std::string_view key, const MessageAttributes& attributes) {
  if (attributes.empty()) return;
  w.key(key);
  ObjectWriter map(w.out());
  for (const auto& [name, value] : attributes) {
    map.escaped_key(name);
    ObjectWriter v(map.out());
    v.string("DataType", value.data_type);
    if (value.is_binary()) {
      v.key("BinaryValue");
      std::string& out = v.out();
      out.push_back('"');
      base64_append(out, value.binary_value);
      out.push_back('"');
    } else {
      v.string("StringValue", value.string_value);
    }
    v.close();
  }
  map.close();
}

// The members SendMessage and a SendMessageBatch entry share, in the service model's order.
template <class Message>
void write_message(ObjectWriter& w, const Message& m) {
  w.string("MessageBody", m.message_body);
  write_optional(w, "DelaySeconds", m.delay_seconds);
  write_attributes(w, "MessageAttributes", m.message_attributes);
  write_attributes(w, "MessageSystemAttributes", m.message_system_attributes);
  write_optional(w, "MessageDeduplicationId", m.message_deduplication_id);
  write_optional(w, "MessageGroupId", m.message_group_id);
}

template <class Message>
std::size_t message_estimate(const Message& m) {
  std::size_t n = text_estimate(m.message_body) + 48;
  if (!m.message_attributes.empty()) n += attributes_estimate(m.message_attributes);
  if (!m.message_system_attributes.empty()) n += attributes_estimate(m.message_system_attributes);
  if (m.message_deduplication_id) n += m.message_deduplication_id->size() + 32;
  if (m.message_group_id) n += m.message_group_id->size() + 24;
  return n;
}

// Bodies with only a queue URL: DeleteQueue, PurgeQueue, ListQueueTags.
void encode_queue_url_only(std::string_view queue_url, std::string& out) {
  reserve_more(out, text_estimate(queue_url) + 16);
  ObjectWriter w(out);
  w.string("QueueUrl", queue_url);
  w.close();
}

}  // namespace

void encode(const CreateQueueRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueName", r.queue_name);
  if (!r.attributes.empty()) write_map(w, "Attributes", r.attributes);
  if (!r.tags.empty()) write_map(w, "tags", r.tags);
  w.close();
}

void encode(const DeleteQueueRequest& r, std::string& out) {
  encode_queue_url_only(r.queue_url, out);
}

void encode(const GetQueueUrlRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueName", r.queue_name);
  write_optional(w, "QueueOwnerAWSAccountId", r.queue_owner_aws_account_id);
  w.close();
}

void encode(const ListQueuesRequest& r, std::string& out) {
  ObjectWriter w(out);
  write_optional(w, "QueueNamePrefix", r.queue_name_prefix);
  write_optional(w, "NextToken", r.next_token);
  write_optional(w, "MaxResults", r.max_results);
  w.close();
}

void encode(const GetQueueAttributesRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  if (r.attribute_names.empty()) {
    w.key("AttributeNames");
    out.append("[\"All\"]");
  } else {
    write_list(w, "AttributeNames", r.attribute_names);
  }
  w.close();
}

void encode(const SetQueueAttributesRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  write_map(w, "Attributes", r.attributes);
  w.close();
}

void encode(const PurgeQueueRequest& r, std::string& out) {
  encode_queue_url_only(r.queue_url, out);
}

void encode(const SendMessageRequest& r, std::string& out) {
  reserve_more(out, text_estimate(r.queue_url) + message_estimate(r) + 16);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  write_message(w, r);
  w.close();
}

void encode(const SendMessageBatchRequest& r, std::string& out) {
  std::size_t estimate = text_estimate(r.queue_url) + 32;
  for (const auto& e : r.entries) estimate += message_estimate(e) + e.id.size() + 16;
  reserve_more(out, estimate);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.key("Entries");
  out.push_back('[');
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    if (i != 0) out.push_back(',');
    ObjectWriter e(out);
    e.string("Id", r.entries[i].id);
    write_message(e, r.entries[i]);
    e.close();
  }
  out.push_back(']');
  w.close();
}

void encode(const ReceiveMessageRequest& r, std::string& out) {
  reserve_more(out, text_estimate(r.queue_url) + 160);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  if (!r.message_system_attribute_names.empty()) {
    write_list(w, "MessageSystemAttributeNames", r.message_system_attribute_names);
  }
  if (!r.message_attribute_names.empty()) {
    write_list(w, "MessageAttributeNames", r.message_attribute_names);
  }
  write_optional(w, "MaxNumberOfMessages", r.max_number_of_messages);
  write_optional(w, "VisibilityTimeout", r.visibility_timeout);
  write_optional(w, "WaitTimeSeconds", r.wait_time_seconds);
  write_optional(w, "ReceiveRequestAttemptId", r.receive_request_attempt_id);
  w.close();
}

void encode(const DeleteMessageRequest& r, std::string& out) {
  reserve_more(out, text_estimate(r.queue_url) + text_estimate(r.receipt_handle) + 40);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.string("ReceiptHandle", r.receipt_handle);
  w.close();
}

void encode(const DeleteMessageBatchRequest& r, std::string& out) {
  std::size_t estimate = text_estimate(r.queue_url) + 32;
  for (const auto& e : r.entries) estimate += e.id.size() + e.receipt_handle.size() + 40;
  reserve_more(out, estimate);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.key("Entries");
  out.push_back('[');
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    if (i != 0) out.push_back(',');
    ObjectWriter e(out);
    e.string("Id", r.entries[i].id);
    e.string("ReceiptHandle", r.entries[i].receipt_handle);
    e.close();
  }
  out.push_back(']');
  w.close();
}

void encode(const ChangeMessageVisibilityRequest& r, std::string& out) {
  reserve_more(out, text_estimate(r.queue_url) + text_estimate(r.receipt_handle) + 64);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.string("ReceiptHandle", r.receipt_handle);
  w.integer("VisibilityTimeout", r.visibility_timeout);
  w.close();
}

void encode(const ChangeMessageVisibilityBatchRequest& r, std::string& out) {
  std::size_t estimate = text_estimate(r.queue_url) + 32;
  for (const auto& e : r.entries) estimate += e.id.size() + e.receipt_handle.size() + 64;
  reserve_more(out, estimate);
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.key("Entries");
  out.push_back('[');
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    if (i != 0) out.push_back(',');
    ObjectWriter e(out);
    e.string("Id", r.entries[i].id);
    e.string("ReceiptHandle", r.entries[i].receipt_handle);
    write_optional(e, "VisibilityTimeout", r.entries[i].visibility_timeout);
    e.close();
  }
  out.push_back(']');
  w.close();
}

void encode(const TagQueueRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  write_map(w, "Tags", r.tags);
  w.close();
}

void encode(const UntagQueueRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  write_list(w, "TagKeys", r.tag_keys);
  w.close();
}

void encode(const ListQueueTagsRequest& r, std::string& out) {
  encode_queue_url_only(r.queue_url, out);
}

void encode(const ListDeadLetterSourceQueuesRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  write_optional(w, "NextToken", r.next_token);
  write_optional(w, "MaxResults", r.max_results);
  w.close();
}

void encode(const StartMessageMoveTaskRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("SourceArn", r.source_arn);
  write_optional(w, "DestinationArn", r.destination_arn);
  write_optional(w, "MaxNumberOfMessagesPerSecond", r.max_number_of_messages_per_second);
  w.close();
}

void encode(const CancelMessageMoveTaskRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("TaskHandle", r.task_handle);
  w.close();
}

void encode(const ListMessageMoveTasksRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("SourceArn", r.source_arn);
  write_optional(w, "MaxResults", r.max_results);
  w.close();
}

void encode(const AddPermissionRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.string("Label", r.label);
  write_list(w, "AWSAccountIds", r.aws_account_ids);
  write_list(w, "Actions", r.actions);
  w.close();
}

void encode(const RemovePermissionRequest& r, std::string& out) {
  ObjectWriter w(out);
  w.string("QueueUrl", r.queue_url);
  w.string("Label", r.label);
  w.close();
}

}  // namespace sqs::protocol

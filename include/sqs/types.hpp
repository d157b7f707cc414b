// Requests and results of every SQS action, as plain value types that mirror the SQS API
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/). Optional fields are
// std::optional: "not set" and "0" are different things to SQS.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

// A message attribute value. DataType is "String", "Number" or "Binary", optionally followed by
// a custom suffix ("Number.int", "Binary.gif"). String and Number values travel in
// string_value; Binary values are raw bytes in binary_value (base64 happens on the wire).
struct MessageAttributeValue {
  std::string data_type;
  std::string string_value;
  std::string binary_value;

  static MessageAttributeValue string(std::string v) { return {"String", std::move(v), {}}; }
  static MessageAttributeValue number(std::string v) { return {"Number", std::move(v), {}}; }
  static MessageAttributeValue number(long long v) { return {"Number", std::to_string(v), {}}; }
  static MessageAttributeValue binary(std::string bytes) {
    return {"Binary", {}, std::move(bytes)};
  }

  bool is_binary() const noexcept { return data_type.compare(0, 6, "Binary") == 0; }
  friend bool operator==(const MessageAttributeValue&, const MessageAttributeValue&) = default;
};

// Sorted by name, as the MD5 of message attributes needs.
using MessageAttributes = std::map<std::string, MessageAttributeValue>;
using StringMap = std::map<std::string, std::string>;

// One failed entry of a batch answer (SQS "BatchResultErrorEntry").
struct BatchResultErrorEntry {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = false;
};

// ---- queues -------------------------------------------------------------------------------

struct CreateQueueRequest {
  std::string queue_name;
  StringMap attributes;  // e.g. {"FifoQueue","true"}, {"VisibilityTimeout","30"}
  StringMap tags;
};
struct CreateQueueResult {
  std::string queue_url;
};

struct DeleteQueueRequest {
  std::string queue_url;
};

struct GetQueueUrlRequest {
  std::string queue_name;
  std::optional<std::string> queue_owner_aws_account_id;
};
struct GetQueueUrlResult {
  std::string queue_url;
};

struct ListQueuesRequest {
  std::optional<std::string> queue_name_prefix;
  std::optional<int> max_results;  // 1..1000
  std::optional<std::string> next_token;
};
struct ListQueuesResult {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;
};

struct GetQueueAttributesRequest {
  std::string queue_url;
  std::vector<std::string> attribute_names;  // empty means "All"
};
struct GetQueueAttributesResult {
  StringMap attributes;
};

struct SetQueueAttributesRequest {
  std::string queue_url;
  StringMap attributes;
};

struct PurgeQueueRequest {
  std::string queue_url;
};

struct TagQueueRequest {
  std::string queue_url;
  StringMap tags;
};
struct UntagQueueRequest {
  std::string queue_url;
  std::vector<std::string> tag_keys;
};
struct ListQueueTagsRequest {
  std::string queue_url;
};
struct ListQueueTagsResult {
  StringMap tags;
};

struct ListDeadLetterSourceQueuesRequest {
  std::string queue_url;
  std::optional<int> max_results;
  std::optional<std::string> next_token;
};
struct ListDeadLetterSourceQueuesResult {
  std::vector<std::string> queue_urls;
  std::optional<std::string> next_token;
};

struct AddPermissionRequest {
  std::string queue_url;
  std::string label;
  std::vector<std::string> aws_account_ids;
  std::vector<std::string> actions;  // e.g. "SendMessage", "*"
};
struct RemovePermissionRequest {
  std::string queue_url;
  std::string label;
};

// ---- message move tasks (dead-letter queue redrive) --------------------------------------------

struct StartMessageMoveTaskRequest {
  std::string source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int> max_number_of_messages_per_second;
};
struct StartMessageMoveTaskResult {
  std::string task_handle;
};
struct CancelMessageMoveTaskRequest {
  std::string task_handle;
};
struct CancelMessageMoveTaskResult {
  std::int64_t approximate_number_of_messages_moved = 0;
};
struct ListMessageMoveTasksRequest {
  std::string source_arn;
  std::optional<int> max_results;
};
struct MessageMoveTask {
  std::optional<std::string> task_handle;  // only for a RUNNING task
  std::string status;                      // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int> max_number_of_messages_per_second;
  std::int64_t approximate_number_of_messages_moved = 0;
  std::optional<std::int64_t> approximate_number_of_messages_to_move;
  std::optional<std::string> failure_reason;
  std::int64_t started_timestamp = 0;  // milliseconds since the epoch
};
struct ListMessageMoveTasksResult {
  std::vector<MessageMoveTask> results;
};

// ---- messages -----------------------------------------------------------------------------

struct SendMessageRequest {
  std::string queue_url;
  std::string message_body;
  std::optional<int> delay_seconds;
  MessageAttributes message_attributes;
  MessageAttributes message_system_attributes;  // only "AWSTraceHeader" (String) is allowed
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
};
struct SendMessageResult {
  std::string message_id;
  std::string md5_of_message_body;
  std::optional<std::string> md5_of_message_attributes;
  std::optional<std::string> md5_of_message_system_attributes;
  std::optional<std::string> sequence_number;  // FIFO queues only
};

struct SendMessageBatchRequestEntry {
  std::string id;  // unique in the batch, <= 80 chars of [A-Za-z0-9_-]
  std::string message_body;
  std::optional<int> delay_seconds;
  MessageAttributes message_attributes;
  MessageAttributes message_system_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
};
struct SendMessageBatchRequest {
  std::string queue_url;
  std::vector<SendMessageBatchRequestEntry> entries;
};
struct SendMessageBatchResultEntry {
  std::string id;
  std::string message_id;
  std::string md5_of_message_body;
  std::optional<std::string> md5_of_message_attributes;
  std::optional<std::string> md5_of_message_system_attributes;
  std::optional<std::string> sequence_number;
};
struct SendMessageBatchResult {
  std::vector<SendMessageBatchResultEntry> successful;
  std::vector<BatchResultErrorEntry> failed;
};

struct ReceiveMessageRequest {
  std::string queue_url;
  // System attributes to return: "All" or names such as "SentTimestamp", "ApproximateReceiveCount",
  // "MessageGroupId", "AWSTraceHeader". Sent as MessageSystemAttributeNames.
  std::vector<std::string> message_system_attribute_names;
  // Message attributes to return: "All", ".*", names, or prefixes such as "bar.*".
  std::vector<std::string> message_attribute_names;
  std::optional<int> max_number_of_messages;              // 1..10
  std::optional<int> visibility_timeout;                  // 0..43200
  std::optional<int> wait_time_seconds;                   // 0..20 (long poll)
  std::optional<std::string> receive_request_attempt_id;  // FIFO only
};
struct Message {
  std::string message_id;
  std::string receipt_handle;
  std::string md5_of_body;
  std::string body;
  StringMap attributes;  // system attributes: SentTimestamp, ApproximateReceiveCount, ...
  std::optional<std::string> md5_of_message_attributes;
  MessageAttributes message_attributes;
};
struct ReceiveMessageResult {
  std::vector<Message> messages;
};

struct DeleteMessageRequest {
  std::string queue_url;
  std::string receipt_handle;
};

struct DeleteMessageBatchRequestEntry {
  std::string id;
  std::string receipt_handle;
};
struct DeleteMessageBatchRequest {
  std::string queue_url;
  std::vector<DeleteMessageBatchRequestEntry> entries;
};
// Answer of DeleteMessageBatch and ChangeMessageVisibilityBatch: ids of the entries that
// succeeded, and the failed ones.
struct BatchResult {
  std::vector<std::string> successful;
  std::vector<BatchResultErrorEntry> failed;
};
using DeleteMessageBatchResult = BatchResult;

struct ChangeMessageVisibilityRequest {
  std::string queue_url;
  std::string receipt_handle;
  int visibility_timeout = 0;
};
struct ChangeMessageVisibilityBatchRequestEntry {
  std::string id;
  std::string receipt_handle;
  std::optional<int> visibility_timeout;
};
struct ChangeMessageVisibilityBatchRequest {
  std::string queue_url;
  std::vector<ChangeMessageVisibilityBatchRequestEntry> entries;
};
using ChangeMessageVisibilityBatchResult = BatchResult;

}  // namespace sqs

#pragma GCC visibility pop

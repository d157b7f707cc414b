// SQS limits checked before anything is sent (DESIGN.md §2). Each check returns nothing when
// the request is fine, else an Error of kind `validation` whose code names the rule
// ("DelaySecondsOutOfRange", "MessageTooLong"...) and whose message shows the offending value.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqs::client {

struct Limits {
  std::size_t max_message_bytes = 1048576;
};

using Check = std::optional<Error>;

// FIFO queues are named "*.fifo"; the URL ends with the name.
bool is_fifo_url(std::string_view queue_url) noexcept;

// Bytes SQS counts for a message: body + each attribute's name, data type and value.
std::size_t message_size(std::string_view body, const MessageAttributes& attributes) noexcept;

Check validate_body(std::string_view body);
Check validate_message_attributes(const MessageAttributes& attributes);

Check validate(const CreateQueueRequest& r, const Limits& limits);
Check validate(const DeleteQueueRequest& r, const Limits& limits);
Check validate(const GetQueueUrlRequest& r, const Limits& limits);
Check validate(const ListQueuesRequest& r, const Limits& limits);
Check validate(const GetQueueAttributesRequest& r, const Limits& limits);
Check validate(const SetQueueAttributesRequest& r, const Limits& limits);
Check validate(const PurgeQueueRequest& r, const Limits& limits);
Check validate(const SendMessageRequest& r, const Limits& limits);
Check validate(const SendMessageBatchRequest& r, const Limits& limits);
Check validate(const ReceiveMessageRequest& r, const Limits& limits);
Check validate(const DeleteMessageRequest& r, const Limits& limits);
Check validate(const DeleteMessageBatchRequest& r, const Limits& limits);
Check validate(const ChangeMessageVisibilityRequest& r, const Limits& limits);
Check validate(const ChangeMessageVisibilityBatchRequest& r, const Limits& limits);
Check validate(const TagQueueRequest& r, const Limits& limits);
Check validate(const UntagQueueRequest& r, const Limits& limits);
Check validate(const ListQueueTagsRequest& r, const Limits& limits);
Check validate(const ListDeadLetterSourceQueuesRequest& r, const Limits& limits);
Check validate(const StartMessageMoveTaskRequest& r, const Limits& limits);
Check validate(const CancelMessageMoveTaskRequest& r, const Limits& limits);
Check validate(const ListMessageMoveTasksRequest& r, const Limits& limits);
Check validate(const AddPermissionRequest& r, const Limits& limits);
Check validate(const RemovePermissionRequest& r, const Limits& limits);

}  // namespace sqs::client

// Compile-time table of SQS actions: request type -> action name and result type. Used by the
// generic Client::async_call / Client::call and by the protocol layer.
#pragma once

#include <string_view>

#include "sqs/error.hpp"
#include "sqs/types.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

template <class Request>
struct Action;

// Every SQS action, once: X(ActionName, snake_case_name, Request, Result). Client's named
// calls and its entry points are generated from this list.
#define SQS_FOR_EACH_ACTION(X)                                                                     \
  X(CreateQueue, create_queue, CreateQueueRequest, CreateQueueResult)                              \
  X(DeleteQueue, delete_queue, DeleteQueueRequest, Empty)                                          \
  X(GetQueueUrl, get_queue_url, GetQueueUrlRequest, GetQueueUrlResult)                             \
  X(ListQueues, list_queues, ListQueuesRequest, ListQueuesResult)                                  \
  X(GetQueueAttributes, get_queue_attributes, GetQueueAttributesRequest, GetQueueAttributesResult) \
  X(SetQueueAttributes, set_queue_attributes, SetQueueAttributesRequest, Empty)                    \
  X(PurgeQueue, purge_queue, PurgeQueueRequest, Empty)                                             \
  X(SendMessage, send_message, SendMessageRequest, SendMessageResult)                              \
  X(SendMessageBatch, send_message_batch, SendMessageBatchRequest, SendMessageBatchResult)         \
  X(ReceiveMessage, receive_message, ReceiveMessageRequest, ReceiveMessageResult)                  \
  X(DeleteMessage, delete_message, DeleteMessageRequest, Empty)                                    \
  X(DeleteMessageBatch, delete_message_batch, DeleteMessageBatchRequest, BatchResult)              \
  X(ChangeMessageVisibility, change_message_visibility, ChangeMessageVisibilityRequest, Empty)     \
  X(ChangeMessageVisibilityBatch, change_message_visibility_batch,                                 \
    ChangeMessageVisibilityBatchRequest, BatchResult)                                              \
  X(TagQueue, tag_queue, TagQueueRequest, Empty)                                                   \
  X(UntagQueue, untag_queue, UntagQueueRequest, Empty)                                             \
  X(ListQueueTags, list_queue_tags, ListQueueTagsRequest, ListQueueTagsResult)                     \
  X(ListDeadLetterSourceQueues, list_dead_letter_source_queues, ListDeadLetterSourceQueuesRequest, \
    ListDeadLetterSourceQueuesResult)                                                              \
  X(StartMessageMoveTask, start_message_move_task, StartMessageMoveTaskRequest,                    \
    StartMessageMoveTaskResult)                                                                    \
  X(CancelMessageMoveTask, cancel_message_move_task, CancelMessageMoveTaskRequest,                 \
    CancelMessageMoveTaskResult)                                                                   \
  X(ListMessageMoveTasks, list_message_move_tasks, ListMessageMoveTasksRequest,                    \
    ListMessageMoveTasksResult)                                                                    \
  X(AddPermission, add_permission, AddPermissionRequest, Empty)                                    \
  X(RemovePermission, remove_permission, RemovePermissionRequest, Empty)

#define SQS_PROTOCOL_ACTION(Name, snake, Req, Res)                 \
  template <>                                                      \
  struct Action<Req> {                                             \
    using result_type = Res;                                       \
    static constexpr std::string_view name = #Name;                \
    static constexpr std::string_view target = "AmazonSQS." #Name; \
  };
SQS_FOR_EACH_ACTION(SQS_PROTOCOL_ACTION)
#undef SQS_PROTOCOL_ACTION

template <class Request>
using result_of = typename Action<Request>::result_type;

}  // namespace sqs

#pragma GCC visibility pop

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

#define SQS_PROTOCOL_ACTION(Name, Req, Res)                        \
  template <>                                                      \
  struct Action<Req> {                                             \
    using result_type = Res;                                       \
    static constexpr std::string_view name = #Name;                \
    static constexpr std::string_view target = "AmazonSQS." #Name; \
  };

SQS_PROTOCOL_ACTION(CreateQueue, CreateQueueRequest, CreateQueueResult)
SQS_PROTOCOL_ACTION(DeleteQueue, DeleteQueueRequest, Empty)
SQS_PROTOCOL_ACTION(GetQueueUrl, GetQueueUrlRequest, GetQueueUrlResult)
SQS_PROTOCOL_ACTION(ListQueues, ListQueuesRequest, ListQueuesResult)
SQS_PROTOCOL_ACTION(GetQueueAttributes, GetQueueAttributesRequest, GetQueueAttributesResult)
SQS_PROTOCOL_ACTION(SetQueueAttributes, SetQueueAttributesRequest, Empty)
SQS_PROTOCOL_ACTION(PurgeQueue, PurgeQueueRequest, Empty)
SQS_PROTOCOL_ACTION(SendMessage, SendMessageRequest, SendMessageResult)
SQS_PROTOCOL_ACTION(SendMessageBatch, SendMessageBatchRequest, SendMessageBatchResult)
SQS_PROTOCOL_ACTION(ReceiveMessage, ReceiveMessageRequest, ReceiveMessageResult)
SQS_PROTOCOL_ACTION(DeleteMessage, DeleteMessageRequest, Empty)
SQS_PROTOCOL_ACTION(DeleteMessageBatch, DeleteMessageBatchRequest, BatchResult)
SQS_PROTOCOL_ACTION(ChangeMessageVisibility, ChangeMessageVisibilityRequest, Empty)
SQS_PROTOCOL_ACTION(ChangeMessageVisibilityBatch, ChangeMessageVisibilityBatchRequest, BatchResult)
SQS_PROTOCOL_ACTION(TagQueue, TagQueueRequest, Empty)
SQS_PROTOCOL_ACTION(UntagQueue, UntagQueueRequest, Empty)
SQS_PROTOCOL_ACTION(ListQueueTags, ListQueueTagsRequest, ListQueueTagsResult)
SQS_PROTOCOL_ACTION(ListDeadLetterSourceQueues, ListDeadLetterSourceQueuesRequest,
                    ListDeadLetterSourceQueuesResult)
SQS_PROTOCOL_ACTION(StartMessageMoveTask, StartMessageMoveTaskRequest, StartMessageMoveTaskResult)
SQS_PROTOCOL_ACTION(CancelMessageMoveTask, CancelMessageMoveTaskRequest,
                    CancelMessageMoveTaskResult)
SQS_PROTOCOL_ACTION(ListMessageMoveTasks, ListMessageMoveTasksRequest, ListMessageMoveTasksResult)
SQS_PROTOCOL_ACTION(AddPermission, AddPermissionRequest, Empty)
SQS_PROTOCOL_ACTION(RemovePermission, RemovePermissionRequest, Empty)

#undef SQS_PROTOCOL_ACTION

template <class Request>
using result_of = typename Action<Request>::result_type;

}  // namespace sqs

#pragma GCC visibility pop

// AWS JSON 1.0 encoding of every SQS request and decoding of every answer. Pure functions: no
// I/O, no allocation beyond the output, fuzzable.
#pragma once

#include <string>
#include <string_view>

#include "protocol/actions.hpp"
#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqs::protocol {

// Appends the JSON body of the request to `out` (which the caller may reuse).
// Binary attribute values are base64-encoded here; optionals that are not set are omitted.
void encode(const CreateQueueRequest& r, std::string& out);
void encode(const DeleteQueueRequest& r, std::string& out);
void encode(const GetQueueUrlRequest& r, std::string& out);
void encode(const ListQueuesRequest& r, std::string& out);
void encode(const GetQueueAttributesRequest& r, std::string& out);
void encode(const SetQueueAttributesRequest& r, std::string& out);
void encode(const PurgeQueueRequest& r, std::string& out);
void encode(const SendMessageRequest& r, std::string& out);
void encode(const SendMessageBatchRequest& r, std::string& out);
void encode(const ReceiveMessageRequest& r, std::string& out);
void encode(const DeleteMessageRequest& r, std::string& out);
void encode(const DeleteMessageBatchRequest& r, std::string& out);
void encode(const ChangeMessageVisibilityRequest& r, std::string& out);
void encode(const ChangeMessageVisibilityBatchRequest& r, std::string& out);
void encode(const TagQueueRequest& r, std::string& out);
void encode(const UntagQueueRequest& r, std::string& out);
void encode(const ListQueueTagsRequest& r, std::string& out);
void encode(const ListDeadLetterSourceQueuesRequest& r, std::string& out);
void encode(const StartMessageMoveTaskRequest& r, std::string& out);
void encode(const CancelMessageMoveTaskRequest& r, std::string& out);
void encode(const ListMessageMoveTasksRequest& r, std::string& out);
void encode(const AddPermissionRequest& r, std::string& out);
void encode(const RemovePermissionRequest& r, std::string& out);

// Decodes the body of a successful (2xx) answer into `out`. On malformed JSON or a missing
// required field: an Error of kind `protocol` naming what is wrong.
Result<Empty> decode(std::string_view body, Empty& out);  // accepts "", "{}" or any object
Result<Empty> decode(std::string_view body, CreateQueueResult& out);
Result<Empty> decode(std::string_view body, GetQueueUrlResult& out);
Result<Empty> decode(std::string_view body, ListQueuesResult& out);
Result<Empty> decode(std::string_view body, GetQueueAttributesResult& out);
Result<Empty> decode(std::string_view body, ListQueueTagsResult& out);
Result<Empty> decode(std::string_view body, ListDeadLetterSourceQueuesResult& out);
Result<Empty> decode(std::string_view body, StartMessageMoveTaskResult& out);
Result<Empty> decode(std::string_view body, CancelMessageMoveTaskResult& out);
Result<Empty> decode(std::string_view body, ListMessageMoveTasksResult& out);
Result<Empty> decode(std::string_view body, SendMessageResult& out);
Result<Empty> decode(std::string_view body, SendMessageBatchResult& out);
Result<Empty> decode(std::string_view body, ReceiveMessageResult& out);  // Binary values decoded from base64
Result<Empty> decode(std::string_view body, BatchResult& out);

// Decodes an error answer (HTTP 4xx/5xx): code from `__type` (namespace "com.amazonaws.sqs#"
// stripped) or, failing that, from the x-amzn-query-error header; query_code and sender fault
// from that header ("AWS.SimpleQueueService.NonExistentQueue;Sender"); message from "message"
// or "Message". Sets retryable/throttling (see classify). A body that is not JSON still gives
// a service error with the HTTP status and a code such as "InternalFailure" / "HttpError".
Error decode_error(int http_status, std::string_view body, std::string_view query_error_header,
                   std::string_view request_id);

// Sets retryable and throttling from the code and HTTP status, as AWS "standard" retry mode:
// throttling codes (Throttling, ThrottlingException, ThrottledException, RequestThrottledException,
// TooManyRequestsException, ProvisionedThroughputExceededException, TransactionInProgressException,
// RequestLimitExceeded, BandwidthLimitExceeded, LimitExceededException, RequestThrottled,
// SlowDown, EC2ThrottledException, KmsThrottled? no) and transient ones (RequestTimeout,
// RequestTimeoutException, PriorRequestNotComplete, InternalError, InternalFailure,
// ServiceUnavailable, HTTP 500/502/503/504).
void classify(Error& e);

}  // namespace sqs::protocol

// AWS JSON 1.0 encoding of every SQS request and decoding of every answer. Pure functions: no
// I/O, no allocation beyond the output (decoding reuses a per-thread parser and arena), fuzzable.
// Member names follow the SQS service model (sqs-2012-11-05) exactly.
#pragma once

#include <string>
#include <string_view>

#include "protocol/actions.hpp"
#include "sqs/error.hpp"
#include "sqs/types.hpp"

namespace sqs::protocol {

// Appends the JSON body of the request to `out` (which the caller may reuse).
// Binary attribute values are base64-encoded here; optionals that are not set, and empty
// optional lists and maps, are omitted; required lists and maps (Entries, Tags, TagKeys,
// SetQueueAttributes' Attributes, AWSAccountIds, Actions) are always written. An empty
// GetQueueAttributes attribute_names list is sent as ["All"]. ReceiveMessage sends
// MessageSystemAttributeNames, never the deprecated AttributeNames.
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

// Decodes the body of a successful (2xx) answer into `out` (reset first). On malformed JSON or
// a missing or mistyped member: an Error of kind `protocol` whose code is "InvalidJson",
// "MissingField" or "InvalidField" and whose message names the action and the member; `out` is
// then unspecified. Unknown members are ignored. Integers also accept numeric strings.
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
Result<Empty> decode(std::string_view body,
                     ReceiveMessageResult& out);  // Binary values decoded from base64
Result<Empty> decode(std::string_view body, BatchResult& out);

// Convenience: the decoded result as a value.
template <class T>
Result<T> decode_as(std::string_view body) {
  T out{};
  Result<Empty> r = decode(body, out);
  if (!r) return std::move(r).error();
  return out;
}

// Decodes an error answer (HTTP 4xx/5xx): code from `__type` (namespace "com.amazonaws.sqs#"
// stripped, as is any ":<uri>" suffix; "code"/"Code" also accepted) or, failing that, from the
// x-amzn-query-error header; query_code and sender fault from that header
// ("AWS.SimpleQueueService.NonExistentQueue;Sender"; without the header, sender fault means a
// 4xx status); message from "message" or "Message". Sets retryable/throttling (see classify). A
// body that is not JSON still gives a service error with the HTTP status, a code from the status
// ("ServiceUnavailable" for 503, "TooManyRequestsException" for 429, "InternalFailure" for other
// 5xx, "HttpError" otherwise) and the start of the body as message.
Error decode_error(int http_status, std::string_view body, std::string_view query_error_header,
                   std::string_view request_id);

// Sets retryable and throttling as AWS "standard" retry mode does.
// - service errors: throttling when the code or query code is one of Throttling,
//   ThrottlingException, ThrottledException, RequestThrottledException, TooManyRequestsException,
//   ProvisionedThroughputExceededException, TransactionInProgressException, RequestLimitExceeded,
//   BandwidthLimitExceeded, LimitExceededException, RequestThrottled, SlowDown,
//   EC2ThrottledException, or the status is 429 (KmsThrottled is not: it is the caller's KMS
//   quota); retryable when throttling or transient: RequestTimeout, RequestTimeoutException,
//   PriorRequestNotComplete, InternalError, InternalFailure, ServiceUnavailable, HTTP
//   500/502/503/504.
// - transport and timeout errors: retryable, not throttling.
// - every other kind (validation, checksum, protocol...): neither.
void classify(Error& e);

}  // namespace sqs::protocol

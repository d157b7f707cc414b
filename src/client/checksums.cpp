#include "client/checksums.hpp"

#include "protocol/checksum.hpp"

namespace sqs::client {

std::optional<Error> verify_checksums(const SendMessageRequest& request,
                                      SendMessageResult& result) {
  return protocol::verify(request, result);
}

std::optional<Error> verify_checksums(const SendMessageBatchRequest& request,
                                      SendMessageBatchResult& result) {
  return protocol::verify(request, result);
}

std::optional<Error> verify_checksums(const ReceiveMessageRequest&, ReceiveMessageResult& result) {
  return protocol::verify(result);
}

}  // namespace sqs::client

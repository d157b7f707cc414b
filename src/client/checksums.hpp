// MD5 verification of answers against their requests (protocol/checksum.hpp does the hashing).
#pragma once

#include <optional>

#include "sqs/actions.hpp"
#include "sqs/error.hpp"

namespace sqs::client {

// Most actions carry no checksum.
template <class Request, class Result>
std::optional<Error> verify_checksums(const Request&, Result&) {
  return std::nullopt;
}
// SendMessage: a mismatch fails the call (kind checksum).
std::optional<Error> verify_checksums(const SendMessageRequest& request, SendMessageResult& result);
// SendMessageBatch: an entry whose MD5s do not match is moved to `failed` (code
// "MD5Mismatch", not the sender's fault), so the caller retries just that one.
std::optional<Error> verify_checksums(const SendMessageBatchRequest& request,
                                      SendMessageBatchResult& result);
// ReceiveMessage: any mismatch fails the whole receive; the messages become visible again
// after their visibility timeout, so nothing is lost.
std::optional<Error> verify_checksums(const ReceiveMessageRequest& request,
                                      ReceiveMessageResult& result);

}  // namespace sqs::client

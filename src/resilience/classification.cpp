// Which errors count against a queue. The rule of thumb: an error that says "this queue, from
// here, is not working" is a failure; an error that says "this call was wrong" is not, since a
// caller's bad input must not take a whole region out of rotation.
#include <algorithm>
#include <array>
#include <string_view>

#include "sqs/circuit_breaker.hpp"

namespace sqs {
namespace {

// Codes arrive bare ("QueueDoesNotExist"); be lenient with a JSON `__type` left namespaced.
std::string_view bare(std::string_view code) noexcept {
  const auto hash = code.rfind('#');
  return hash == std::string_view::npos ? code : code.substr(hash + 1);
}

template <std::size_t N>
bool one_of(const Error& e, const std::array<std::string_view, N>& codes) noexcept {
  const auto has = [&](std::string_view c) {
    return !c.empty() && std::find(codes.begin(), codes.end(), c) != codes.end();
  };
  return has(bare(e.code)) || has(e.query_code);
}

constexpr std::array<std::string_view, 24> kUnusable = {
    // The queue is not there.
    "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
    // The credentials are refused, expired, or lack access.
    "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "AccessDeniedException",
    "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException", "IncompleteSignature",
    "InvalidSecurity", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
    "InvalidSignatureException", "RequestExpired", "AuthFailure", "OptInRequired",
    // The queue's KMS key cannot be used: nothing can be sent or received.
    "KmsAccessDenied", "KmsDisabled", "KmsInvalidKeyUsage", "KmsInvalidState", "KmsNotFound",
    "KmsOptInRequired", "KMS.AccessDeniedException"};

constexpr std::array<std::string_view, 14> kThrottling = {"Throttling",
                                                          "ThrottlingException",
                                                          "ThrottledException",
                                                          "RequestThrottledException",
                                                          "TooManyRequestsException",
                                                          "ProvisionedThroughputExceededException",
                                                          "TransactionInProgressException",
                                                          "RequestLimitExceeded",
                                                          "BandwidthLimitExceeded",
                                                          "LimitExceededException",
                                                          "RequestThrottled",
                                                          "SlowDown",
                                                          "PriorRequestNotComplete",
                                                          "KmsThrottled"};

}  // namespace

bool makes_queue_unusable(const Error& error) noexcept {
  return one_of(error, kUnusable);
}

bool is_throttling_error(const Error& error) noexcept {
  return error.throttling || error.http_status == 429 || one_of(error, kThrottling);
}

CallOutcome default_call_outcome(const Error& error, const CircuitBreakerOptions& options) {
  switch (error.kind) {
    case ErrorKind::circuit_open:
    case ErrorKind::bulkhead_full:  // refused before sending: says nothing of the queue
    case ErrorKind::validation:
      return CallOutcome::ignore;
    case ErrorKind::cancelled:
      if (error.code == kDeadlineExceededCode) {
        return options.fail_on_deadline ? CallOutcome::failure : CallOutcome::ignore;
      }
      return options.fail_on_cancel ? CallOutcome::failure : CallOutcome::ignore;
    case ErrorKind::transport:
    case ErrorKind::timeout:
    case ErrorKind::checksum:
    case ErrorKind::protocol:
    case ErrorKind::configuration:
      return CallOutcome::failure;
    case ErrorKind::service:
      break;
  }
  if (error.http_status >= 500 || is_throttling_error(error) || makes_queue_unusable(error)) {
    return CallOutcome::failure;
  }
  const bool senders_fault =
      error.sender_fault || (error.http_status >= 400 && error.http_status < 500);
  return senders_fault ? CallOutcome::ignore : CallOutcome::failure;
}

}  // namespace sqs

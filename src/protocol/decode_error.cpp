// Error answers of SQS and their classification for the AWS "standard" retry mode.
#include <algorithm>
#include <array>

#include "protocol/codec.hpp"
#include "protocol/json_reader.hpp"

namespace sqs::protocol {
namespace {

using namespace std::string_view_literals;

// Error codes the AWS SDKs treat as throttling (retried with the longer throttling backoff).
constexpr std::array kThrottlingCodes = {
    "Throttling"sv,
    "ThrottlingException"sv,
    "ThrottledException"sv,
    "RequestThrottledException"sv,
    "TooManyRequestsException"sv,
    "ProvisionedThroughputExceededException"sv,
    "TransactionInProgressException"sv,
    "RequestLimitExceeded"sv,
    "BandwidthLimitExceeded"sv,
    "LimitExceededException"sv,
    "RequestThrottled"sv,
    "SlowDown"sv,
    "EC2ThrottledException"sv,
};

// Transient service-side failures, retried with the short backoff.
constexpr std::array kTransientCodes = {
    "RequestTimeout"sv, "RequestTimeoutException"sv, "PriorRequestNotComplete"sv,
    "InternalError"sv,  "InternalFailure"sv,         "ServiceUnavailable"sv,
};

bool contains(const auto& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

// "com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist"; some services also append
// ":<uri>" to the code, which is not part of it.
std::string_view sanitize_code(std::string_view type) {
  if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) type = type.substr(hash + 1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return type;
}

std::string_view code_for_status(int status) {
  switch (status) {
    case 503:
      return "ServiceUnavailable";
    case 429:
      return "TooManyRequestsException";
    default:
      return status >= 500 ? "InternalFailure" : "HttpError";
  }
}

// Keeps an HTML or text error page readable in a log line.
std::string excerpt(std::string_view body) {
  constexpr std::size_t kMax = 256;
  std::string s(body.substr(0, kMax));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (body.size() > kMax) s += "...";
  return s;
}

// Reads code and message from a JSON error body; false when the body is not a JSON object.
bool read_json_error(std::string_view body, std::string& code, std::string& message) {
  detail::ParsedJson parsed;
  std::string reason;
  if (!parsed.parse(body, reason) || !parsed.value().is_object()) return false;
  const auto& o = parsed.value().get_object();
  auto text = [&](std::string_view key) -> std::string_view {
    const auto* v = detail::member(o, key);
    return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
  };
  std::string_view type = text("__type");
  if (type.empty()) type = text("code");
  if (type.empty()) type = text("Code");
  code.assign(sanitize_code(type));
  std::string_view msg = text("message");
  if (msg.empty()) msg = text("Message");
  if (msg.empty()) msg = text("errorMessage");
  message.assign(msg);
  return true;
}

}  // namespace

Error decode_error(int http_status, std::string_view body, std::string_view query_error_header,
                   std::string_view request_id) {
  Error e;
  e.kind = ErrorKind::service;
  e.http_status = http_status;
  e.request_id.assign(request_id);

  const bool json = read_json_error(body, e.code, e.message);

  // "AWS.SimpleQueueService.NonExistentQueue;Sender"
  bool fault_known = false;
  if (!query_error_header.empty()) {
    const auto semi = query_error_header.find(';');
    e.query_code.assign(sanitize_code(query_error_header.substr(0, semi)));
    if (semi != std::string_view::npos) {
      const std::string_view fault = query_error_header.substr(semi + 1);
      if (fault == "Sender") {
        e.sender_fault = true;
        fault_known = true;
      } else if (fault == "Receiver") {
        fault_known = true;
      }
    }
  }
  if (!fault_known) e.sender_fault = http_status >= 400 && http_status < 500;

  if (e.code.empty()) e.code = e.query_code;
  if (e.code.empty()) e.code.assign(code_for_status(http_status));
  if (e.message.empty()) {
    e.message = !json && !body.empty()
                    ? excerpt(body)
                    : "HTTP " + std::to_string(http_status) + " without a message";
  }
  classify(e);
  return e;
}

void classify(Error& e) {
  switch (e.kind) {
    case ErrorKind::transport:
    case ErrorKind::timeout:
      // The request may not have arrived or its answer got lost: both retried by AWS SDKs.
      e.throttling = false;
      e.retryable = true;
      return;
    case ErrorKind::service:
      break;
    default:
      e.throttling = false;
      e.retryable = false;
      return;
  }
  e.throttling = contains(kThrottlingCodes, e.code) || contains(kThrottlingCodes, e.query_code) ||
                 e.http_status == 429;
  const bool transient = contains(kTransientCodes, e.code) ||
                         contains(kTransientCodes, e.query_code) || e.http_status == 500 ||
                         e.http_status == 502 || e.http_status == 503 || e.http_status == 504;
  e.retryable = e.throttling || transient;
}

}  // namespace sqs::protocol

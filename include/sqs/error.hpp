// Errors are values: every operation completes with a Result<T> that holds either the value or
// an sqs::Error saying what went wrong and what to do next (retry? whose fault?).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

enum class ErrorKind {
  transport,      // connection refused / reset, DNS, TLS: the request may not have arrived
  timeout,        // connect or request deadline passed
  service,        // SQS answered with an error (code, HTTP status, request id set)
  validation,     // rejected before anything was sent (code names the rule)
  checksum,       // an MD5 in the answer does not match what was sent or received
  circuit_open,   // the queue's circuit breaker refused the call without touching the network
  bulkhead_full,  // the queue already had as many calls in flight as its bulkhead allows:
                  // refused at once, without touching the network (try another queue, or later)
  cancelled,      // the client was destroyed or the call cancelled while in flight
  protocol,       // the answer could not be understood (malformed JSON, missing field)
  configuration,  // no region, no credentials, bad endpoint URL...
};

std::string_view to_string(ErrorKind kind) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::service;
  // Short AWS code (the JSON `__type` without its namespace), e.g. "QueueDoesNotExist".
  // For validation errors, the name of the rule that failed, e.g. "MessageTooLong".
  std::string code;
  // Legacy query-protocol code from `x-amzn-query-error`, e.g.
  // "AWS.SimpleQueueService.NonExistentQueue" (empty when the service sent none).
  std::string query_code;
  std::string message;
  int http_status = 0;     // 0 when no HTTP answer was received
  std::string request_id;  // x-amzn-RequestId of the failing answer, when there is one
  bool sender_fault = false;
  bool retryable = false;
  bool throttling = false;
  // True when the request may have been processed although the call failed: an attempt's
  // request reached the wire and its outcome is unknown (a timeout, a connection that broke
  // after sending, a 5xx answer, a 2xx answer that could not be read or failed its checksum).
  // A failed send with this flag may have put the message in the queue (perhaps more than
  // once, if several attempts were unanswered); one without it did not: the call failed before
  // any request was sent, or every attempt was refused (connection refused, a 4xx answer).
  bool maybe_processed = false;

  // "CODE: message (HTTP 400, request id ...)" — never contains credentials.
  std::string to_string() const;

  static Error validation(std::string rule, std::string message) {
    Error e;
    e.kind = ErrorKind::validation;
    e.code = std::move(rule);
    e.message = std::move(message);
    e.sender_fault = true;
    return e;
  }
  static Error make(ErrorKind kind, std::string code, std::string message) {
    Error e;
    e.kind = kind;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
  }
};

// Thrown only by Result::value() on an error, for callers who prefer exceptions.
class Exception : public std::runtime_error {
 public:
  explicit Exception(Error error)
      : std::runtime_error(error.to_string()), error_(std::move(error)) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// The value of operations that answer nothing but success.
struct Empty {
  friend bool operator==(const Empty&, const Empty&) = default;
};

// Expected-like: a T or an Error. Cheap to move; never throws unless value() is called on an
// error.
template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    throw_if_error();
    return std::get<0>(v_);
  }
  const T& value() const& {
    throw_if_error();
    return std::get<0>(v_);
  }
  T&& value() && {
    throw_if_error();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & noexcept { return *std::get_if<0>(&v_); }
  const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
  T* operator->() noexcept { return std::get_if<0>(&v_); }
  const T* operator->() const noexcept { return std::get_if<0>(&v_); }

  // Precondition: !has_value().
  const Error& error() const& noexcept { return *std::get_if<1>(&v_); }
  Error& error() & noexcept { return *std::get_if<1>(&v_); }
  Error&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

 private:
  void throw_if_error() const {
    if (v_.index() == 1) throw Exception(std::get<1>(v_));
  }
  std::variant<T, Error> v_;
};

}  // namespace sqs

#pragma GCC visibility pop

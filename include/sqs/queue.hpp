// sqs::Queue — a client bound to one queue, found once by name (GetQueueUrl) or given by URL,
// so that every call takes only what matters. Every SQS limit is checked before anything is
// sent (an Error of kind `validation` naming the rule and the offending value); a batch with one
// bad entry sends nothing. Batch results are reported by the index of the input entry.
//
// Every operation has a sync form (`send`) and an async form (`async_send`) taking any Asio
// completion token with signature void(sqs::Result<R>).
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sqs/client.hpp"
#include "sqs/types.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

// Raw bytes, sent as a Binary attribute.
struct Bytes {
  std::string data;
};

// Options of one message sent. Attributes are given as plain values: a string becomes a String
// attribute, an integer a Number one, Bytes a Binary one; MessageAttributeValue for custom types
// ("Number.float", "Binary.gif").
struct SendOptions {
  std::optional<int> delay_seconds;  // 0..900; not allowed per message on FIFO queues
  MessageAttributes attributes;
  // FIFO: the ordering group (required). Standard queues: optional, the tenant of a fair queue.
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;  // FIFO, <= 128 chars
  std::optional<std::string> aws_trace_header;  // the AWSTraceHeader system attribute

  SendOptions& attribute(std::string name, std::string_view value) {
    attributes[std::move(name)] = MessageAttributeValue::string(std::string(value));
    return *this;
  }
  SendOptions& attribute(std::string name, const char* value) {
    return attribute(std::move(name), std::string_view(value));
  }
  template <std::integral I>
  SendOptions& attribute(std::string name, I value) {
    attributes[std::move(name)] = MessageAttributeValue::number(std::to_string(value));
    return *this;
  }
  SendOptions& attribute(std::string name, Bytes value) {
    attributes[std::move(name)] = MessageAttributeValue::binary(std::move(value.data));
    return *this;
  }
  SendOptions& attribute(std::string name, MessageAttributeValue value) {
    attributes[std::move(name)] = std::move(value);
    return *this;
  }
};

// One entry of send_batch: a body and its own options.
struct OutgoingMessage {
  std::string body;
  SendOptions options;
};

struct BatchSendSuccess {
  std::size_t index;  // position in the input
  std::string message_id;
  std::optional<std::string> sequence_number;
};
struct BatchFailure {
  std::size_t index;  // position in the input
  std::string code;
  std::string message;
  bool sender_fault = false;  // true: retrying the same entry will fail again
  // True: the entry may have been sent anyway (see Error::maybe_processed): a batch whose
  // request went out without a usable answer, on this or an earlier queue of a failover.
  bool maybe_processed = false;
};
struct BatchSendResult {
  std::vector<BatchSendSuccess> successful;  // sorted by index
  std::vector<BatchFailure> failed;          // sorted by index
  bool all_succeeded() const noexcept { return failed.empty(); }
};
// Answer of delete_batch and change_visibility_batch.
struct BatchOutcome {
  std::vector<std::size_t> successful;  // input indices, sorted
  std::vector<BatchFailure> failed;
  bool all_succeeded() const noexcept { return failed.empty(); }
};

struct ReceiveOptions {
  std::optional<int> max_messages;        // 1..10 (SQS default 1)
  std::optional<int> wait_time_seconds;   // 0..20, long poll
  std::optional<int> visibility_timeout;  // 0..43200
  // System attributes to return ("All" or names such as "ApproximateReceiveCount").
  std::vector<std::string> attribute_names;
  // Message attributes to return ("All" or names, "prefix.*").
  std::vector<std::string> message_attribute_names;
  std::optional<std::string> receive_request_attempt_id;  // FIFO: safe retries of a receive
};

struct VisibilityChange {
  std::string receipt_handle;
  int visibility_timeout = 0;
};

class Queue {
 public:
  // Binds to a known queue URL (no network).
  Queue(const Client& client, std::string queue_url);
  // A Queue is a small value: a copy holds another handle to the same client (same connections,
  // same event loop), so queues can go into containers and initializer lists.
  Queue(const Queue& other)
      : client_(other.client_.handle()), url_(other.url_), name_(other.name_), fifo_(other.fifo_) {}
  Queue& operator=(const Queue& other) {
    if (this != &other) *this = Queue(other);
    return *this;
  }
  Queue(Queue&&) noexcept = default;
  Queue& operator=(Queue&&) noexcept = default;

  // Finds the URL of a queue by name (GetQueueUrl); a URL ("https://..." or "http://...") is
  // taken as is.
  static Result<Queue> open(const Client& client, const std::string& name_or_url);
  template <class CompletionToken>
  static auto async_open(const Client& client, const std::string& name_or_url,
                         CompletionToken&& token);

  const std::string& url() const noexcept { return url_; }
  const std::string& name() const noexcept { return name_; }
  bool is_fifo() const noexcept { return fifo_; }
  const Client& client() const noexcept { return client_; }

  // ---- building the raw requests (validated, not sent); used by every form below ----
  Result<SendMessageRequest> make_send(std::string body, const SendOptions& options = {}) const;
  Result<SendMessageBatchRequest> make_send_batch(
      const std::vector<OutgoingMessage>& messages) const;
  Result<ReceiveMessageRequest> make_receive(const ReceiveOptions& options = {}) const;
  Result<DeleteMessageBatchRequest> make_delete_batch(
      const std::vector<std::string>& receipt_handles) const;
  Result<ChangeMessageVisibilityBatchRequest> make_change_visibility_batch(
      const std::vector<VisibilityChange>& changes) const;
  // Maps a batch answer back to input indices (entry ids are the indices "0".."9").
  static BatchSendResult to_batch_send_result(SendMessageBatchResult&& r);
  static BatchOutcome to_batch_outcome(BatchResult&& r);

  // ---- sync ----
  Result<SendMessageResult> send(std::string body, const SendOptions& options = {}) const;
  Result<BatchSendResult> send_batch(const std::vector<OutgoingMessage>& messages) const;
  Result<std::vector<Message>> receive(const ReceiveOptions& options = {}) const;
  Result<Empty> delete_message(std::string receipt_handle) const;
  Result<BatchOutcome> delete_batch(const std::vector<std::string>& receipt_handles) const;
  Result<Empty> change_visibility(std::string receipt_handle, int visibility_timeout) const;
  Result<BatchOutcome> change_visibility_batch(const std::vector<VisibilityChange>& changes) const;
  Result<Empty> purge() const;
  Result<Empty> delete_queue() const;
  Result<StringMap> attributes(std::vector<std::string> names = {}) const;
  Result<Empty> set_attributes(StringMap attributes) const;

  // ---- async: same operations, any completion token, signature void(Result<R>) ----
  template <class Token>
  auto async_send(std::string body, const SendOptions& options, Token&& token) const;
  template <class Token>
  auto async_send_batch(const std::vector<OutgoingMessage>& messages, Token&& token) const;
  template <class Token>
  auto async_receive(const ReceiveOptions& options, Token&& token) const;
  template <class Token>
  auto async_delete_message(std::string receipt_handle, Token&& token) const;
  template <class Token>
  auto async_delete_batch(const std::vector<std::string>& receipt_handles, Token&& token) const;
  template <class Token>
  auto async_change_visibility(std::string receipt_handle, int visibility_timeout,
                               Token&& token) const;
  template <class Token>
  auto async_change_visibility_batch(const std::vector<VisibilityChange>& changes,
                                     Token&& token) const;
  template <class Token>
  auto async_purge(Token&& token) const;
  template <class Token>
  auto async_delete_queue(Token&& token) const;
  template <class Token>
  auto async_attributes(std::vector<std::string> names, Token&& token) const;
  template <class Token>
  auto async_set_attributes(StringMap attributes, Token&& token) const;

  // The type-erased entry points behind the async forms (and the multiqueue executors):
  // `done` runs exactly once on the client's executor; a connected `slot` cancels the call
  // (client.hpp, "Cancelling a call").
  using SendHandler = detail::UniqueFunction<void(Result<SendMessageResult>)>;
  using BatchSendHandler = detail::UniqueFunction<void(Result<BatchSendResult>)>;
  using ReceiveHandler = detail::UniqueFunction<void(Result<std::vector<Message>>)>;
  using EmptyHandler = detail::UniqueFunction<void(Result<Empty>)>;
  using BatchOutcomeHandler = detail::UniqueFunction<void(Result<BatchOutcome>)>;
  using AttributesHandler = detail::UniqueFunction<void(Result<StringMap>)>;
  void start_send(std::string body, const SendOptions& options, SendHandler done,
                  boost::asio::cancellation_slot slot = {}) const;
  void start_send_batch(const std::vector<OutgoingMessage>& messages, BatchSendHandler done,
                        boost::asio::cancellation_slot slot = {}) const;
  void start_receive(const ReceiveOptions& options, ReceiveHandler done,
                     boost::asio::cancellation_slot slot = {}) const;
  void start_delete_message(std::string receipt_handle, EmptyHandler done,
                            boost::asio::cancellation_slot slot = {}) const;
  void start_delete_batch(const std::vector<std::string>& receipt_handles, BatchOutcomeHandler done,
                          boost::asio::cancellation_slot slot = {}) const;
  void start_change_visibility(std::string receipt_handle, int visibility_timeout,
                               EmptyHandler done, boost::asio::cancellation_slot slot = {}) const;
  void start_change_visibility_batch(const std::vector<VisibilityChange>& changes,
                                     BatchOutcomeHandler done,
                                     boost::asio::cancellation_slot slot = {}) const;
  void start_purge(EmptyHandler done, boost::asio::cancellation_slot slot = {}) const;
  void start_delete_queue(EmptyHandler done, boost::asio::cancellation_slot slot = {}) const;
  void start_attributes(std::vector<std::string> names, AttributesHandler done,
                        boost::asio::cancellation_slot slot = {}) const;
  void start_set_attributes(StringMap attributes, EmptyHandler done,
                            boost::asio::cancellation_slot slot = {}) const;

 private:
  template <class R, class Token, class Start>
  auto initiate(Token&& token, Start&& start) const;
  template <class R, class Start>
  Result<R> block(Start&& start) const;

  Client client_;  // a handle (not the owner)
  std::string url_;
  std::string name_;
  bool fifo_ = false;
};

// Splits messages into SQS batches: at most 10 entries and at most `max_payload_bytes` of
// payload each, in input order. Returns the input indices of each batch. A single message over
// the limit gets a batch of its own (and its validation error when sent).
std::vector<std::vector<std::size_t>> plan_batches(const std::vector<OutgoingMessage>& messages,
                                                   std::size_t max_payload_bytes = 1048576);

// Size SQS counts for a message: body + every attribute's name, type and value.
std::size_t message_size(const std::string& body, const MessageAttributes& attributes);

}  // namespace sqs

#include "sqs/impl/queue.ipp"

#pragma GCC visibility pop

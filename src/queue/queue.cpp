#include "sqs/queue.hpp"

#include <algorithm>

#include "client/validation.hpp"
#include "queue/sync_wait.hpp"

namespace sqs {
namespace {

std::string name_from_url(const std::string& url) {
  auto slash = url.find_last_of('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

client::Limits limits_of(const Client& c) {
  return {c.config().max_message_bytes};
}

template <class Entry>
void apply_options(Entry& e, const SendOptions& o) {
  e.delay_seconds = o.delay_seconds;
  e.message_attributes = o.attributes;
  e.message_group_id = o.group_id;
  e.message_deduplication_id = o.deduplication_id;
  if (o.aws_trace_header) {
    e.message_system_attributes["AWSTraceHeader"] =
        MessageAttributeValue::string(*o.aws_trace_header);
  }
}

std::size_t index_of(const std::string& id) {
  std::size_t n = 0;
  for (char c : id) n = n * 10 + static_cast<std::size_t>(c - '0');
  return n;
}

template <class In, class Out, class Map>
detail::UniqueFunction<void(Result<In>)> mapped(detail::UniqueFunction<void(Result<Out>)> done,
                                                Map map) {
  return [done = std::move(done), map = std::move(map)](Result<In> r) mutable {
    if (!r) return done(std::move(r).error());
    done(map(std::move(*r)));
  };
}

}  // namespace

Queue::Queue(const Client& client, std::string queue_url)
    : client_(client.handle()), url_(std::move(queue_url)) {
  name_ = name_from_url(url_);
  fifo_ = client::is_fifo_url(url_);
}

Result<Queue> Queue::open(const Client& client, const std::string& name_or_url) {
  if (name_or_url.rfind("https://", 0) == 0 || name_or_url.rfind("http://", 0) == 0) {
    return Queue(client, name_or_url);
  }
  Client c = client.handle();
  GetQueueUrlRequest request;
  request.queue_name = name_or_url;
  auto r = c.get_queue_url(std::move(request));
  if (!r) return std::move(r).error();
  return Queue(client, std::move(r->queue_url));
}

std::size_t message_size(const std::string& body, const MessageAttributes& attributes) {
  return client::message_size(body, attributes);
}

std::vector<std::vector<std::size_t>> plan_batches(const std::vector<OutgoingMessage>& messages,
                                                   std::size_t max_payload_bytes) {
  std::vector<std::vector<std::size_t>> batches;
  std::size_t payload = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto size = client::message_size(messages[i].body, messages[i].options.attributes);
    if (batches.empty() || batches.back().size() == 10 ||
        (!batches.back().empty() && payload + size > max_payload_bytes)) {
      batches.emplace_back();
      payload = 0;
    }
    batches.back().push_back(i);
    payload += size;
  }
  return batches;
}

// ---- request builders --------------------------------------------------------------------
// build_*: the request, unchecked; make_* (public): the request, checked against every limit.
// The async entry points use build_*: the client checks each request before sending it, and
// checking a body twice is CPU spent for nothing.

namespace {

SendMessageRequest build_send(const std::string& url, std::string body,
                              const SendOptions& options) {
  SendMessageRequest r;
  r.queue_url = url;
  r.message_body = std::move(body);
  apply_options(r, options);
  return r;
}

SendMessageBatchRequest build_send_batch(const std::string& url,
                                         const std::vector<OutgoingMessage>& messages) {
  SendMessageBatchRequest r;
  r.queue_url = url;
  r.entries.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    SendMessageBatchRequestEntry e;
    e.id = std::to_string(i);  // the index: answers map back to the input
    e.message_body = messages[i].body;
    apply_options(e, messages[i].options);
    r.entries.push_back(std::move(e));
  }
  return r;
}

ReceiveMessageRequest build_receive(const std::string& url, const ReceiveOptions& o) {
  ReceiveMessageRequest r;
  r.queue_url = url;
  r.max_number_of_messages = o.max_messages;
  r.wait_time_seconds = o.wait_time_seconds;
  r.visibility_timeout = o.visibility_timeout;
  r.message_system_attribute_names = o.attribute_names;
  r.message_attribute_names = o.message_attribute_names;
  r.receive_request_attempt_id = o.receive_request_attempt_id;
  return r;
}

DeleteMessageBatchRequest build_delete_batch(const std::string& url,
                                             const std::vector<std::string>& receipt_handles) {
  DeleteMessageBatchRequest r;
  r.queue_url = url;
  for (std::size_t i = 0; i < receipt_handles.size(); ++i) {
    r.entries.push_back({std::to_string(i), receipt_handles[i]});
  }
  return r;
}

ChangeMessageVisibilityBatchRequest build_change_visibility_batch(
    const std::string& url, const std::vector<VisibilityChange>& changes) {
  ChangeMessageVisibilityBatchRequest r;
  r.queue_url = url;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    r.entries.push_back(
        {std::to_string(i), changes[i].receipt_handle, changes[i].visibility_timeout});
  }
  return r;
}

}  // namespace

Result<SendMessageRequest> Queue::make_send(std::string body, const SendOptions& options) const {
  auto r = build_send(url_, std::move(body), options);
  if (auto e = client::validate(r, limits_of(client_))) return std::move(*e);
  return r;
}

Result<SendMessageBatchRequest> Queue::make_send_batch(
    const std::vector<OutgoingMessage>& messages) const {
  auto r = build_send_batch(url_, messages);
  if (auto e = client::validate(r, limits_of(client_))) return std::move(*e);
  return r;
}

Result<ReceiveMessageRequest> Queue::make_receive(const ReceiveOptions& o) const {
  auto r = build_receive(url_, o);
  if (auto e = client::validate(r, limits_of(client_))) return std::move(*e);
  return r;
}

Result<DeleteMessageBatchRequest> Queue::make_delete_batch(
    const std::vector<std::string>& receipt_handles) const {
  auto r = build_delete_batch(url_, receipt_handles);
  if (auto e = client::validate(r, limits_of(client_))) return std::move(*e);
  return r;
}

Result<ChangeMessageVisibilityBatchRequest> Queue::make_change_visibility_batch(
    const std::vector<VisibilityChange>& changes) const {
  auto r = build_change_visibility_batch(url_, changes);
  if (auto e = client::validate(r, limits_of(client_))) return std::move(*e);
  return r;
}

BatchSendResult Queue::to_batch_send_result(SendMessageBatchResult&& r) {
  BatchSendResult out;
  for (auto& s : r.successful) {
    out.successful.push_back(
        {index_of(s.id), std::move(s.message_id), std::move(s.sequence_number)});
  }
  for (auto& f : r.failed) {
    out.failed.push_back({index_of(f.id), std::move(f.code), std::move(f.message), f.sender_fault});
  }
  std::sort(out.successful.begin(), out.successful.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  std::sort(out.failed.begin(), out.failed.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

BatchOutcome Queue::to_batch_outcome(BatchResult&& r) {
  BatchOutcome out;
  for (auto& id : r.successful) out.successful.push_back(index_of(id));
  for (auto& f : r.failed) {
    out.failed.push_back({index_of(f.id), std::move(f.code), std::move(f.message), f.sender_fault});
  }
  std::sort(out.successful.begin(), out.successful.end());
  std::sort(out.failed.begin(), out.failed.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

// ---- async entry points --------------------------------------------------------------------

void Queue::start_send(std::string body, const SendOptions& options, SendHandler done,
                       boost::asio::cancellation_slot slot) const {
  client_.start(build_send(url_, std::move(body), options), std::move(done), slot);
}

void Queue::start_send_batch(const std::vector<OutgoingMessage>& messages, BatchSendHandler done,
                             boost::asio::cancellation_slot slot) const {
  client_.start(
      build_send_batch(url_, messages),
      mapped<SendMessageBatchResult, BatchSendResult>(
          std::move(done),
          [](SendMessageBatchResult&& res) { return to_batch_send_result(std::move(res)); }),
      slot);
}

void Queue::start_receive(const ReceiveOptions& options, ReceiveHandler done,
                          boost::asio::cancellation_slot slot) const {
  client_.start(
      build_receive(url_, options),
      mapped<ReceiveMessageResult, std::vector<Message>>(
          std::move(done), [](ReceiveMessageResult&& res) { return std::move(res.messages); }),
      slot);
}

void Queue::start_delete_message(std::string receipt_handle, EmptyHandler done,
                                 boost::asio::cancellation_slot slot) const {
  client_.start(DeleteMessageRequest{url_, std::move(receipt_handle)}, std::move(done), slot);
}

void Queue::start_delete_batch(const std::vector<std::string>& receipt_handles,
                               BatchOutcomeHandler done,
                               boost::asio::cancellation_slot slot) const {
  client_.start(
      build_delete_batch(url_, receipt_handles),
      mapped<BatchResult, BatchOutcome>(
          std::move(done), [](BatchResult&& res) { return to_batch_outcome(std::move(res)); }),
      slot);
}

void Queue::start_change_visibility(std::string receipt_handle, int visibility_timeout,
                                    EmptyHandler done, boost::asio::cancellation_slot slot) const {
  client_.start(ChangeMessageVisibilityRequest{url_, std::move(receipt_handle), visibility_timeout},
                std::move(done), slot);
}

void Queue::start_change_visibility_batch(const std::vector<VisibilityChange>& changes,
                                          BatchOutcomeHandler done,
                                          boost::asio::cancellation_slot slot) const {
  client_.start(
      build_change_visibility_batch(url_, changes),
      mapped<BatchResult, BatchOutcome>(
          std::move(done), [](BatchResult&& res) { return to_batch_outcome(std::move(res)); }),
      slot);
}

void Queue::start_purge(EmptyHandler done, boost::asio::cancellation_slot slot) const {
  client_.start(PurgeQueueRequest{url_}, std::move(done), slot);
}

void Queue::start_delete_queue(EmptyHandler done, boost::asio::cancellation_slot slot) const {
  client_.start(DeleteQueueRequest{url_}, std::move(done), slot);
}

void Queue::start_attributes(std::vector<std::string> names, AttributesHandler done,
                             boost::asio::cancellation_slot slot) const {
  client_.start(GetQueueAttributesRequest{url_, std::move(names)},
                mapped<GetQueueAttributesResult, StringMap>(
                    std::move(done),
                    [](GetQueueAttributesResult&& res) { return std::move(res.attributes); }),
                slot);
}

void Queue::start_set_attributes(StringMap attributes, EmptyHandler done,
                                 boost::asio::cancellation_slot slot) const {
  client_.start(SetQueueAttributesRequest{url_, std::move(attributes)}, std::move(done), slot);
}

// ---- sync forms ------------------------------------------------------------------------------

template <class R, class Start>
Result<R> Queue::block(Start&& start) const {
  return detail::sync_wait<R>(client_, std::forward<Start>(start));
}

Result<SendMessageResult> Queue::send(std::string body, const SendOptions& options) const {
  return block<SendMessageResult>(
      [&](SendHandler h) { start_send(std::move(body), options, std::move(h)); });
}
Result<BatchSendResult> Queue::send_batch(const std::vector<OutgoingMessage>& messages) const {
  return block<BatchSendResult>(
      [&](BatchSendHandler h) { start_send_batch(messages, std::move(h)); });
}
Result<std::vector<Message>> Queue::receive(const ReceiveOptions& options) const {
  return block<std::vector<Message>>(
      [&](ReceiveHandler h) { start_receive(options, std::move(h)); });
}
Result<Empty> Queue::delete_message(std::string receipt_handle) const {
  return block<Empty>(
      [&](EmptyHandler h) { start_delete_message(std::move(receipt_handle), std::move(h)); });
}
Result<BatchOutcome> Queue::delete_batch(const std::vector<std::string>& receipt_handles) const {
  return block<BatchOutcome>(
      [&](BatchOutcomeHandler h) { start_delete_batch(receipt_handles, std::move(h)); });
}
Result<Empty> Queue::change_visibility(std::string receipt_handle, int visibility_timeout) const {
  return block<Empty>([&](EmptyHandler h) {
    start_change_visibility(std::move(receipt_handle), visibility_timeout, std::move(h));
  });
}
Result<BatchOutcome> Queue::change_visibility_batch(
    const std::vector<VisibilityChange>& changes) const {
  return block<BatchOutcome>(
      [&](BatchOutcomeHandler h) { start_change_visibility_batch(changes, std::move(h)); });
}
Result<Empty> Queue::purge() const {
  return block<Empty>([&](EmptyHandler h) { start_purge(std::move(h)); });
}
Result<Empty> Queue::delete_queue() const {
  return block<Empty>([&](EmptyHandler h) { start_delete_queue(std::move(h)); });
}
Result<StringMap> Queue::attributes(std::vector<std::string> names) const {
  return block<StringMap>(
      [&](AttributesHandler h) { start_attributes(std::move(names), std::move(h)); });
}
Result<Empty> Queue::set_attributes(StringMap attributes) const {
  return block<Empty>(
      [&](EmptyHandler h) { start_set_attributes(std::move(attributes), std::move(h)); });
}

}  // namespace sqs

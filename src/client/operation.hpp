// One SQS call: the attempt loop sign -> send -> classify -> (back off, retry) -> decode ->
// verify MD5s -> complete. Runs on the client's executor; completes exactly once.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "client/checksums.hpp"
#include "client/client_impl.hpp"
#include "client/validation.hpp"
#include "protocol/codec.hpp"

namespace sqs::detail {

// Error of a failed exchange that got no HTTP answer.
Error transport_error(const boost::system::error_code& ec, std::chrono::milliseconds timeout);
// The request of one attempt: headers signed for `now`.
Result<http::Request> make_http_request(ClientImpl& client, std::string_view target,
                                        const std::string& body);
// The id of a failed answer (x-amzn-RequestId, or x-amz-request-id).
std::string_view request_id_of(const http::Response& response);
// Back-off delay of AWS standard mode before retry number `retry` (1-based).
std::chrono::milliseconds backoff_delay(ClientImpl& client, const Error& error, int retry);
Error cancelled_error();

template <class Request>
std::chrono::milliseconds attempt_timeout(const ClientConfig& c, const Request&) {
  return c.request_timeout;
}
// A long poll's timeout always exceeds its wait; an unset wait may be the queue's default,
// which is at most 20 s.
inline std::chrono::milliseconds attempt_timeout(const ClientConfig& c,
                                                 const ReceiveMessageRequest& r) {
  return c.request_timeout + std::chrono::seconds(r.wait_time_seconds.value_or(20));
}

template <class Request>
class Operation final : public Cancellable,
                        public std::enable_shared_from_this<Operation<Request>> {
 public:
  using R = result_of<Request>;
  using Done = UniqueFunction<void(Result<R>)>;

  Operation(std::shared_ptr<ClientImpl> client, Request request, Done done)
      : client_(std::move(client)), request_(std::move(request)), done_(std::move(done)) {
    protocol::encode(request_, body_);
  }

  // On the client's executor.
  void run() { attempt(); }

  // Completes without running (the client is gone).
  void fail(Error error) { finish(std::move(error)); }

  void cancel() override {
    if (timer_) timer_->cancel();
  }

 private:
  void attempt() {
    if (client_->closed()) return finish(cancelled_error());
    ++attempts_;
    auto http_request = make_http_request(*client_, Action<Request>::target, body_);
    if (!http_request) return finish(std::move(http_request).error());
    auto timeout = attempt_timeout(client_->config().config, request_);
    client_->pool().async_send(client_->config().endpoint, std::move(*http_request), timeout,
                               [self = this->shared_from_this(), timeout](
                                   boost::system::error_code ec, http::Response response) {
                                 self->on_response(ec, std::move(response), timeout);
                               });
  }

  void on_response(boost::system::error_code ec, http::Response response,
                   std::chrono::milliseconds timeout) {
    if (ec == boost::asio::error::operation_aborted) return finish(cancelled_error());
    if (ec) return retry_or_fail(transport_error(ec, timeout));
    if (response.status >= 200 && response.status < 300) {
      R result{};
      if (auto d = protocol::decode(response.body, result); !d) {
        return finish(std::move(d).error());
      }
      if (client_->config().config.verify_checksums) {
        if (auto e = client::verify_checksums(request_, result)) return finish(std::move(*e));
      }
      // A success refunds the quota: the cost of the retry that led to it, or one token.
      client_->release_tokens(last_retry_cost_ > 0 ? last_retry_cost_ : 1);
      return finish(std::move(result));
    }
    retry_or_fail(protocol::decode_error(response.status, response.body,
                                         response.header("x-amzn-query-error"),
                                         request_id_of(response)));
  }

  void retry_or_fail(Error error) {
    if (!error.retryable || attempts_ >= client_->config().max_attempts) {
      return finish(std::move(error));
    }
    int cost = error.kind == ErrorKind::timeout ? client_->config().config.retry.timeout_cost
                                                : client_->config().config.retry.retry_cost;
    if (!client_->acquire_retry_tokens(cost)) return finish(std::move(error));
    last_retry_cost_ = cost;
    auto delay = backoff_delay(*client_, error, attempts_);
    if (!timer_) timer_ = std::make_unique<boost::asio::steady_timer>(client_->executor());
    timer_->expires_after(delay);
    client_->track(this);
    timer_->async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
      self->client_->untrack(self.get());
      if (ec || self->client_->closed()) return self->finish(cancelled_error());
      self->attempt();
    });
  }

  void finish(Result<R> result) {
    if (done_) {
      auto done = std::move(done_);
      done(std::move(result));
    }
  }

  std::shared_ptr<ClientImpl> client_;
  Request request_;
  std::string body_;
  Done done_;
  int attempts_ = 0;
  int last_retry_cost_ = 0;
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

// Validates and starts a call; `done` runs exactly once, on the client's executor (inline, on
// the caller's thread, only when the client is already shut down).
template <class Request>
void start_operation(const std::shared_ptr<ClientImpl>& client, Request&& request,
                     UniqueFunction<void(Result<result_of<Request>>)> done) {
  client::Limits limits{client->config().config.max_message_bytes};
  if (auto error = client::validate(request, limits)) {
    // Never complete inside the initiating call: post the error.
    auto complete = [done = std::move(done), e = std::move(*error)]() mutable {
      done(std::move(e));
    };
    if (!client->post(complete)) complete();
    return;
  }
  auto op = std::make_shared<Operation<Request>>(client, std::move(request), std::move(done));
  auto run = [op] { op->run(); };
  if (!client->submit(run)) op->fail(cancelled_error());
}

}  // namespace sqs::detail

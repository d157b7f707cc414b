// One SQS call: the attempt loop sign -> send -> classify -> (back off, retry) -> decode ->
// verify MD5s -> complete. Runs on the client's executor; completes exactly once.
#pragma once

#include <atomic>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "client/checksums.hpp"
#include "client/client_impl.hpp"
#include "client/validation.hpp"
#include "protocol/codec.hpp"

namespace sqs::detail {

// Error of a failed exchange that got no HTTP answer.
Error transport_error(const boost::system::error_code& ec, std::chrono::milliseconds timeout);
// The request of one attempt: headers signed with `credentials` for `now`.
http::Request make_http_request(ClientImpl& client, std::string_view target,
                                const std::string& body, const Credentials& credentials);
// The id of a failed answer (x-amzn-RequestId, or x-amz-request-id).
std::string_view request_id_of(const http::Response& response);
// Back-off delay of AWS standard mode before retry number `retry` (1-based).
std::chrono::milliseconds backoff_delay(ClientImpl& client, const Error& error, int retry);
Error cancelled_error();

// How long the server may hold a request on purpose before answering: a ReceiveMessage long
// poll's WaitTimeSeconds (unset: it may be the queue's default, which is at most 20 s), else 0.
// It comes on top of both the attempt timeout and the call timeout, so that they always exceed
// the wait.
template <class Request>
constexpr std::chrono::seconds long_poll_wait(const Request&) {
  return std::chrono::seconds::zero();
}
inline std::chrono::seconds long_poll_wait(const ReceiveMessageRequest& r) {
  return std::chrono::seconds(r.wait_time_seconds.value_or(20));
}

// The attempt loop of every action, written once (it is the bulk of a call's code; a template
// per action made client.cpp 1.5 MB of machine code): sign -> send -> classify -> back off and
// retry, or hand a 2xx answer to the typed part below.
//
// With ClientConfig::call_timeout set, the call has a deadline (taken when the call starts):
// each attempt gets min(attempt timeout, time left), no retry is made whose back-off would end
// at or after it, and an attempt it cuts short ends the call with deadline_error(). Unset, no
// clock is read for it.
class Exchange : public Cancellable, public std::enable_shared_from_this<Exchange> {
 public:
  using Clock = std::chrono::steady_clock;

  // `wait`: the long poll's wait (long_poll_wait), on top of both timeouts.
  Exchange(std::shared_ptr<ClientImpl> client, std::string_view target, std::chrono::seconds wait)
      : client_(std::move(client)),
        target_(target),
        timeout_(config().request_timeout + wait),
        wait_(wait) {
    if (const auto& call_timeout = config().call_timeout) {
      deadline_ = Clock::now() + *call_timeout + wait;
    }
  }

  // On the client's executor.
  void run() { attempt(); }
  void cancel() override;
  // The caller gave up on the call (on the client's executor): the attempt in flight is
  // stopped (its connection closed) or the back-off cut short; the call completes with a
  // `cancelled` error (maybe_processed when an attempt was out). After completion: nothing.
  void abort();
  // Completes with an error (also: the client is gone before the call ran), marked
  // maybe_processed when an earlier attempt's outcome is unknown.
  void fail(Error error) {
    if (maybe_processed_) error.maybe_processed = true;
    failed(std::move(error));
  }

 protected:
  // A 2xx answer: decode and verify it, then call succeeded() and complete; or return the
  // error the call ends with.
  virtual std::optional<Error> on_success(const http::Response& response) = 0;
  virtual void failed(Error error) = 0;
  // Refunds the retry quota for a successful call.
  void succeeded();
  const ClientConfig& config() const { return client_->config().config; }

  std::string body_;

 private:
  void attempt();
  // Signs with `credentials` and sends the attempt.
  void send_attempt(const Credentials& credentials);
  // The provider had no valid credentials cached: it answered (on the client's executor).
  void on_credentials(Result<Credentials> credentials);
  void on_response(boost::system::error_code ec, http::Response response);
  void retry_or_fail(Error error);
  // The error of a call stopped by its deadline.
  Error deadline_error() const;

  std::shared_ptr<ClientImpl> client_;
  std::string_view target_;
  std::chrono::milliseconds timeout_;  // of one attempt
  std::chrono::seconds wait_;
  std::optional<Clock::time_point> deadline_;  // of the whole call, with call_timeout
  int attempts_ = 0;
  int last_retry_cost_ = 0;
  // An attempt went out and got no usable answer: the request may have been processed.
  bool maybe_processed_ = false;
  bool aborted_ = false;
  // Waiting for the credentials provider (off the loop). Whoever clears it first — the
  // provider's answer or abort() — goes on with the call: the answer may come from the
  // provider's thread.
  std::atomic<bool> awaiting_credentials_{false};
  // While it waits for credentials, the exchange owns itself; released on the client's
  // executor by whoever cleared awaiting_credentials_. The provider's callback holds only a
  // weak reference, so the provider's thread never drops the last one (see attempt()).
  std::shared_ptr<Exchange> keep_alive_;
  std::uint64_t request_id_ = 0;  // the pool's id of the attempt in flight (0: none)
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

// The typed part of a call: encodes the request, decodes and verifies the answer, completes.
template <class Request>
class Operation final : public Exchange {
 public:
  using R = result_of<Request>;
  using Done = UniqueFunction<void(Result<R>)>;

  Operation(std::shared_ptr<ClientImpl> client, Request request, Done done)
      : Exchange(client, Action<Request>::target, long_poll_wait(request)),
        request_(std::move(request)),
        done_(std::move(done)) {
    protocol::encode(request_, body_);
  }

  void failed(Error error) override { finish(std::move(error)); }

 private:
  std::optional<Error> on_success(const http::Response& response) override {
    R result{};
    if (auto d = protocol::decode(response.body, result); !d) return std::move(d).error();
    if (config().verify_checksums) {
      if (auto e = client::verify_checksums(request_, result)) return e;
    }
    succeeded();
    finish(std::move(result));
    return std::nullopt;
  }

  void finish(Result<R> result) {
    if (done_) {
      auto done = std::move(done_);
      done(std::move(result));
    }
  }

  Request request_;
  Done done_;
};

// Validates and starts a call; `done` runs exactly once, on the client's executor (inline, on
// the caller's thread, only when the client is already shut down).
// A cancellation slot's handler: the signal may be emitted from any thread of the caller's; the
// call is aborted on the client's executor, if it is still there.
struct CallCanceller {
  CallCanceller(std::weak_ptr<Exchange> o, std::weak_ptr<ClientImpl> c)
      : op(std::move(o)), client(std::move(c)) {}
  std::weak_ptr<Exchange> op;
  std::weak_ptr<ClientImpl> client;
  void operator()(boost::asio::cancellation_type_t) const {
    auto c = client.lock();
    if (!c) return;
    UniqueFunction<void()> abort = [op = op] {
      if (auto o = op.lock()) o->abort();
    };
    c->post(abort);
  }
};

template <class Request>
void start_operation(const std::shared_ptr<ClientImpl>& client, Request&& request,
                     UniqueFunction<void(Result<result_of<Request>>)> done,
                     boost::asio::cancellation_slot slot = {}) {
  client::Limits limits{client->config().config.max_message_bytes};
  if (auto error = client::validate(request, limits)) {
    // Never complete inside the initiating call: post the error.
    UniqueFunction<void()> complete = [done = std::move(done), e = std::move(*error)]() mutable {
      done(std::move(e));
    };
    if (!client->post(complete)) complete();
    return;
  }
  std::shared_ptr<Exchange> op =
      std::make_shared<Operation<Request>>(client, std::move(request), std::move(done));
  if (slot.is_connected()) slot.template emplace<CallCanceller>(op, client);
  UniqueFunction<void()> run = [op] { op->run(); };
  if (!client->submit(run)) op->fail(cancelled_error());
}

}  // namespace sqs::detail

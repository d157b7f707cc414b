#include "client/operation.hpp"

#include <algorithm>
#include <cmath>

namespace sqs::detail {

Error cancelled_error() {
  return Error::make(ErrorKind::cancelled, "Cancelled",
                     "the client was destroyed or the call cancelled before it completed");
}

Error transport_error(const boost::system::error_code& ec, std::chrono::milliseconds timeout) {
  Error e;
  if (ec == boost::asio::error::timed_out) {
    e.kind = ErrorKind::timeout;
    e.code = "RequestTimeout";
    e.message = "no answer within " + std::to_string(timeout.count()) + " ms";
  } else if (ec == boost::asio::error::invalid_argument) {
    // The HTTP layer refused the request itself (a header it cannot send): sending it again
    // would fail the same way.
    e.kind = ErrorKind::transport;
    e.code = "InvalidRequest";
    e.message = ec.message();
    return e;
  } else {
    e.kind = ErrorKind::transport;
    e.code = "TransportError";
    e.message = ec.message();
  }
  e.retryable = true;
  return e;
}

std::string_view request_id_of(const http::Response& response) {
  auto id = response.header("x-amzn-RequestId");
  if (id.empty()) id = response.header("x-amz-request-id");
  return id;
}

http::Request make_http_request(ClientImpl& client, std::string_view target,
                                const std::string& body, const Credentials& credentials) {
  const auto& config = client.config();
  const auto& endpoint = config.endpoint;

  constexpr std::string_view content_type = "application/x-amz-json-1.0";
  const auth::HeaderView to_sign[] = {
      {"content-type", content_type},
      {"host", endpoint.host_header},
      {"x-amz-target", target},
  };
  auth::SigningInput input;
  input.method = "POST";
  input.path = endpoint.path;
  input.headers = to_sign;
  input.payload = body;
  input.region = config.region;
  input.service = "sqs";
  input.time = std::chrono::system_clock::now();
  auto signature = client.signer().sign(input, credentials);

  http::Request request;
  request.method = "POST";
  request.target = endpoint.path;
  request.headers.reserve(6);
  request.headers.push_back({"Content-Type", std::string(content_type)});
  request.headers.push_back({"X-Amz-Target", std::string(target)});
  request.headers.push_back({"X-Amz-Date", std::move(signature.amz_date)});
  if (!signature.security_token.empty()) {
    request.headers.push_back({"X-Amz-Security-Token", std::move(signature.security_token)});
  }
  request.headers.push_back({"Authorization", std::move(signature.authorization)});
  request.headers.push_back({"User-Agent", "aws-cpp-sqs/0.1"});
  request.body = body;
  return request;
}

std::chrono::milliseconds backoff_delay(ClientImpl& client, const Error& error, int retry) {
  const auto& r = client.config().config.retry;
  auto base = error.throttling ? r.throttling_base_delay : r.base_delay;
  double cap = static_cast<double>(r.max_backoff.count());
  double exp = static_cast<double>(base.count()) * std::pow(2.0, std::max(0, retry - 1));
  return std::chrono::milliseconds(
      static_cast<long long>(client.random_unit() * std::min(exp, cap)));
}

// ---- Exchange: the attempt loop ----

void Exchange::cancel() {
  if (timer_) timer_->cancel();
}

void Exchange::abort() {
  if (aborted_) return;
  aborted_ = true;
  // In flight: the pool completes it with operation_aborted (on_response fails the call).
  // Waiting to retry: the timer's handler sees the cancellation and fails it. Already
  // completed: both are no-ops.
  if (request_id_ != 0) client_->pool().cancel(request_id_);
  if (timer_) timer_->cancel();
  // Waiting for credentials: complete now; the provider's answer, when it comes, is dropped.
  if (awaiting_credentials_.exchange(false, std::memory_order_acq_rel)) {
    auto self = std::move(keep_alive_);
    fail(cancelled_error());
  }
}

void Exchange::succeeded() {
  // A success refunds the quota: the cost of the retry that led to it, or one token.
  client_->release_tokens(last_retry_cost_ > 0 ? last_retry_cost_ : 1);
}

Error Exchange::deadline_error() const {
  std::string message = "no answer within the call timeout of " +
                        std::to_string(config().call_timeout->count()) + " ms";
  if (wait_ > std::chrono::seconds::zero()) {
    message += " + the long poll's wait of " + std::to_string(wait_.count()) + " s";
  }
  message += " (" + std::to_string(attempts_) + (attempts_ == 1 ? " attempt)" : " attempts)");
  Error e = Error::make(ErrorKind::timeout, "RequestTimeout", std::move(message));
  e.retryable = false;  // the caller's own bound: trying again is the caller's decision
  return e;
}

void Exchange::attempt() {
  if (client_->closed() || aborted_) return fail(cancelled_error());
  auto& provider = *client_->config().credentials;
  // The hot path: valid cached credentials, a pointer copy and a clock read, no I/O.
  if (auto credentials = provider.current()) return send_attempt(*credentials);
  // None valid (first call, or the mandatory refresh window): the provider fetches on its own
  // thread and answers there; the attempt goes on on the client's executor. The event loop
  // never waits, and other calls with valid credentials are not held up.
  // The exchange keeps itself alive while it waits; the provider's callback holds a weak
  // reference only. Were the provider's thread to drop the last reference after the call
  // completed, it would destroy the client there, maybe after its owner destroyed the
  // io_context: every strong reference it takes leaves it inside the posted handler.
  keep_alive_ = shared_from_this();
  awaiting_credentials_.store(true, std::memory_order_release);
  provider.async_credentials([weak = weak_from_this()](Result<Credentials> credentials) {
    auto exchange = weak.lock();
    if (!exchange) return;  // aborted meanwhile, completed and gone
    // (ClientImpl::post holds the client's submit mutex, which its shutdown takes: the client
    // outlives the post even once the handler has run.)
    ClientImpl& client = *exchange->client_;
    // Not waiting any more: aborted meanwhile and completed; the reference goes back only.
    const bool waiting = exchange->awaiting_credentials_.exchange(false, std::memory_order_acq_rel);
    UniqueFunction<void()> resume = [exchange = std::move(exchange), waiting,
                                     credentials = std::move(credentials)]() mutable {
      if (!waiting) return;
      auto self = std::move(exchange->keep_alive_);
      exchange->on_credentials(std::move(credentials));
    };
    // A client shut down meanwhile: nothing runs its loop any more; complete from here
    // (on_credentials fails the call as cancelled).
    if (!client.post(resume)) resume();
  });
}

void Exchange::on_credentials(Result<Credentials> credentials) {
  if (client_->closed() || aborted_) return fail(cancelled_error());
  if (!credentials) return fail(std::move(credentials).error());
  send_attempt(*credentials);
}

void Exchange::send_attempt(const Credentials& credentials) {
  auto http_request = make_http_request(*client_, target_, body_, credentials);
  auto timeout = timeout_;
  if (deadline_) {
    // Rounded up: the attempt never ends before the deadline it is cut to.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - Clock::now());
    if (left <= std::chrono::milliseconds::zero()) return fail(deadline_error());
    timeout = std::min(timeout, left);
  }
  ++attempts_;
  request_id_ = client_->pool().async_send(
      client_->config().endpoint, std::move(http_request), timeout,
      [self = shared_from_this()](boost::system::error_code ec, http::Response response) {
        self->on_response(ec, std::move(response));
      });
}

// Whether a failed attempt's request may have reached SQS. Only a refused connection, a name
// that does not resolve and a request the HTTP layer would not send are sure not to have.
// (A connect timeout is counted as unknown: the pool reports it as any other timeout.)
static bool maybe_sent(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  return ec != error::connection_refused && ec != error::host_not_found &&
         ec != error::host_not_found_try_again && ec != error::invalid_argument;
}

void Exchange::on_response(boost::system::error_code ec, http::Response response) {
  request_id_ = 0;
  if (ec) maybe_processed_ = maybe_processed_ || maybe_sent(ec);
  if (ec == boost::asio::error::operation_aborted) return fail(cancelled_error());
  if (ec) {
    // The pool's timer never fires early: past the deadline, the deadline stopped the attempt.
    if (ec == boost::asio::error::timed_out && deadline_ && Clock::now() >= *deadline_) {
      return fail(deadline_error());
    }
    return retry_or_fail(transport_error(ec, timeout_));
  }
  if (response.status >= 200 && response.status < 300) {
    if (auto error = on_success(response)) {
      maybe_processed_ = true;  // SQS did it; the answer is unusable
      fail(std::move(*error));
    }
    return;
  }
  // A 5xx answer (InternalError, ServiceUnavailable) may come after the work was done; a 4xx
  // one (throttling included) refused it. SQS sends nothing else: any other status is a garbled
  // answer, of unknown outcome.
  if (response.status < 400 || response.status >= 500) maybe_processed_ = true;
  retry_or_fail(protocol::decode_error(response.status, response.body,
                                       response.header("x-amzn-query-error"),
                                       request_id_of(response)));
}

void Exchange::retry_or_fail(Error error) {
  if (!error.retryable || attempts_ >= client_->config().max_attempts) {
    return fail(std::move(error));
  }
  auto delay = backoff_delay(*client_, error, attempts_);
  // A retry that could not start before the deadline is not made (nor paid for).
  if (deadline_ && Clock::now() + delay >= *deadline_) return fail(std::move(error));
  const auto& retry = config().retry;
  int cost = error.kind == ErrorKind::timeout ? retry.timeout_cost : retry.retry_cost;
  if (!client_->acquire_retry_tokens(cost)) return fail(std::move(error));
  last_retry_cost_ = cost;
  if (!timer_) timer_ = std::make_unique<boost::asio::steady_timer>(client_->executor());
  timer_->expires_after(delay);
  client_->track(this);
  timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->client_->untrack(self.get());
    if (ec || self->client_->closed() || self->aborted_) return self->fail(cancelled_error());
    self->attempt();
  });
}

}  // namespace sqs::detail

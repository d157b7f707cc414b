// sqs::Client — one typed call per SQS action, in three forms:
//   - async with any Asio completion token: a callback `void(sqs::Result<R>)`,
//     `boost::asio::use_future` (std::future<Result<R>>), `boost::asio::use_awaitable`
//     (co_await), `boost::asio::deferred`...;
//   - sync: blocks the calling thread (refused on the client's own event-loop thread, where it
//     would deadlock);
//   - generic: async_call(request, token) / call(request) for any request type of types.hpp.
// A Client is an ordinary object: no global init. It owns its event loop thread(s) unless given
// an executor. Destroying it completes every call in flight with a `cancelled` error, then joins.
//
// Cancelling a call: the async forms (Client's and Queue's) honour the completion handler's
// associated cancellation slot (boost::asio::bind_cancellation_slot, awaitable operators such
// as `co_await (call || timer)`): when its signal is emitted (any type), the call's attempt in
// flight is stopped (its connection closed) or its back-off cut short, and the call completes
// with a `cancelled` error, maybe_processed when an attempt was out. As with any Asio signal,
// emit it where the handler's executor runs (or serialise it with the call's start).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/system_executor.hpp>

#include "sqs/actions.hpp"
#include "sqs/credentials.hpp"
#include "sqs/detail/unique_function.hpp"
#include "sqs/error.hpp"
#include "sqs/types.hpp"

// Everything declared here is part of the shared library's interface (it builds with
// -fvisibility=hidden).
#pragma GCC visibility push(default)

namespace sqs {

// AWS "standard" retry mode.
struct RetryOptions {
  // Total attempts including the first; nullopt: AWS_MAX_ATTEMPTS, profile max_attempts, else 3.
  // 1 disables retries.
  std::optional<int> max_attempts;
  std::chrono::milliseconds base_delay{50};               // transient errors
  std::chrono::milliseconds throttling_base_delay{1000};  // throttling errors
  std::chrono::milliseconds max_backoff{20000};
  // Retry quota: a retry costs retry_cost (timeout_cost after a timeout); a success refunds
  // one token (or the cost of its retry). No retry when the bucket is empty.
  int quota = 500;
  int retry_cost = 5;
  int timeout_cost = 10;
};

// What a client's connection pool holds, readable from any thread at any time (Client::metrics).
struct ClientMetrics {
  // Connections open now: busy with a call, or idle and kept alive for the next one. Once every
  // call has ended, what is left is idle connections, each closed after the idle timeout (50 s)
  // or when the server closes it.
  std::size_t open_connections = 0;
  // Connections opened since the client was made (a growing number under steady traffic means
  // connections are not being reused: the server or a proxy closes them, or calls time out).
  std::uint64_t connections_opened = 0;
};

struct ClientConfig {
  // Region: explicit, else AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else (only
  // when region_from_instance_metadata) the EC2 instance's, from instance metadata (IMDSv2; at
  // most about a second when there is none; never with AWS_EC2_METADATA_DISABLED=true).
  std::optional<std::string> region;
  bool region_from_instance_metadata = false;
  // Endpoint: explicit, else AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, the profile's services
  // section `sqs.endpoint_url` or `endpoint_url`, else https://sqs.REGION.amazonaws.com
  // (amazonaws.com.cn in China regions). Requests always go to the endpoint, whatever host a
  // queue URL names.
  std::optional<std::string> endpoint;
  // Credentials: explicit values, else the provider, else the default chain (environment, web
  // identity, the profile's static keys / credential_process / SSO / assume-role, container,
  // instance metadata: docs/CREDENTIALS.md), fetched and refreshed off the client's event loop.
  std::optional<Credentials> credentials;
  std::shared_ptr<CredentialsProvider> credentials_provider;
  std::string profile;  // empty: AWS_PROFILE, else "default"

  RetryOptions retry;
  // Timeouts (each must be more than 0 and at most 24 hours: anything else is a configuration
  // error at construction). See docs/CONFIGURATION.md, "Timeouts".
  //
  // Bound on connecting (DNS + TCP + TLS handshake) within an attempt.
  std::chrono::milliseconds connect_timeout{3000};
  // Bound on one attempt (the AWS SDKs' "attempt timeout"). A ReceiveMessage long poll gets
  // WaitTimeSeconds on top of it, so its timeout always exceeds its wait.
  std::chrono::milliseconds request_timeout{10000};
  // Bound on a whole call (the AWS SDKs' "API call timeout"): every attempt and every back-off
  // between them. Unset (the default, as in the AWS SDKs): no bound beyond max_attempts
  // attempts of request_timeout each, plus the back-offs. Set: a call ends by its start +
  // call_timeout (a ReceiveMessage long poll: + WaitTimeSeconds, 20 s when unset, so that its
  // deadline always exceeds its wait). Each attempt gets min(request_timeout, the time left); a
  // retry whose back-off would end at or after the deadline is not made (the call fails at
  // once with the last error); an attempt the deadline cuts short fails the call with kind
  // `timeout`, code `RequestTimeout`, not retryable, e.g. "no answer within the call timeout
  // of 3000 ms (2 attempts)". Looking up credentials is not interrupted (its time counts).
  std::optional<std::chrono::milliseconds> call_timeout;

  bool verify_checksums = true;  // MD5 of bodies and attributes, on send and receive
  // Largest message (body + attributes) and largest batch payload; 1 MiB on SQS since 2025.
  std::size_t max_message_bytes = 1048576;

  bool verify_tls = true;
  std::string ca_bundle;  // PEM file; empty: AWS_CA_BUNDLE, the profile's ca_bundle, else system

  // Event-loop threads the client owns when no executor is given. One is plenty: a thread
  // drives thousands of concurrent calls.
  std::size_t threads = 1;
};

namespace detail {
class ClientImpl;

// Turns an Asio completion handler into the type-erased callback of the start() functions.
// The result is delivered through the handler's associated executor (the coroutine's, the
// strand's...), whose event loop the work guard keeps alive until then; a plain callback, with
// no executor of its own, runs inline where the operation completes: on the client's thread
// (or on the caller's, when the client is already shut down and no loop is left to run it).
template <class R, class Handler>
UniqueFunction<void(Result<R>)> bind_handler(Handler handler) {
  auto ex = boost::asio::get_associated_executor(handler, boost::asio::system_executor());
  auto work = boost::asio::prefer(ex, boost::asio::execution::outstanding_work.tracked);
  return [h = std::move(handler), work = std::move(work)](Result<R> r) mutable {
    boost::asio::dispatch(
        work, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
  };
}
}  // namespace detail

class Client {
 public:
  // Resolves region, endpoint and retry settings now (throws sqs::Exception with a
  // configuration error when there is no region, the endpoint is not a valid URL or a timeout
  // is out of range);
  // credentials are resolved lazily, at each call, through the provider.
  explicit Client(ClientConfig config = {});
  // Runs on the given executor (a user's io_context) instead of owning threads. The client
  // serialises its work on a strand of it.
  Client(boost::asio::any_io_executor executor, ClientConfig config = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Non-throwing construction.
  static Result<Client> make(ClientConfig config = {});

  // Another handle to the same client (same connections, same event loop), e.g. for a Queue.
  // Only the original owns the client: when it is destroyed, calls in flight complete with a
  // `cancelled` error, and later calls through handles fail the same way (never crash).
  Client handle() const;
  bool is_owner() const noexcept { return owner_; }

  const std::string& region() const;
  const std::string& endpoint() const;
  const ClientConfig& config() const;
  boost::asio::any_io_executor get_executor() const;
  // The connection pool's counts now (any thread; also through a handle, and after the owner
  // was destroyed: then no connection is open).
  ClientMetrics metrics() const;

  // ---- generic forms ----
  template <class Request, class CompletionToken>
  auto async_call(Request request, CompletionToken&& token) const {
    using R = result_of<Request>;
    return boost::asio::async_initiate<CompletionToken, void(Result<R>)>(
        // (`self`, not `this`: Clang takes the member call in a generic lambda for no use.)
        [self = this](auto handler, Request req) {
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          self->start(std::move(req), detail::bind_handler<R>(std::move(handler)), slot);
        },
        token, std::move(request));
  }

  template <class Request>
  Result<result_of<Request>> call(Request request) const {
    Result<result_of<Request>> out{Error{}};
    wait_for(
        [&](detail::UniqueFunction<void()> done) {
          start(std::move(request),
                detail::UniqueFunction<void(Result<result_of<Request>>)>(
                    [&out, done = std::move(done)](Result<result_of<Request>> r) mutable {
                      out = std::move(r);
                      done();
                    }));
        },
        out);
    return out;
  }

  // ---- one named call per action (sync and async) ----
#define SQS_CLIENT_ACTION(Name, name, Request, Res)                              \
  Result<result_of<Request>> name(Request request) const {                       \
    return call(std::move(request));                                             \
  }                                                                              \
  template <class CompletionToken>                                               \
  auto async_##name(Request request, CompletionToken&& token) const {            \
    return async_call(std::move(request), std::forward<CompletionToken>(token)); \
  }
  SQS_FOR_EACH_ACTION(SQS_CLIENT_ACTION)
#undef SQS_CLIENT_ACTION

  // Every queue URL, following NextToken through all pages.
  Result<std::vector<std::string>> list_all_queues(std::optional<std::string> prefix = {}) const;

  // True on a thread of the client's event loop, where a sync call would deadlock.
  bool in_event_loop_thread() const;
  // Runs f on the client's executor, never inline (inline only once the client is shut down,
  // when no loop is left to run it). For layers above that complete handlers themselves.
  void defer(detail::UniqueFunction<void()> f) const;

  // The type-erased entry point behind every form: validates, encodes, signs, sends, retries,
  // decodes, verifies; `done` runs exactly once on the client's executor. A connected `slot`
  // cancels the call when its signal is emitted (any cancellation type; see "Cancelling a
  // call" at the top).
#define SQS_CLIENT_START(Name, name, Request, Res)                                           \
  void start(Request request, detail::UniqueFunction<void(Result<result_of<Request>>)> done, \
             boost::asio::cancellation_slot slot = {}) const;
  SQS_FOR_EACH_ACTION(SQS_CLIENT_START)
#undef SQS_CLIENT_START

 private:
  // Runs `start_op(done)` and blocks until done() is called; on the client's own event-loop
  // thread it refuses (sets `out` to an error) instead of deadlocking.
  template <class Out>
  void wait_for(detail::UniqueFunction<void(detail::UniqueFunction<void()>)> start_op,
                Out& out) const {
    if (!block_on(std::move(start_op))) {
      out = Error::make(ErrorKind::configuration, "WouldDeadlock",
                        "a synchronous call was made on the client's own event-loop thread; use "
                        "the async form there");
    }
  }
  bool block_on(detail::UniqueFunction<void(detail::UniqueFunction<void()>)> start_op) const;

  Client(std::shared_ptr<detail::ClientImpl> impl, bool owner) noexcept
      : impl_(std::move(impl)), owner_(owner) {}

  std::shared_ptr<detail::ClientImpl> impl_;
  bool owner_ = true;
};

}  // namespace sqs

#pragma GCC visibility pop

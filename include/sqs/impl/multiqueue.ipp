// Template members of sqs::Executor and sqs::Dispatcher (included by multiqueue.hpp).
#pragma once

namespace sqs {

template <class R>
void Executor::start_run(
    detail::UniqueFunction<void(const Queue&, detail::UniqueFunction<void(Result<R>)>)> start,
    detail::UniqueFunction<void(Result<R>)> done, std::chrono::nanoseconds allowance,
    bool last_resort) const {
  auto call = last_resort ? admit_last_resort(allowance) : admit(allowance);
  if (!call) {
    // Fails fast, without touching the network; completed on the client's executor.
    queue().client().defer(
        [done = std::move(done), e = std::move(call).error()]() mutable { done(std::move(e)); });
    return;
  }
  // The admitted call holds the slot (and so the breaker) alive as long as this callback; if
  // the callback is dropped uncalled, the call is settled as "ignore".
  call->keep_alive(slot_);
  start(queue(), [call = std::move(*call), done = std::move(done)](Result<R> r) mutable {
    call.settle(r.has_value() ? nullptr : &r.error());
    done(std::move(r));
  });
}

template <class R, class Start, class Token>
auto Executor::async_run(Start&& start, Token&& token) const {
  return boost::asio::async_initiate<Token, void(Result<R>)>(
      // A copy, not `this`: a deferred token may start the operation after this executor (a
      // temporary, say) is gone.
      [self = *this](auto handler, auto start_fn) {
        self.start_run<R>(std::move(start_fn), detail::bind_handler<R>(std::move(handler)));
      },
      token, std::forward<Start>(start));
}

template <class Token>
auto Executor::async_send(std::string body, const SendOptions& options, Token&& token) const {
  return async_run<SendMessageResult>(
      [body = std::move(body), options](const Queue& q, Queue::SendHandler done) mutable {
        q.start_send(std::move(body), options, std::move(done));
      },
      std::forward<Token>(token));
}
template <class Token>
auto Executor::async_send_batch(const std::vector<OutgoingMessage>& messages, Token&& token) const {
  return async_run<BatchSendResult>(
      [messages](const Queue& q, Queue::BatchSendHandler done) {
        q.start_send_batch(messages, std::move(done));
      },
      std::forward<Token>(token));
}
template <class Token>
auto Executor::async_receive(const ReceiveOptions& options, Token&& token) const {
  return boost::asio::async_initiate<Token, void(Result<std::vector<Message>>)>(
      [self = *this](auto handler, ReceiveOptions o) {
        // A long poll may take its wait (the queue's default, at most 20 s, when unset) by
        // design: only what exceeds it is slow.
        const std::chrono::seconds wait(o.wait_time_seconds.value_or(20));
        // The handler's cancellation slot stops the long poll (client.hpp, "Cancelling a call").
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        self.start_run<std::vector<Message>>(
            [o = std::move(o), slot](const Queue& q, Queue::ReceiveHandler done) {
              q.start_receive(o, std::move(done), slot);
            },
            detail::bind_handler<std::vector<Message>>(std::move(handler)), wait);
      },
      token, options);
}
template <class Token>
auto Executor::async_delete_message(std::string receipt_handle, Token&& token) const {
  return async_run<Empty>(
      [rh = std::move(receipt_handle)](const Queue& q, Queue::EmptyHandler done) mutable {
        q.start_delete_message(std::move(rh), std::move(done));
      },
      std::forward<Token>(token));
}
template <class Token>
auto Executor::async_delete_batch(const std::vector<std::string>& receipt_handles,
                                  Token&& token) const {
  return async_run<BatchOutcome>(
      [receipt_handles](const Queue& q, Queue::BatchOutcomeHandler done) {
        q.start_delete_batch(receipt_handles, std::move(done));
      },
      std::forward<Token>(token));
}
template <class Token>
auto Executor::async_change_visibility(std::string receipt_handle, int visibility_timeout,
                                       Token&& token) const {
  return async_run<Empty>(
      [rh = std::move(receipt_handle), visibility_timeout](const Queue& q,
                                                           Queue::EmptyHandler done) mutable {
        q.start_change_visibility(std::move(rh), visibility_timeout, std::move(done));
      },
      std::forward<Token>(token));
}

template <class Token>
auto Dispatcher::async_send(std::string body, const SendOptions& options,
                            const FailoverOptions& failover, Token&& token) const {
  return boost::asio::async_initiate<Token, void(Result<FailoverSendResult>)>(
      [this](auto handler, std::string b, SendOptions o, FailoverOptions f) {
        start_send(std::move(b), std::move(o), f,
                   detail::bind_handler<FailoverSendResult>(std::move(handler)));
      },
      token, std::move(body), options, failover);
}

template <class Token>
auto Dispatcher::async_send_batch(const std::vector<OutgoingMessage>& messages,
                                  const FailoverOptions& failover, Token&& token) const {
  return boost::asio::async_initiate<Token, void(Result<FailoverBatchResult>)>(
      [this](auto handler, std::vector<OutgoingMessage> m, FailoverOptions f) {
        start_send_batch(std::move(m), f,
                         detail::bind_handler<FailoverBatchResult>(std::move(handler)));
      },
      token, messages, failover);
}

}  // namespace sqs

// Template members of sqs::Queue (included by queue.hpp). Initiations capture their arguments
// by value, so lazy tokens (deferred, use_awaitable) never see a dangling reference; they use
// the Queue itself, which must outlive the operation's start.
#pragma once

namespace sqs {

template <class R, class Token, class Start>
auto Queue::initiate(Token&& token, Start&& start) const {
  return boost::asio::async_initiate<Token, void(Result<R>)>(
      [](auto handler, auto start_fn) {
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        start_fn(detail::bind_handler<R>(std::move(handler)), slot);
      },
      token, std::forward<Start>(start));
}

template <class Token>
auto Queue::async_open(const Client& client, const std::string& name_or_url, Token&& token) {
  return boost::asio::async_initiate<Token, void(Result<Queue>)>(
      [](auto handler, Client c, std::string name) {
        auto done = detail::bind_handler<Queue>(std::move(handler));
        if (name.rfind("https://", 0) == 0 || name.rfind("http://", 0) == 0) {
          done(Queue(c, std::move(name)));
          return;
        }
        GetQueueUrlRequest req;
        req.queue_name = name;
        c.start(std::move(req),
                detail::UniqueFunction<void(Result<GetQueueUrlResult>)>(
                    [h = c.handle(), done = std::move(done)](Result<GetQueueUrlResult> r) mutable {
                      if (!r) {
                        done(std::move(r).error());
                      } else {
                        done(Queue(h, std::move(r->queue_url)));
                      }
                    }));
      },
      token, client.handle(), name_or_url);
}

template <class Token>
auto Queue::async_send(std::string body, const SendOptions& options, Token&& token) const {
  return initiate<SendMessageResult>(
      std::forward<Token>(token),
      [this, body = std::move(body), options](SendHandler done,
                                              boost::asio::cancellation_slot slot) mutable {
        start_send(std::move(body), options, std::move(done), slot);
      });
}
template <class Token>
auto Queue::async_send_batch(const std::vector<OutgoingMessage>& messages, Token&& token) const {
  return initiate<BatchSendResult>(
      std::forward<Token>(token),
      [this, messages](BatchSendHandler done, boost::asio::cancellation_slot slot) {
        start_send_batch(messages, std::move(done), slot);
      });
}
template <class Token>
auto Queue::async_receive(const ReceiveOptions& options, Token&& token) const {
  return initiate<std::vector<Message>>(
      std::forward<Token>(token),
      [this, options](ReceiveHandler done, boost::asio::cancellation_slot slot) {
        start_receive(options, std::move(done), slot);
      });
}
template <class Token>
auto Queue::async_delete_message(std::string receipt_handle, Token&& token) const {
  return initiate<Empty>(std::forward<Token>(token),
                         [this, rh = std::move(receipt_handle)](
                             EmptyHandler done, boost::asio::cancellation_slot slot) mutable {
                           start_delete_message(std::move(rh), std::move(done), slot);
                         });
}
template <class Token>
auto Queue::async_delete_batch(const std::vector<std::string>& receipt_handles,
                               Token&& token) const {
  return initiate<BatchOutcome>(
      std::forward<Token>(token),
      [this, receipt_handles](BatchOutcomeHandler done, boost::asio::cancellation_slot slot) {
        start_delete_batch(receipt_handles, std::move(done), slot);
      });
}
template <class Token>
auto Queue::async_change_visibility(std::string receipt_handle, int visibility_timeout,
                                    Token&& token) const {
  return initiate<Empty>(std::forward<Token>(token),
                         [this, rh = std::move(receipt_handle), visibility_timeout](
                             EmptyHandler done, boost::asio::cancellation_slot slot) mutable {
                           start_change_visibility(std::move(rh), visibility_timeout,
                                                   std::move(done), slot);
                         });
}
template <class Token>
auto Queue::async_change_visibility_batch(const std::vector<VisibilityChange>& changes,
                                          Token&& token) const {
  return initiate<BatchOutcome>(
      std::forward<Token>(token),
      [this, changes](BatchOutcomeHandler done, boost::asio::cancellation_slot slot) {
        start_change_visibility_batch(changes, std::move(done), slot);
      });
}
template <class Token>
auto Queue::async_purge(Token&& token) const {
  return initiate<Empty>(std::forward<Token>(token),
                         [this](EmptyHandler done, boost::asio::cancellation_slot slot) {
                           start_purge(std::move(done), slot);
                         });
}
template <class Token>
auto Queue::async_delete_queue(Token&& token) const {
  return initiate<Empty>(std::forward<Token>(token),
                         [this](EmptyHandler done, boost::asio::cancellation_slot slot) {
                           start_delete_queue(std::move(done), slot);
                         });
}
template <class Token>
auto Queue::async_attributes(std::vector<std::string> names, Token&& token) const {
  return initiate<StringMap>(
      std::forward<Token>(token),
      [this, names = std::move(names)](AttributesHandler done,
                                       boost::asio::cancellation_slot slot) mutable {
        start_attributes(std::move(names), std::move(done), slot);
      });
}
template <class Token>
auto Queue::async_set_attributes(StringMap attributes, Token&& token) const {
  return initiate<Empty>(std::forward<Token>(token),
                         [this, a = std::move(attributes)](
                             EmptyHandler done, boost::asio::cancellation_slot slot) mutable {
                           start_set_attributes(std::move(a), std::move(done), slot);
                         });
}

}  // namespace sqs

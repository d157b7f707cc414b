// C++20 coroutine handlers for sqs::Consumer: an awaitable function of the message runs on any
// Asio executor, and what it co_returns settles the message.
//
//   boost::asio::thread_pool pool(4);   // or an io_context the application runs
//   sqs::Consumer consumer(queue, sqs::coroutine_handler(pool.get_executor(),
//       [&](const sqs::Message& m, const sqs::MessageContext&)
//           -> boost::asio::awaitable<sqs::Outcome> {
//         co_await other_client.async_send(m.body, {}, boost::asio::use_awaitable);
//         co_return sqs::Outcome::ack();
//       }));
//
// A coroutine that throws settles its message as retry. Its message and context stay valid
// until it finishes (the Delivery is held until then).
#pragma once

#include <exception>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include "sqs/consumer.hpp"

namespace sqs {

template <class Executor, class F>
AsyncHandler coroutine_handler(Executor executor, F f) {
  return [executor, f = std::move(f)](Delivery delivery) {
    // The coroutine takes references into the Delivery's message: the completion handler
    // holds the Delivery, so they outlive the coroutine.
    boost::asio::co_spawn(executor, f(delivery.message(), delivery.context()),
                          [delivery](std::exception_ptr error, Outcome outcome) {
                            delivery.settle(error ? Outcome::retry() : outcome);
                          });
  };
}

}  // namespace sqs

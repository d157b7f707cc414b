// Runs a C++20 coroutine to completion on an io_context, for the async-form tests.
//
// With GCC 12, values passed to an async operation inside a co_await expression must be named
// locals, not braced temporaries: GCC 12 miscompiles class temporaries of a co_await
// full-expression that an Asio initiation takes by value (their std::string members keep
// pointers into the old object: "free(): invalid pointer"). Clang and GCC 13 are fine.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <utility>

namespace sqs::test {

// Runs `f` (a function returning boost::asio::awaitable<void>) on `io` until it finishes, and
// rethrows what it threw. `io` can be used again afterwards.
template <class F>
void run_coroutine(boost::asio::io_context& io, F&& f) {
  std::exception_ptr failure;
  bool finished = false;
  boost::asio::co_spawn(io, std::forward<F>(f), [&](std::exception_ptr e) {
    failure = e;
    finished = true;
  });
  io.run();
  io.restart();
  ASSERT_TRUE(finished);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace sqs::test

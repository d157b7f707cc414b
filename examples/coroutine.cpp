// The async API with C++20 coroutines on your own io_context: a producer and a consumer
// running concurrently on one thread.
//   example_coroutine QUEUE_URL
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>

#include "sqs/queue.hpp"

namespace asio = boost::asio;

asio::awaitable<void> produce(const sqs::Queue& queue, int count) {
  for (int i = 0; i < count; ++i) {
    auto r = co_await queue.async_send("job " + std::to_string(i), {}, asio::use_awaitable);
    if (!r) std::cerr << "send failed: " << r.error().to_string() << "\n";
  }
}

asio::awaitable<void> consume(const sqs::Queue& queue, int count) {
  int received = 0;
  while (received < count) {
    auto r = co_await queue.async_receive({.max_messages = 10, .wait_time_seconds = 5},
                                          asio::use_awaitable);
    if (!r) {
      std::cerr << "receive failed: " << r.error().to_string() << "\n";
      co_return;
    }
    if (r->empty()) co_return;
    for (auto& m : *r) {
      std::cout << m.body << "\n";
      auto d = co_await queue.async_delete_message(m.receipt_handle, asio::use_awaitable);
      if (!d) std::cerr << "delete failed: " << d.error().to_string() << "\n";
      ++received;
    }
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " QUEUE_URL\n";
    return 2;
  }
  asio::io_context io;
  sqs::Client client(io.get_executor());  // runs on our io_context, no thread of its own
  sqs::Queue queue(client, argv[1]);
  asio::co_spawn(io, produce(queue, 20), asio::detached);
  asio::co_spawn(io, consume(queue, 20), asio::detached);
  io.run();
}

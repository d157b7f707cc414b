// What the consumer tests share: waiting for a condition, filling a queue, counting what is
// left in it, and completing async handlers later on a thread of their own.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/itest_support.hpp"

namespace sqs::itest {

using SteadyClock = std::chrono::steady_clock;

template <class F>
inline bool eventually(F&& condition, std::chrono::milliseconds timeout = 20s) {
  const auto until = SteadyClock::now() + timeout;
  while (!condition()) {
    if (SteadyClock::now() >= until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Sends n messages "prefix-i" in batches of 10 (straight, not through the consumer).
inline void fill(const Queue& q, int n, const std::string& prefix, const std::string& group = {}) {
  for (int first = 0; first < n; first += 10) {
    std::vector<OutgoingMessage> batch;
    for (int i = first; i < std::min(n, first + 10); ++i) {
      OutgoingMessage m{prefix + "-" + std::to_string(i), {}};
      if (!group.empty()) {
        m.options.group_id = group;
        m.options.deduplication_id = prefix + "-" + std::to_string(i);
      }
      batch.push_back(std::move(m));
    }
    auto r = q.send_batch(batch);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_TRUE(r->all_succeeded());
  }
}

// Messages in the queue, visible or not (fauxqs counts them exactly).
inline int messages_left(const Queue& q) {
  auto a = q.attributes({"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
  EXPECT_TRUE(a) << a.error().to_string();
  if (!a) return -1;
  return std::stoi(a->at("ApproximateNumberOfMessages")) +
         std::stoi(a->at("ApproximateNumberOfMessagesNotVisible"));
}

// Completes async handlers after a delay, on a thread of its own.
class Later {
 public:
  Later() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Later() {
    guard_.reset();
    thread_.join();
  }
  void after(std::chrono::milliseconds d, std::function<void()> f) {
    auto t = std::make_shared<boost::asio::steady_timer>(io_, d);
    t->async_wait([t, f = std::move(f)](boost::system::error_code) { f(); });
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

}  // namespace sqs::itest

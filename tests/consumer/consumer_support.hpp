// What the consumer and producer tests share: waiting for a condition, filling and draining a
// queue, counting what is left in it, completing async handlers later on a thread of their own,
// and two regions (two fauxqs servers with a queue each).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/itest_support.hpp"
#include "sqs/multiqueue.hpp"
#include "support/fauxqs_server.hpp"

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

// Receives (wait 1 s) and deletes until `empty_rounds` receives in a row come back empty, or
// `enough` messages came.
inline std::vector<Message> drain_messages(const Queue& q, int empty_rounds = 2,
                                           std::size_t enough = SIZE_MAX) {
  std::vector<Message> out;
  for (int empty = 0; empty < empty_rounds && out.size() < enough;) {
    ReceiveOptions o;
    o.max_messages = 10;
    o.wait_time_seconds = 1;
    o.attribute_names = {"MessageGroupId"};
    auto r = q.receive(o);
    EXPECT_TRUE(r) << r.error().to_string();
    if (!r) break;
    if (r->empty()) ++empty;
    std::vector<std::string> handles;
    for (auto& m : *r) {
      handles.push_back(m.receipt_handle);
      out.push_back(std::move(m));
    }
    if (!handles.empty()) {
      EXPECT_TRUE(q.delete_batch(handles));
    }
  }
  return out;
}

// Two regions: a fauxqs server each (its own data directory, so that it can be killed and
// restarted), a client each (request timeout 1 s) and a queue each, in `queues` for a
// Dispatcher.
struct TwoRegions {
  std::vector<std::string> dirs;
  std::vector<std::unique_ptr<test::FauxqsServer>> servers;
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<DispatcherQueue> queues;

  explicit TwoRegions(const std::string& hint) {
    for (const char* region : {"us-east-1", "eu-west-1"}) {
      dirs.push_back(test::make_temp_dir("sqs-" + hint + "-" + region));
      servers.push_back(std::make_unique<test::FauxqsServer>(
          test::FauxqsServer::Options{.region = region, .data_dir = dirs.back()}));
    }
    for (auto& server : servers) {
      ClientConfig c = config_for(server->endpoint());
      c.region = server->region();
      c.request_timeout = std::chrono::seconds(1);
      clients.push_back(std::make_unique<Client>(c));
      queues.push_back({create_queue_object(*clients.back(), unique_name(hint)), 1});
    }
  }
  ~TwoRegions() {
    servers.clear();
    for (const auto& dir : dirs) std::filesystem::remove_all(dir);
  }
  TwoRegions(const TwoRegions&) = delete;
  TwoRegions& operator=(const TwoRegions&) = delete;
};

}  // namespace sqs::itest

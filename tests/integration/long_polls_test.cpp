// The design's central claim, checked against fauxqs: a thousand concurrent long polls from one
// Client cost sockets, not threads. Also: many threads sharing one client with sync calls, and
// destroying a client with long polls in flight.
#include <boost/asio/use_future.hpp>
#include <future>
#include <set>
#include <thread>

#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

TEST(LongPolls, AThousandConcurrentLongPollsOnAtMostFourThreads) {
  Client client(fauxqs_config());
  Queue queue = create_queue_object(client, unique_name(), {{"VisibilityTimeout", "600"}});
  constexpr std::size_t polls = 1000;
  constexpr std::size_t messages = 100;

  std::mutex m;
  std::vector<std::string> received;  // message ids
  std::size_t failures = 0;
  std::string first_failure;
  Latch done;
  std::size_t peak_threads = thread_count();
  for (std::size_t i = 0; i < polls; ++i) {
    queue.async_receive({.max_messages = 1, .wait_time_seconds = 3},
                        [&](Result<std::vector<Message>> r) {
                          {
                            std::lock_guard<std::mutex> lock(m);
                            if (!r) {
                              if (failures++ == 0) first_failure = r.error().to_string();
                            } else {
                              for (const auto& msg : *r) received.push_back(msg.message_id);
                            }
                          }
                          done.count_down();
                        });
  }
  peak_threads = std::max(peak_threads, thread_count());
  // Messages sent while the polls wait are each delivered to exactly one of them.
  std::set<std::string> sent_ids;
  Client sender(fauxqs_config());
  Queue to(sender, queue.url());
  for (std::size_t i = 0; i < messages; i += 10) {
    std::vector<OutgoingMessage> batch(10, OutgoingMessage{"wake", {}});
    auto r = to.send_batch(batch);
    ASSERT_TRUE(r) << r.error().to_string();
    for (const auto& s : r->successful) sent_ids.insert(s.message_id);
  }
  // Sequential polls would take polls × 3 s; concurrent ones end after about one wait.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!done.wait(polls, 100ms) && std::chrono::steady_clock::now() < deadline) {
    peak_threads = std::max(peak_threads, thread_count());
  }
  ASSERT_TRUE(done.wait(polls, 0ms)) << done.count() << " of " << polls << " polls completed";
  EXPECT_EQ(failures, 0u) << first_failure;
  // Polls that started after the sends were done may have taken some too: nothing lost, nothing
  // twice.
  std::multiset<std::string> got(received.begin(), received.end());
  EXPECT_EQ(got.size(), messages);
  EXPECT_EQ(std::set<std::string>(received.begin(), received.end()), sent_ids);
  // main + the client's event loop + the sender's event loop (+ one spare): never a thread per
  // call.
  EXPECT_LE(peak_threads, 4u);
}

TEST(LongPolls, ManyThreadsShareOneClientWithSyncCalls) {
  Client client(fauxqs_config());
  Queue queue = create_queue_object(client, unique_name());
  constexpr int threads = 8, per_thread = 25;
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (queue.send(std::to_string(t) + ":" + std::to_string(i))) ++ok;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(ok.load(), threads * per_thread);
  auto attrs = queue.attributes({"ApproximateNumberOfMessages"});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), std::to_string(threads * per_thread));
}

// Destroying the client with 50 long polls of 20 s in flight completes each with `cancelled`
// at once: the destructor does not wait for the polls to end.
TEST(LongPolls, DestroyingTheClientCancelsFiftyLongPolls) {
  auto client = std::make_unique<Client>(fauxqs_config());
  auto url = create_queue(*client, unique_name());
  Queue queue(*client, url);
  constexpr std::size_t n = 50;
  Latch done;
  std::atomic<std::size_t> cancelled{0};
  std::vector<std::future<Result<std::vector<Message>>>> futures;
  for (std::size_t i = 0; i < n; ++i) {
    queue.async_receive({.wait_time_seconds = 20}, [&](Result<std::vector<Message>> r) {
      if (!r && r.error().kind == ErrorKind::cancelled) ++cancelled;
      done.count_down();
    });
    futures.push_back(queue.async_receive({.wait_time_seconds = 20}, boost::asio::use_future));
  }
  // A call made after them has gone through the same loop: the polls have been started.
  ASSERT_TRUE(client->get_queue_attributes({.queue_url = url}));
  auto start = std::chrono::steady_clock::now();
  client.reset();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(done.count(), n);
  EXPECT_EQ(cancelled.load(), n);
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
  }
  EXPECT_LT(took, 15s) << "the destructor waited for the long polls";
}

}  // namespace
}  // namespace sqs::itest

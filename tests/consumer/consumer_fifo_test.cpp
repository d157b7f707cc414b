// FIFO queues through sqs::Consumer against fauxqs: a group's messages are handled strictly in
// order, one at a time; groups run in parallel; a failure holds back its own group only (the
// later messages of that group are released and come back after the failed one).
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "consumer/consumer_support.hpp"
#include "sqs/consumer.hpp"

namespace sqs::itest {
namespace {

TEST(ConsumerFifo, OrderPerGroupGroupsInParallelAndAFailureHoldsBackItsGroupOnly) {
  Client client{fauxqs_config()};
  auto url = create_queue(client, unique_name("q", true), {{"FifoQueue", "true"}});
  Queue queue(client, url);
  constexpr int kGroups = 20, kPerGroup = 50;
  // Interleaved, as producers send them: message i of every group, then message i + 1...
  for (int first = 0; first < kPerGroup; first += 10) {
    for (int g = 0; g < kGroups; ++g) {
      std::vector<OutgoingMessage> batch;
      for (int i = first; i < first + 10; ++i) {
        const std::string group = "g" + std::to_string(g);
        OutgoingMessage m{group + "-" + std::to_string(i), {}};
        m.options.group_id = group;
        m.options.deduplication_id = group + "-" + std::to_string(i);
        batch.push_back(std::move(m));
      }
      auto r = queue.send_batch(batch);
      ASSERT_TRUE(r) << r.error().to_string();
      ASSERT_TRUE(r->all_succeeded());
    }
  }

  // Group g7's message 10 fails once, with a retry delay of 3 s: g7 must wait that long, and
  // only g7.
  const std::string failing_group = "g7";
  constexpr int kFailingMessage = 10;
  constexpr auto kRetryDelay = std::chrono::seconds(3);

  using Clock = std::chrono::steady_clock;
  struct Event {
    std::string group;
    int index;
    bool failed;
    Clock::time_point at;
  };
  std::mutex mutex;
  std::vector<Event> events;
  std::map<std::string, int> running;
  int overlap = 0, now_running = 0;
  bool failed_once = false;
  std::atomic<int> acked{0};
  std::mt19937 rng(1234);
  Consumer consumer(
      queue,
      [&](const Message& m, const MessageContext&) {
        const auto dash = m.body.find('-');
        const std::string group = m.body.substr(0, dash);
        const int index = std::stoi(m.body.substr(dash + 1));
        int work_ms = 0;
        bool fail = false;
        {
          std::lock_guard lock(mutex);
          EXPECT_EQ(running[group]++, 0) << "two messages of " << group << " at once";
          overlap = std::max(overlap, ++now_running);
          work_ms = static_cast<int>(rng() % 8);
          fail = group == failing_group && index == kFailingMessage && !failed_once;
          if (fail) failed_once = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(work_ms));  // the work
        {
          std::lock_guard lock(mutex);
          --running[group];
          --now_running;
          events.push_back({group, index, fail, Clock::now()});
        }
        if (fail) return Outcome::retry(kRetryDelay);
        ++acked;
        return Outcome::ack();
      },
      {.max_in_flight = 40, .wait_time_seconds = 1, .visibility_timeout = 30, .worker_threads = 8});
  consumer.start();
  ASSERT_TRUE(eventually([&] { return acked.load() == kGroups * kPerGroup; }, 90s))
      << acked.load() << " of " << kGroups * kPerGroup;
  auto summary = consumer.stop(5s);
  EXPECT_TRUE(summary.drained);

  std::lock_guard lock(mutex);
  // Per group, the successes in exact order; the failed message handled again right after.
  std::map<std::string, std::vector<int>> order;
  std::optional<Clock::time_point> failed_at, retried_at;
  for (const auto& e : events) {
    if (e.failed) {
      failed_at = e.at;
      continue;
    }
    if (e.group == failing_group && e.index == kFailingMessage) retried_at = e.at;
    order[e.group].push_back(e.index);
  }
  for (int g = 0; g < kGroups; ++g) {
    const auto& got = order["g" + std::to_string(g)];
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kPerGroup)) << "group g" << g;
    for (int i = 0; i < kPerGroup; ++i) ASSERT_EQ(got[i], i) << "group g" << g;
  }
  EXPECT_GT(overlap, 1) << "groups never ran in parallel";

  // The failure held g7 back for its retry delay: nothing of g7 was handled in between...
  ASSERT_TRUE(failed_at && retried_at);
  EXPECT_GE(*retried_at - *failed_at, kRetryDelay - 500ms);
  int others_while_held = 0;
  for (const auto& e : events) {
    if (e.at <= *failed_at || e.at >= *retried_at) continue;
    EXPECT_NE(e.group, failing_group) << "g7 message " << e.index << " ran while g7 was held back";
    ++others_while_held;
  }
  // ...while the other groups went on: no other group waited for it.
  EXPECT_GT(others_while_held, 0) << "the other groups stopped while g7 was held back";
  const auto m = consumer.metrics();
  EXPECT_EQ(m.total.retried, 1u);
  RecordProperty("handled_while_held", others_while_held);
  RecordProperty("released", static_cast<int>(m.total.released));
}

}  // namespace
}  // namespace sqs::itest

// Destroying a Client while other threads keep starting calls through handles: every call
// completes exactly once (with its result or `cancelled`), nothing hangs, nothing crashes
// (run it under ASan/UBSan and TSan too).
#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

TEST(DestructionRace, CallsRacingTheDestructionAllCompleteOnce) {
  auto owner = std::make_unique<Client>(fauxqs_config());
  auto url = create_queue(*owner, unique_name());
  Client handle = owner->handle();
  constexpr std::size_t threads = 3, per_thread = 300;
  std::atomic<std::size_t> started{0}, completed{0}, succeeded{0}, cancelled{0}, other{0};
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (std::size_t i = 0; i < per_thread; ++i) {
        ++started;
        handle.async_send_message({.queue_url = url, .message_body = "race"},
                                  [&](Result<SendMessageResult> r) {
                                    if (r) {
                                      ++succeeded;
                                    } else if (r.error().kind == ErrorKind::cancelled) {
                                      ++cancelled;
                                    } else {
                                      ++other;
                                    }
                                    ++completed;
                                  });
      }
    });
  }
  // Destroy while the workers are still starting calls.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (started < threads * per_thread / 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  owner.reset();
  for (auto& w : workers) w.join();
  // Calls started after the destruction completed inline; the others before reset() returned.
  EXPECT_EQ(started.load(), threads * per_thread);
  EXPECT_EQ(completed.load(), threads * per_thread);
  EXPECT_EQ(succeeded + cancelled, completed.load()) << other << " failed otherwise";
  EXPECT_GT(cancelled.load(), 0u);
}

TEST(DestructionRace, SyncCallsFromOtherThreadsAreReleased) {
  auto server = answering(test::Reply::hang());
  auto owner = std::make_unique<Client>(config_for(server->endpoint()));
  Client handle = owner->handle();
  std::vector<std::future<Result<ListQueuesResult>>> blocked;
  for (int i = 0; i < 4; ++i) {
    blocked.push_back(std::async(std::launch::async, [&] { return handle.list_queues({}); }));
  }
  ASSERT_TRUE(server->wait_for_requests(4, 10s));
  owner.reset();
  for (auto& f : blocked) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
  }
}

}  // namespace
}  // namespace sqs::itest

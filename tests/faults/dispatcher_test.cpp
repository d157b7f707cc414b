// The dispatcher through the fault matrix: two "regions" (two clients, two queues of the same
// fauxqs), region 0 behind a FaultProxy that goes through every fault of the matrix in turn,
// region 1 healthy. While one region works no send fails, single or batched; every message
// reported sent is in the queue that took it; the faulty region's pool leaks nothing.
#include "faults/fault_support.hpp"
#include "sqs/multiqueue.hpp"

namespace sqs::faults {
namespace {

class DispatcherFaults : public ::testing::Test {
 protected:
  FaultProxy proxy{itest::fauxqs().port()};
  Client direct{itest::fauxqs_config()};
  std::vector<Queue> truths{
      Queue(direct, itest::create_queue(direct, itest::unique_name("region0"))),
      Queue(direct, itest::create_queue(direct, itest::unique_name("region1")))};
  std::unique_ptr<Client> faulty = std::make_unique<Client>(faulty_config(proxy.endpoint()));
  Client healthy{faulty_config(itest::fauxqs().endpoint())};
  std::unique_ptr<Dispatcher> dispatcher;
  Ledger ledger;
  std::mutex mutex;
  std::map<std::string, std::size_t> taken_by;  // body -> the queue that accepted it

  void SetUp() override {
    DispatcherOptions o;
    o.seed = 5;
    // Quick to open, quick to probe again: the test goes through many faults in little time.
    o.breaker.open_timeout = 100ms;
    dispatcher = std::make_unique<Dispatcher>(
        std::vector<DispatcherQueue>{{Queue(*faulty, truths[0].url()), 1},
                                     {Queue(healthy, truths[1].url()), 1}},
        std::move(o));
  }

  void record(const std::string& body, std::size_t queue) {
    ledger.sent(body);
    std::lock_guard lock(mutex);
    taken_by[body] = queue;
  }

  // Every message reported sent is in the queue that took it.
  void expect_held_where_reported() {
    std::map<std::string, int> all;
    std::vector<std::map<std::string, int>> held;
    for (const auto& q : truths) {
      held.push_back(drain(q));
      for (const auto& [body, n] : held.back()) all[body] += n;
    }
    expect_ledger_matches(ledger, all);
    for (const auto& [body, queue] : taken_by) {
      EXPECT_GE(held[queue].count(body), 1u) << body << " is not in queue " << queue;
    }
  }
};

TEST_F(DispatcherFaults, NoSendFailsWhileOneRegionWorks) {
  constexpr int kPerFault = 12;
  for (const auto& fault : fault_matrix()) {
    SCOPED_TRACE(fault.name);
    proxy.set_faults(fault.faults);
    Latch latch;
    const auto began = SteadyClock::now();
    for (int i = 0; i < kPerFault; ++i) {
      const std::string body = "dispatcher-" + fault.name + "-" + std::to_string(i);
      ledger.expect(body);
      dispatcher->async_send(body, {}, {}, [this, body, &latch](Result<FailoverSendResult> r) {
        if (r) {
          record(body, r->queue_index);
        } else {
          ADD_FAILURE() << body << " failed: " << r.error().to_string();
          ledger.failed(body, r.error());
        }
        latch.count_down();
      });
    }
    ASSERT_TRUE(latch.wait(kPerFault, 30s));
    // A failover send tries region 0 (up to its call deadline), then region 1.
    EXPECT_LE(SteadyClock::now() - began, 2 * (kCallTimeout + kDeadlineSlack));
  }
  proxy.set_faults({});
  expect_no_leak(*faulty, proxy, 2 * kPerFault);
  faulty.reset();
  EXPECT_TRUE(eventually([&] { return proxy.connections_open() == 0; }));
  expect_held_where_reported();
}

TEST_F(DispatcherFaults, NoBatchEntryFailsWhileOneRegionWorks) {
  constexpr int kBatchesPerFault = 3;
  for (const auto& fault : fault_matrix()) {
    SCOPED_TRACE(fault.name);
    proxy.set_faults(fault.faults);
    Latch latch;
    for (int b = 0; b < kBatchesPerFault; ++b) {
      std::vector<OutgoingMessage> batch;
      std::vector<std::string> bodies;
      for (int i = 0; i < 10; ++i) {
        bodies.push_back("dispatcher-batch-" + fault.name + "-" + std::to_string(b) + "-" +
                         std::to_string(i));
        ledger.expect(bodies.back());
        batch.push_back({.body = bodies.back()});
      }
      dispatcher->async_send_batch(
          batch, {}, [this, bodies, &latch](Result<FailoverBatchResult> r) {
            if (!r) {
              ADD_FAILURE() << "batch failed: " << r.error().to_string();
              for (const auto& body : bodies) ledger.failed(body, r.error());
            } else {
              for (const auto& s : r->successful) record(bodies.at(s.index), s.queue_index);
              for (const auto& f : r->failed) {
                ADD_FAILURE() << bodies.at(f.index) << " failed: " << f.code << " " << f.message;
                ledger.failed(bodies.at(f.index), f.maybe_processed,
                              Error::make(ErrorKind::service, f.code, f.message));
              }
            }
            latch.count_down();
          });
    }
    ASSERT_TRUE(latch.wait(kBatchesPerFault, 30s));
  }
  proxy.set_faults({});
  expect_no_leak(*faulty, proxy, 2 * kBatchesPerFault);
  faulty.reset();
  EXPECT_TRUE(eventually([&] { return proxy.connections_open() == 0; }));
  expect_held_where_reported();
}

}  // namespace
}  // namespace sqs::faults

// Single sends, batches and long polls through every fault of the matrix (fault_support.hpp):
// each call ends by its deadline with a value or a typed error, the pool leaks no connection,
// and the queue holds exactly what the callers were told it holds.
#include <boost/asio/use_future.hpp>

#include "faults/fault_support.hpp"

namespace sqs::faults {
namespace {

constexpr int kConcurrent = 8;  // calls in flight at once

class FaultMatrix : public ::testing::TestWithParam<NamedFaults> {
 protected:
  FaultProxy proxy{itest::fauxqs().port()};
  Client direct{itest::fauxqs_config()};  // the truth: straight to the server
  std::string url = itest::create_queue(direct, itest::unique_name(GetParam().name));
  Queue truth{direct, url};
  std::unique_ptr<Client> client = std::make_unique<Client>(faulty_config(proxy.endpoint()));
  Queue queue{*client, url};
  Ledger ledger;

  // A few healthy calls first: the pool's connections as they are before any fault.
  void SetUp() override {
    ASSERT_FALSE(url.empty());
    std::vector<std::future<Result<std::vector<Message>>>> warm;
    for (int i = 0; i < kConcurrent; ++i) {
      warm.push_back(queue.async_receive({.wait_time_seconds = 0}, boost::asio::use_future));
    }
    for (auto& f : warm) ASSERT_TRUE(f.get());
    before_ = client->metrics().open_connections;
    EXPECT_GE(before_, 1u);
    EXPECT_LE(before_, static_cast<std::size_t>(kConcurrent));
  }

  // Lifts the faults, checks that the connections came back to what they were (at most one per
  // call that was in flight at once), then that none survives the client.
  void expect_connections_recover() {
    proxy.set_faults({});
    expect_no_leak(*client, proxy, std::max<std::size_t>(before_, kConcurrent));
    // And the client still works through the same proxy (a call that takes no message).
    auto r = queue.attributes({"QueueArn"});
    EXPECT_TRUE(r) << r.error().to_string();
    client.reset();
    EXPECT_TRUE(eventually([&] { return proxy.connections_open() == 0; }))
        << proxy.connections_open() << " connections still open after the client was destroyed";
  }

  // Runs `n` calls, `kConcurrent` at a time, each started by start(i, done) and checked to
  // complete by its deadline.
  template <class Start>
  void run_calls(int n, std::chrono::milliseconds deadline, Start&& start) {
    for (int first = 0; first < n; first += kConcurrent) {
      const int last = std::min(n, first + kConcurrent);
      Latch latch;
      const auto began = SteadyClock::now();
      for (int i = first; i < last; ++i) start(i, latch);
      const bool all = latch.wait(static_cast<std::size_t>(last - first), deadline + 10s);
      ASSERT_TRUE(all) << "calls did not complete";
      EXPECT_LE(SteadyClock::now() - began, deadline + kDeadlineSlack)
          << "calls ended past their deadline";
    }
  }

  std::size_t before_ = 0;
};

// Single sends: every outcome typed and in time; the queue agrees with the ledger.
TEST_P(FaultMatrix, Sends) {
  proxy.set_faults(GetParam().faults);
  constexpr int kMessages = 16;
  run_calls(kMessages, kCallTimeout, [&](int i, Latch& latch) {
    const std::string body = GetParam().name + "-send-" + std::to_string(i);
    ledger.expect(body);
    queue.async_send(body, {}, [this, body, &latch](Result<SendMessageResult> r) {
      if (r) {
        EXPECT_FALSE(r->message_id.empty());
        ledger.sent(body);
      } else {
        expect_typed(r.error());
        ledger.failed(body, r.error());
      }
      latch.count_down();
    });
  });
  expect_connections_recover();
  expect_ledger_matches(ledger, drain(truth));
  if (GetParam().name == "none" || GetParam().name == "latency_below_timeout") {
    EXPECT_EQ(ledger.count(SendRecord::Outcome::failed), 0u) << "a harmless fault failed calls";
  }
  RecordProperty("sent", static_cast<int>(ledger.count(SendRecord::Outcome::sent)));
}

// Batches of 10: every entry's outcome (an entry failure, or the whole batch's error) is
// accounted for.
TEST_P(FaultMatrix, Batches) {
  proxy.set_faults(GetParam().faults);
  constexpr int kBatches = 8;
  run_calls(kBatches, kCallTimeout, [&](int b, Latch& latch) {
    std::vector<OutgoingMessage> batch;
    std::vector<std::string> bodies;
    for (int i = 0; i < 10; ++i) {
      bodies.push_back(GetParam().name + "-batch-" + std::to_string(b) + "-" + std::to_string(i));
      ledger.expect(bodies.back());
      batch.push_back({.body = bodies.back()});
    }
    queue.async_send_batch(batch, [this, bodies, &latch](Result<BatchSendResult> r) {
      if (!r) {
        expect_typed(r.error());
        for (const auto& body : bodies) ledger.failed(body, r.error());
      } else {
        for (const auto& s : r->successful) ledger.sent(bodies.at(s.index));
        for (const auto& f : r->failed) {
          Error e = Error::make(ErrorKind::service, f.code, f.message);
          ledger.failed(bodies.at(f.index), f.maybe_processed, e);
        }
        EXPECT_EQ(r->successful.size() + r->failed.size(), bodies.size());
      }
      latch.count_down();
    });
  });
  expect_connections_recover();
  expect_ledger_matches(ledger, drain(truth));
}

// Long polls (1 s wait) while the fault is on: each ends by its wait + deadline; what is
// received is exactly what is in the queue (a corrupted body or attribute never gets through:
// the MD5s catch it).
TEST_P(FaultMatrix, LongPolls) {
  std::set<std::string> bodies;
  for (int i = 0; i < 20; ++i) {
    const std::string body = GetParam().name + "-held-" + std::to_string(i);
    bodies.insert(body);
    SendOptions o;
    o.attribute("n", MessageAttributeValue::number(std::to_string(i)));
    ASSERT_TRUE(truth.send(body, o));
  }
  proxy.set_faults(GetParam().faults);
  std::mutex mutex;
  std::vector<Message> received;
  run_calls(kConcurrent, kCallTimeout + 1s, [&](int, Latch& latch) {
    queue.async_receive({.max_messages = 3,
                         .wait_time_seconds = 1,
                         .visibility_timeout = 1,
                         .message_attribute_names = {"All"}},
                        [&](Result<std::vector<Message>> r) {
                          if (r) {
                            std::lock_guard lock(mutex);
                            for (auto& m : *r) received.push_back(std::move(m));
                          } else {
                            expect_typed(r.error());
                          }
                          latch.count_down();
                        });
  });
  for (const auto& m : received) {
    EXPECT_TRUE(bodies.count(m.body)) << "received a body never sent: '" << m.body << "'";
    ASSERT_EQ(m.message_attributes.count("n"), 1u) << m.body;
    EXPECT_EQ(GetParam().name + "-held-" + m.message_attributes.at("n").string_value, m.body)
        << "an attribute does not belong to its message";
  }
  expect_connections_recover();
  // Each message is received, or still in the queue: none vanishes.
  std::map<std::string, int> seen;
  for (const auto& m : received) ++seen[m.body];
  if (GetParam().name == "none") {  // healthy long polls get every message
    for (const auto& body : bodies) EXPECT_GE(seen[body], 1) << body << " never received";
  }
  // A receive whose answer was lost (held by a stall, cut) still took its messages: they are
  // back once their visibility timeout (1 s) is over. Drained until all are seen.
  const bool all_seen = eventually(
      [&] {
        for (const auto& [body, n] : drain(truth)) seen[body] += n;
        return std::all_of(bodies.begin(), bodies.end(),
                           [&](const std::string& b) { return seen[b] >= 1; });
      },
      15s);
  for (const auto& body : bodies) EXPECT_GE(seen[body], 1) << body << " vanished";
  EXPECT_TRUE(all_seen);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultMatrix, ::testing::ValuesIn(fault_matrix()),
                         [](const auto& info) { return info.param.name; });

// Sends `body`, recording how it ended in `ledger` (a failure must be typed).
void send_recorded(const Queue& queue, const std::string& body, Ledger& ledger, Latch& latch) {
  ledger.expect(body);
  queue.async_send(body, {}, [&ledger, &latch, body](Result<SendMessageResult> r) {
    if (r) {
      ledger.sent(body);
    } else {
      expect_typed(r.error());
      ledger.failed(body, r.error());
    }
    latch.count_down();
  });
}

// Faults that change from one connection to the next (every third connection broken in a
// different way): calls succeed on the healthy ones, retries move on, nothing leaks.
TEST(FaultMix, EveryThirdConnectionBroken) {
  FaultProxy proxy{itest::fauxqs().port()};
  Client direct{itest::fauxqs_config()};
  Queue truth{direct, itest::create_queue(direct, itest::unique_name())};
  auto client = std::make_unique<Client>(faulty_config(proxy.endpoint()));
  Queue queue{*client, truth.url()};
  const auto matrix = fault_matrix();
  proxy.set_connection_script([&](std::size_t i) {
    return i % 3 == 2 ? Faults{} : matrix[1 + (i / 3) % (matrix.size() - 1)].faults;
  });
  Ledger ledger;
  constexpr int kMessages = 60;
  Latch latch;
  for (int i = 0; i < kMessages; ++i) {
    const std::string body = "mix-" + std::to_string(i);
    send_recorded(queue, body, ledger, latch);
  }
  ASSERT_TRUE(latch.wait(kMessages, kCallTimeout + 20s));
  EXPECT_GT(ledger.count(SendRecord::Outcome::sent), 0u);
  proxy.set_connection_script({});
  proxy.set_faults({});
  expect_no_leak(*client, proxy, kMessages);
  client.reset();
  EXPECT_TRUE(eventually([&] { return proxy.connections_open() == 0; }));
  expect_ledger_matches(ledger, drain(truth));
}

// The proxy drops every connection while calls are in flight (a NAT or load balancer forgetting
// them), again and again: every call ends, and the ledger holds.
TEST(FaultMix, ConnectionsDroppedWhileInFlight) {
  FaultProxy proxy{itest::fauxqs().port()};
  Client direct{itest::fauxqs_config()};
  Queue truth{direct, itest::create_queue(direct, itest::unique_name())};
  auto client = std::make_unique<Client>(faulty_config(proxy.endpoint()));
  Queue queue{*client, truth.url()};
  proxy.set_faults({.latency = 50ms});  // answers in flight long enough to be dropped
  Ledger ledger;
  constexpr int kMessages = 40;
  Latch latch;
  for (int i = 0; i < kMessages; ++i) {
    const std::string body = "dropped-" + std::to_string(i);
    send_recorded(queue, body, ledger, latch);
    if (i % 8 == 7) {
      eventually([&] { return proxy.connections_open() > 0; }, 1s);
      proxy.close_all();
    }
  }
  ASSERT_TRUE(latch.wait(kMessages, kCallTimeout + 20s));
  proxy.set_faults({});
  expect_no_leak(*client, proxy, kMessages);
  client.reset();
  EXPECT_TRUE(eventually([&] { return proxy.connections_open() == 0; }));
  expect_ledger_matches(ledger, drain(truth));
}

// The region's address stops answering connections at all (listener closed: connection
// refused), then comes back on the same port: calls fail fast and surely not processed, then
// work again on fresh connections.
TEST(FaultMix, ListenerGoneThenBack) {
  FaultProxy proxy{itest::fauxqs().port()};
  Client direct{itest::fauxqs_config()};
  Queue truth{direct, itest::create_queue(direct, itest::unique_name())};
  Client client{faulty_config(proxy.endpoint())};
  Queue queue{client, truth.url()};
  proxy.close_listener();
  proxy.close_all();
  auto r = queue.send("refused");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::transport) << r.error().to_string();
  EXPECT_FALSE(r.error().maybe_processed) << "a refused connection carried nothing";
  proxy.reopen();
  auto again = queue.send("after");
  ASSERT_TRUE(again) << again.error().to_string();
  const auto held = drain(truth);
  EXPECT_EQ(held.count("refused"), 0u);
  EXPECT_EQ(held.at("after"), 1);
}

}  // namespace
}  // namespace sqs::faults

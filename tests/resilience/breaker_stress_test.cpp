// Several threads hammering one breaker with random outcomes while time moves on another
// thread; afterwards, and while it runs, the books must balance. Also run under TSan.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "breaker_fixture.hpp"

namespace sqs::test {
namespace {

struct Tally {
  std::atomic<std::uint64_t> admitted{0}, refused{0}, max_probes_seen{0};
};

// Makes calls until `calls` were admitted (refusals are quick: time must pass for the breaker
// to admit again, so the loop runs until then, within a generous limit).
void hammer(CircuitBreaker& b, Tally& tally, unsigned seed, int calls, int probe_cap,
            std::atomic<bool>& broken) {
  std::mt19937 random(seed);
  std::vector<CircuitBreaker::Permit> held;  // some calls finish later, out of order
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int admitted = 0;
  for (int i = 0; admitted < calls; ++i) {
    if (i % 1024 == 0 && std::chrono::steady_clock::now() > limit) {
      broken = true;  // stuck: the breaker never admitted again
      break;
    }
    auto permit = b.ready();
    if (!permit) {
      tally.refused.fetch_add(1, std::memory_order_relaxed);
      if (b.refusal(permit).kind != ErrorKind::circuit_open) broken = true;
      std::this_thread::yield();  // let time pass (the ticker needs the core)
    } else {
      tally.admitted.fetch_add(1, std::memory_order_relaxed);
      ++admitted;
      held.push_back(std::move(permit));
    }
    if (i % 64 == 0) {
      const auto m = b.metrics();
      if (m.probes_in_flight < 0 || m.probes_in_flight > probe_cap) broken = true;
      if (m.counters.successes < 0 || m.counters.failures < 0) broken = true;
      if (m.state != CircuitState::half_open && m.probes_in_flight != 0) broken = true;
    }
    while (!held.empty() && (held.size() > 4 || random() % 2 == 0)) {
      const auto pick = random() % held.size();
      auto p = std::move(held[pick]);
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(pick));
      // Bad spells (half the calls fail) alternate with good ones (1 in 20), so the breaker
      // goes round all its states.
      const bool bad_spell = (admitted / 200) % 2 == 0;
      const auto roll = random() % 100;
      if (roll < (bad_spell ? 50u : 5u)) {
        b.done(std::move(p), CallOutcome::failure);
      } else if (roll < 60) {
        b.done(std::move(p), CallOutcome::success);
      } else if (roll < 70) {
        b.done(std::move(p), CallOutcome::ignore);
      } else if (roll < 80) {
        b.done(std::move(p), Error::validation("X", ""));
      } else if (roll < 85) {
        auto dropped = std::move(p);  // abandoned
      } else {
        b.done(std::move(p), CallOutcome::success);
      }
    }
  }
}

void check_books(const CircuitBreaker& b, const Tally& tally, const std::vector<Transition>& seen) {
  const auto m = b.metrics();
  // Every admitted call was settled exactly once, as one of these.
  EXPECT_EQ(m.successes + m.failures + m.ignored + m.stale, tally.admitted.load());
  EXPECT_EQ(m.rejected, tally.refused.load());
  EXPECT_EQ(m.transitions, seen.size());
  for (std::size_t i = 1; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i].first, seen[i - 1].second) << i;
  }
  if (!seen.empty()) {
    EXPECT_EQ(seen.back().second, m.state);
  }
  if (m.state != CircuitState::half_open) {
    EXPECT_EQ(m.probes_in_flight, 0);
  }
}

using BreakerStress = BreakerTest;

TEST_F(BreakerStress, ManualClockTickingOnAnotherThread) {
  auto o = options();
  o.should_trip = trip_on_failure_rate(20, 0.3);
  o.interval = 50ms;
  o.open_back_off.initial = 2ms;
  o.open_back_off.max = 20ms;
  o.open_back_off.jitter = 0.5;
  o.half_open_max_probes = 3;
  CircuitBreaker b(o);
  Tally tally;
  std::atomic<bool> broken{false};
  std::atomic<bool> stop{false};
  // Time moves with the calls (1 ms per 4 calls made, admitted or refused), not with the
  // scheduler: a ticker free-running on its own core (or slowed down by TSan) would let each
  // 50 ms interval see anywhere from 0 to thousands of calls, and the run might never trip.
  std::thread ticker([&] {
    std::uint64_t last = 0;
    while (!stop) {
      const auto calls = tally.admitted.load() + tally.refused.load();
      if (calls >= last + 4) {
        clock_->advance(1ms);
        last = calls;
      } else {
        std::this_thread::yield();
      }
    }
  });
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 4; ++t) {
    threads.emplace_back(hammer, std::ref(b), std::ref(tally), 1000 + t, 3000, 3, std::ref(broken));
  }
  for (auto& t : threads) t.join();
  stop = true;
  ticker.join();
  EXPECT_FALSE(broken);
  check_books(b, tally, transitions());
  EXPECT_GT(transitions().size(), 10u);  // it really went round the states
}

TEST_F(BreakerStress, SystemClockWithForcingFromAnotherThread) {
  auto o = options();
  o.clock = nullptr;  // the real timer thread
  o.should_trip = trip_on_consecutive_failures(3);
  o.open_timeout = 100us;
  o.half_open_successes = 2;
  CircuitBreaker b(o);
  Tally tally;
  std::atomic<bool> broken{false};
  std::atomic<bool> stop{false};
  std::thread operator_thread([&] {
    for (int i = 0; !stop; ++i) {
      switch (i % 4) {
        case 0:
          b.force_open();
          break;
        case 1:
          b.clear();
          break;
        case 2:
          b.force_closed();
          break;
        case 3:
          b.reset();
          break;
      }
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 3; ++t) {
    threads.emplace_back(hammer, std::ref(b), std::ref(tally), 2000 + t, 5000, 2, std::ref(broken));
  }
  for (auto& t : threads) t.join();
  stop = true;
  operator_thread.join();
  EXPECT_FALSE(broken);
  check_books(b, tally, transitions());
}

}  // namespace
}  // namespace sqs::test

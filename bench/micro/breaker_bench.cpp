// The dispatcher's per-call overhead: pick a queue (weighted round-robin or random over the
// available set), then pass a no-op call through that queue's circuit breaker. Targets: <= 100
// ns single-threaded, <= 300 ns per call with two threads calling at once (->Threads(2): the
// Time column is the per-call time seen by each thread).
#include <benchmark/benchmark.h>

#include <array>
#include <memory>

#include "multiqueue/selector.hpp"
#include "sqs/circuit_breaker.hpp"

namespace {

// Shared by the threads of a ->Threads(n) run, as a dispatcher is.
struct Dispatch {
  explicit Dispatch(std::vector<std::uint32_t> weights) : selector(weights, 1) {
    for (std::size_t i = 0; i < weights.size(); ++i) {
      breakers.push_back(std::make_unique<sqs::CircuitBreaker>());
    }
  }
  sqs::detail::Selector selector;
  std::vector<std::unique_ptr<sqs::CircuitBreaker>> breakers;
};

Dispatch& three_queues() {
  static Dispatch d({1, 5, 2});
  return d;
}
Dispatch& one_queue() {
  static Dispatch d({1});
  return d;
}

sqs::Result<int> no_op() {
  return 1;
}

void BM_RrThenBreakerRun(benchmark::State& state) {
  auto& d = three_queues();
  for (auto _ : state) {
    auto result = d.breakers[d.selector.rr()]->run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_RrThenBreakerRun)->Threads(1)->Threads(2)->UseRealTime();

// Worst case: every thread on the same breaker.
void BM_RrThenBreakerRunOneQueue(benchmark::State& state) {
  auto& d = one_queue();
  for (auto _ : state) {
    auto result = d.breakers[d.selector.rr()]->run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_RrThenBreakerRunOneQueue)->Threads(1)->Threads(2)->UseRealTime();

void BM_RandomThenBreakerRun(benchmark::State& state) {
  auto& d = three_queues();
  for (auto _ : state) {
    auto result = d.breakers[d.selector.random()]->run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_RandomThenBreakerRun)->Threads(1)->Threads(2)->UseRealTime();

// The parts on their own.
void BM_SelectorRr(benchmark::State& state) {
  auto& d = three_queues();
  for (auto _ : state) benchmark::DoNotOptimize(d.selector.rr());
}
BENCHMARK(BM_SelectorRr)->Threads(1)->Threads(2)->UseRealTime();

void BM_BreakerReadyDone(benchmark::State& state) {
  auto& breaker = *one_queue().breakers[0];
  for (auto _ : state) {
    auto permit = breaker.ready();
    breaker.done(std::move(permit), sqs::CallOutcome::success);
  }
}
BENCHMARK(BM_BreakerReadyDone)->Threads(1)->Threads(2)->UseRealTime();

// Without the interval reset the breaker need not read the clock on done().
void BM_BreakerReadyDoneNoInterval(benchmark::State& state) {
  static sqs::CircuitBreaker breaker([] {
    sqs::CircuitBreakerOptions o;
    o.interval = std::chrono::nanoseconds(0);
    return o;
  }());
  for (auto _ : state) {
    auto permit = breaker.ready();
    breaker.done(std::move(permit), sqs::CallOutcome::success);
  }
}
BENCHMARK(BM_BreakerReadyDoneNoInterval)->Threads(1)->Threads(2)->UseRealTime();

// Fail fast: what a call to a queue whose breaker is open costs.
void BM_BreakerRunWhileOpen(benchmark::State& state) {
  static sqs::CircuitBreaker breaker;
  if (state.thread_index() == 0) breaker.force_open();
  for (auto _ : state) {
    auto result = breaker.run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_BreakerRunWhileOpen)->Threads(1)->UseRealTime();

}  // namespace

// The per-call overhead of the REAL sqs::Dispatcher: pick a queue (dispatch_rr() / dispatch()),
// then pass a no-op call through that queue's circuit breaker. Targets: <= 100 ns
// single-threaded, <= 300 ns per call with two threads calling at once. The machine may be
// shared: read the CPU column. (breaker_bench.cpp measures the selector and breaker alone.)
//
// The clients point at a closed port: nothing here touches the network.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "sqs/multiqueue.hpp"

namespace {

sqs::ClientConfig offline_config() {
  sqs::ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = "http://127.0.0.1:9";
  c.credentials = sqs::Credentials{"AKID", "secret", {}, std::nullopt};
  c.retry.max_attempts = 1;
  return c;
}

// Shared by the threads of a ->Threads(n) run, as a dispatcher is by an application.
struct Fixture {
  explicit Fixture(const std::vector<int>& weights) {
    std::vector<sqs::DispatcherQueue> queues;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      clients.push_back(std::make_unique<sqs::Client>(offline_config()));
      queues.push_back({sqs::Queue(*clients.back(),
                                   "http://127.0.0.1:9/000000000000/bench-" + std::to_string(i)),
                        weights[i]});
    }
    sqs::DispatcherOptions options;
    options.seed = 1;
    dispatcher = std::make_unique<sqs::Dispatcher>(std::move(queues), std::move(options));
  }
  std::vector<std::unique_ptr<sqs::Client>> clients;  // outlive the dispatcher's queues
  std::unique_ptr<sqs::Dispatcher> dispatcher;
};

const sqs::Dispatcher& three_queues() {
  static Fixture f({1, 5, 2});
  return *f.dispatcher;
}
const sqs::Dispatcher& one_queue() {
  static Fixture f({1});
  return *f.dispatcher;
}

sqs::Result<int> no_op() {
  return 1;
}

// The brief's reference call: round-robin, then the breaker around a no-op.
void BM_DispatchRrBreakerRun(benchmark::State& state) {
  const auto& d = three_queues();
  for (auto _ : state) {
    auto result = d.dispatch_rr().breaker().run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_DispatchRrBreakerRun)->Threads(1)->Threads(2);

// The same through Executor::run (the executor's own sync wrapper).
void BM_DispatchRrExecutorRun(benchmark::State& state) {
  const auto& d = three_queues();
  for (auto _ : state) {
    auto result = d.dispatch_rr().run([](const sqs::Queue&) { return sqs::Result<int>(1); });
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_DispatchRrExecutorRun)->Threads(1)->Threads(2);

// Worst case: both threads on the same queue (same breaker, same round-robin counter).
void BM_DispatchRrBreakerRunOneQueue(benchmark::State& state) {
  const auto& d = one_queue();
  for (auto _ : state) {
    auto result = d.dispatch_rr().breaker().run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_DispatchRrBreakerRunOneQueue)->Threads(1)->Threads(2);

void BM_DispatchRandomBreakerRun(benchmark::State& state) {
  const auto& d = three_queues();
  for (auto _ : state) {
    auto result = d.dispatch().breaker().run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_DispatchRandomBreakerRun)->Threads(1)->Threads(2);

// What keeping an Executor beyond the call costs: a copy holds the queue alive (a shared
// reference count, which the threads contend on).
void BM_DispatchRrCopyExecutor(benchmark::State& state) {
  const auto& d = one_queue();
  for (auto _ : state) {
    sqs::Executor executor = d.dispatch_rr();
    benchmark::DoNotOptimize(executor);
  }
}
BENCHMARK(BM_DispatchRrCopyExecutor)->Threads(1)->Threads(2);

// Fail fast: a call to a queue whose breaker is open (every queue open: the dispatcher falls
// back to a random pick among all).
void BM_DispatchRrWhileAllOpen(benchmark::State& state) {
  static Fixture f({1, 1});
  const auto& d = *f.dispatcher;
  if (state.thread_index() == 0) {
    for (std::size_t i = 0; i < d.size(); ++i) d.executor(i).breaker().force_open();
  }
  for (auto _ : state) {
    auto result = d.dispatch_rr().breaker().run(no_op);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_DispatchRrWhileAllOpen)->Threads(1);

}  // namespace

// A region that hangs or slows down, steered around: the dispatcher's load-aware options. Sends
// go through failover sends hedged after 100 ms (adaptive: the first region's p95, within
// [20 ms, 500 ms]), with a bulkhead of at most 200 calls in flight per region (adaptive below
// that); every second the load of each region is printed: calls in flight, latency, bulkhead
// limit, breaker state. Freeze one of the servers (kill -STOP) while it runs, and watch the
// traffic move to the other within a fraction of a second, and come back after kill -CONT.
//   example_gray_failures QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT] [SECONDS]
// e.g. against two local servers:
//   example_gray_failures jobs us-east-1=http://127.0.0.1:9324 eu-west-1=http://127.0.0.1:9325
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "sqs/multiqueue.hpp"

namespace {

sqs::ClientConfig region_config(const std::string& arg) {
  sqs::ClientConfig config;
  auto eq = arg.find('=');
  config.region = arg.substr(0, eq);
  if (eq != std::string::npos) config.endpoint = arg.substr(eq + 1);
  return config;
}

double ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void print_load(const sqs::Dispatcher& dispatcher, int sent, int failed) {
  std::printf("sent %d (failed %d)", sent, failed);
  for (const sqs::QueueMetrics& m : dispatcher.metrics()) {
    std::printf(" | q%zu %s: %lld in flight, %.1f ms (p99 %.1f), limit %s%s", m.index,
                std::string(sqs::to_string(m.breaker.state)).c_str(),
                static_cast<long long>(m.load.in_flight), ms(m.load.latency), ms(m.load.p99),
                m.load.limit ? std::to_string(*m.load.limit).c_str() : "none",
                m.load.stalled ? ", stalled" : "");
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: " << argv[0]
              << " QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT] [SECONDS]\n";
    return 2;
  }
  const int seconds = argc == 5 ? std::stoi(argv[4]) : 10;
  try {
    sqs::Client first(region_config(argv[2]));
    sqs::Client second(region_config(argv[3]));

    sqs::DispatcherOptions options;  // the defaults already steer around a hanging region
    options.bulkhead.max_in_flight = 200;
    options.hedge = sqs::HedgeOptions{.delay = std::chrono::milliseconds(100),
                                      .percentile = 0.95,
                                      .min_delay = std::chrono::milliseconds(20),
                                      .max_delay = std::chrono::milliseconds(500)};
    options.on_late_copy = [](const sqs::LateCopy& copy) {
      // The same message was also accepted by a second region: consumers must be idempotent.
      std::cerr << "late copy of " << copy.message_id << " in queue " << copy.queue_index << "\n";
    };
    sqs::Dispatcher dispatcher(
        {{sqs::Queue::open(first, argv[1]).value()}, {sqs::Queue::open(second, argv[1]).value()}},
        options);

    // 200 sends a second, 64 at most in flight, for `seconds`.
    std::atomic<int> in_flight{0}, sent{0}, failed{0};
    const auto start = std::chrono::steady_clock::now();
    auto next_report = start + std::chrono::seconds(1);
    for (int n = 0; std::chrono::steady_clock::now() < start + std::chrono::seconds(seconds); ++n) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(5 * n));
      if (in_flight.load() >= 64) continue;  // every send slot is busy: this one is skipped
      ++in_flight;
      dispatcher.async_send("message " + std::to_string(n), {}, {},
                            [&](sqs::Result<sqs::FailoverSendResult> r) {
                              ++(r ? sent : failed);
                              --in_flight;
                            });
      if (std::chrono::steady_clock::now() >= next_report) {
        print_load(dispatcher, sent.load(), failed.load());
        next_report += std::chrono::seconds(1);
      }
    }
    while (in_flight.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    print_load(dispatcher, sent.load(), failed.load());
  } catch (const sqs::Exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

// Processes the messages of the same queue in two regions with sqs::Consumer: both regions
// polled in parallel within one budget, deletes batched per region, failures retried with
// back-off, slow work kept invisible, a graceful drain on Ctrl-C (or after --seconds).
//   example_consumer QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT] [SECONDS]
// e.g. `example_consumer jobs us-east-1 eu-west-1`, or against two local servers
// `example_consumer jobs us-east-1=http://127.0.0.1:9324 eu-west-1=http://127.0.0.1:9325 10`.
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <thread>

#include "sqs/consumer.hpp"

namespace {

std::atomic<bool> interrupted{false};

sqs::ClientConfig region_config(const std::string& arg) {
  sqs::ClientConfig config;
  auto eq = arg.find('=');
  config.region = arg.substr(0, eq);
  if (eq != std::string::npos) config.endpoint = arg.substr(eq + 1);
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: " << argv[0]
              << " QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT] [SECONDS]\n";
    return 2;
  }
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::signal(SIGTERM, [](int) { interrupted = true; });
  try {
    sqs::Client first(region_config(argv[2]));
    sqs::Client second(region_config(argv[3]));
    sqs::Dispatcher dispatcher({{sqs::Queue::open(first, argv[1]).value(), 1},
                                {sqs::Queue::open(second, argv[1]).value(), 1}});

    sqs::ConsumerHooks hooks;
    hooks.on_poll_error = [](std::size_t queue, const sqs::Error& e) {
      std::cerr << "queue " << queue << ": " << e.to_string() << "\n";
    };
    sqs::Consumer consumer(
        dispatcher,
        [](const sqs::Message& m, const sqs::MessageContext& ctx) {
          if (m.body.rfind("fail", 0) == 0) return sqs::Outcome::retry();  // back off, again
          std::cout << "region " << ctx.queue_index << " (receive " << ctx.receive_count
                    << "): " << m.body << "\n";
          return sqs::Outcome::ack();
        },
        {.max_in_flight = 100, .worker_threads = 8}, std::move(hooks));
    consumer.start();

    const auto seconds = argc == 5 ? std::stoi(argv[4]) : -1;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!interrupted && (seconds < 0 || std::chrono::steady_clock::now() < until)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto summary = consumer.stop(std::chrono::seconds(30));
    std::cerr << "handled " << summary.metrics.total.handled << ", acked "
              << summary.metrics.total.acked << ", released " << summary.released
              << (summary.drained ? ", drained" : ", NOT drained") << "\n";
    return summary.drained ? 0 : 1;
  } catch (const sqs::Exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

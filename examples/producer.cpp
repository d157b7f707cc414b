// Sends messages one at a time to the same queue in two regions with sqs::Producer: they leave
// in SendMessageBatch calls of up to 10 (after a 5 ms linger at most), through the regions'
// breakers and failover; each message's completion is its delivery report.
//   example_producer QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT] [COUNT]
// e.g. `example_producer jobs us-east-1 eu-west-1 1000`, or against two local servers
// `example_producer jobs us-east-1=http://127.0.0.1:9324 eu-west-1=http://127.0.0.1:9325`.
#include <atomic>
#include <iostream>
#include <string>

#include "sqs/producer.hpp"

namespace {

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
    std::cerr << "usage: " << argv[0] << " QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT] "
              << "[COUNT]\n";
    return 2;
  }
  const int count = argc == 5 ? std::stoi(argv[4]) : 100;
  try {
    sqs::Client first(region_config(argv[2]));
    sqs::Client second(region_config(argv[3]));
    sqs::Dispatcher dispatcher({{sqs::Queue::open(first, argv[1]).value(), 1},
                                {sqs::Queue::open(second, argv[1]).value(), 1}});

    sqs::Producer producer(dispatcher, {.linger = std::chrono::milliseconds(5),
                                        .max_buffered_messages = 10000,
                                        .when_full = sqs::ProducerOptions::WhenFull::wait});
    std::atomic<int> failed{0};
    for (int i = 0; i < count; ++i) {
      sqs::SendOptions options;
      options.attribute("seq", std::to_string(i));
      // The completion (the delivery report) runs on the producer's thread: keep it short.
      producer.async_send("message " + std::to_string(i), options,
                          [&failed, i](sqs::Result<sqs::ProducerResult> r) {
                            if (!r) {
                              ++failed;
                              std::cerr << "message " << i << ": " << r.error().to_string() << "\n";
                            }
                          });
    }
    // One more, waiting for its own report.
    auto last = producer.send("the last one");
    if (last) {
      std::cout << "last: " << last->message_id << " (region " << last->queue_index << ")\n";
    }
    producer.flush();  // every message above has its report now
    const auto m = producer.metrics();
    std::cout << m.sent << " sent, " << m.failed << " failed, in " << m.batches << " batches ("
              << m.average_fill() << " messages a batch); region 1 took " << m.queues[0].sent
              << ", region 2 " << m.queues[1].sent << "\n";
    const auto summary = producer.close(std::chrono::seconds(10));
    return summary.flushed && failed == 0 && last ? 0 : 1;
  } catch (const sqs::Exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

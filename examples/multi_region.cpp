// The same queue in two regions, used all the time: sends go through the failover dispatcher
// (a region that fails is skipped, and its circuit breaker takes it out until it recovers);
// receives poll every region.
//   example_multi_region QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT]
// e.g. `example_multi_region jobs us-east-1 eu-west-1`, or against two local servers
// `example_multi_region jobs us-east-1=http://127.0.0.1:9324 eu-west-1=http://127.0.0.1:9325`.
// Credentials (and endpoints not given) come from the environment or ~/.aws, as with every AWS
// SDK.
#include <iostream>
#include <string>

#include "sqs/multiqueue.hpp"

// "REGION" or "REGION=ENDPOINT".
sqs::ClientConfig region_config(const std::string& arg) {
  sqs::ClientConfig config;
  auto eq = arg.find('=');
  config.region = arg.substr(0, eq);
  if (eq != std::string::npos) config.endpoint = arg.substr(eq + 1);
  return config;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " QUEUE_NAME REGION_1[=ENDPOINT] REGION_2[=ENDPOINT]\n";
    return 2;
  }
  try {
    // One client per region; a Queue keeps a handle to its client. (Opening by name asks each
    // region for the queue's URL: to start while a region is down, keep the URLs in your
    // configuration and use sqs::Queue(client, url), which needs no network.)
    sqs::Client first(region_config(argv[2]));
    sqs::Client second(region_config(argv[3]));

    sqs::DispatcherOptions options;
    options.breaker.should_trip = sqs::trip_on_consecutive_failures(3);
    options.on_state_change = [](std::size_t index, const sqs::Queue& queue, sqs::CircuitState from,
                                 sqs::CircuitState to) {
      std::cerr << "queue " << index << " (" << queue.url() << "): " << sqs::to_string(from)
                << " -> " << sqs::to_string(to) << "\n";
    };
    sqs::Dispatcher dispatcher(
        {{sqs::Queue::open(first, argv[1]).value()}, {sqs::Queue::open(second, argv[1]).value()}},
        options);

    for (int i = 0; i < 10; ++i) {
      auto sent = dispatcher.send("message " + std::to_string(i)).value();
      std::cout << "sent " << sent.result.message_id << " to queue " << sent.queue_index << "\n";
    }

    // Receive from every region, never from one picked at random.
    for (const sqs::Executor& region : dispatcher.executors()) {
      auto messages = region.receive({.max_messages = 10, .wait_time_seconds = 1});
      if (!messages) {
        std::cerr << "queue " << region.index() << ": " << messages.error().to_string() << "\n";
        continue;
      }
      std::vector<std::string> handles;
      for (const sqs::Message& m : *messages) {
        std::cout << "queue " << region.index() << ": " << m.body << "\n";
        handles.push_back(m.receipt_handle);
      }
      if (!handles.empty()) region.delete_batch(handles).value();
    }
  } catch (const sqs::Exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

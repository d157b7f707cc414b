// Sends a few messages to a queue and receives them back, with the sync API.
//   example_send_receive QUEUE_NAME_OR_URL
// Region, endpoint and credentials come from the environment (AWS_REGION,
// AWS_ENDPOINT_URL_SQS, AWS_ACCESS_KEY_ID...) or ~/.aws, as with every AWS SDK.
#include <iostream>

#include "sqs/queue.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " QUEUE_NAME_OR_URL\n";
    return 2;
  }
  try {
    sqs::Client client;
    auto queue = sqs::Queue::open(client, argv[1]).value();

    auto sent = queue.send("hello", sqs::SendOptions{}.attribute("origin", "example")).value();
    std::cout << "sent " << sent.message_id << "\n";

    std::vector<sqs::OutgoingMessage> batch;
    for (int i = 0; i < 5; ++i) batch.push_back({"message " + std::to_string(i), {}});
    auto result = queue.send_batch(batch).value();
    for (const auto& f : result.failed) {
      std::cerr << "message " << f.index << " failed: " << f.code << " " << f.message << "\n";
    }

    std::size_t received = 0;
    while (received < 6) {
      auto messages =
          queue
              .receive(
                  {.max_messages = 10, .wait_time_seconds = 2, .message_attribute_names = {"All"}})
              .value();
      if (messages.empty()) break;
      std::vector<std::string> receipts;
      for (const auto& m : messages) {
        std::cout << "received " << m.body << "\n";
        receipts.push_back(m.receipt_handle);
      }
      queue.delete_batch(receipts).value();
      received += messages.size();
    }
    return 0;
  } catch (const sqs::Exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

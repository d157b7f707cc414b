// Uses the installed headers and library without any network: resolves a client's endpoint and
// checks a message against the SQS limits.
#include <iostream>

#include <sqs/multiqueue.hpp>

int main() {
  sqs::Client client({.region = "eu-west-1"});
  sqs::Queue queue(client, "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs");
  auto bad = queue.make_send(std::string(300000, 'x'), {.delay_seconds = 1000});
  std::cout << client.endpoint() << "\n" << (bad ? "accepted" : bad.error().code) << "\n";
  return client.endpoint() == "https://sqs.eu-west-1.amazonaws.com" && !bad ? 0 : 1;
}

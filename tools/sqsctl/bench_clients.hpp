// The clients of a bench: one per distinct endpoint and region (each region is its own
// service), all on the bench's own event loop, so that one thread does everything and no
// completion has to be handed from thread to thread (the client must never be what limits the
// run). Also opens the queues, concurrently, before the run.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "context.hpp"
#include "sqs/client.hpp"
#include "sqs/queue.hpp"

namespace sqsctl::bench {

class BenchClients {
 public:
  explicit BenchClients(boost::asio::io_context& io) : io_(io) {}
  ~BenchClients() { shutdown(); }
  BenchClients(const BenchClients&) = delete;
  BenchClients& operator=(const BenchClients&) = delete;

  // The client for the endpoint and region `global` describes (made on first use, with the
  // configuration every sqsctl command gets from the global options).
  sqs::Result<const sqs::Client*> client_for(const GlobalOptions& global);

  struct OpenFailure {
    std::size_t index;  // of the queue that could not be opened
    sqs::Error error;
  };
  // Opens every queue (GetQueueUrl for a name) at once, running the event loop until all are
  // done. The loop must not be running.
  std::variant<std::vector<sqs::Queue>, OpenFailure> open(
      const std::vector<std::pair<const sqs::Client*, std::string>>& queues);

  // Destroys the clients, then runs the event loop until every call they had in flight has
  // completed (cancelled), so that no completion is left for later. Whoever those completions
  // go to must still exist. Idempotent.
  void shutdown();

 private:
  boost::asio::io_context& io_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<sqs::Client>> clients_;
};

}  // namespace sqsctl::bench

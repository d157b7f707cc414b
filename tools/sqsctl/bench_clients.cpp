#include "bench_clients.hpp"

#include <boost/asio/bind_executor.hpp>
#include <optional>

namespace sqsctl::bench {

sqs::Result<const sqs::Client*> BenchClients::client_for(const GlobalOptions& global) {
  auto key = std::make_pair(global.endpoint.value_or(""), global.region.value_or(""));
  auto& client = clients_[key];
  if (!client) {
    // make_client checks and completes the configuration; the bench's own client then runs
    // with that same configuration on the bench's event loop instead of a thread of its own.
    auto made = make_client(global);
    if (!made) {
      clients_.erase(key);
      return made.error();
    }
    try {
      client = std::make_unique<sqs::Client>(io_.get_executor(), made->config());
    } catch (const sqs::Exception& e) {
      clients_.erase(key);
      return e.error();
    }
  }
  return client.get();
}

std::variant<std::vector<sqs::Queue>, BenchClients::OpenFailure> BenchClients::open(
    const std::vector<std::pair<const sqs::Client*, std::string>>& queues) {
  std::vector<std::optional<sqs::Result<sqs::Queue>>> results(queues.size());
  std::size_t pending = queues.size();
  for (std::size_t i = 0; i < queues.size(); ++i) {
    sqs::Queue::async_open(*queues[i].first, queues[i].second,
                           boost::asio::bind_executor(io_, [&, i](sqs::Result<sqs::Queue> r) {
                             results[i] = std::move(r);
                             if (--pending == 0) io_.stop();
                           }));
  }
  io_.restart();
  io_.run();
  io_.restart();
  std::vector<sqs::Queue> opened;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i]) {
      return OpenFailure{i, sqs::Error::make(sqs::ErrorKind::cancelled, "NotOpened",
                                             "the queue could not be opened")};
    }
    if (!*results[i]) return OpenFailure{i, std::move(*results[i]).error()};
    opened.push_back(std::move(**results[i]));
  }
  return opened;
}

void BenchClients::shutdown() {
  if (clients_.empty()) return;
  clients_.clear();  // every call in flight completes with a `cancelled` error...
  io_.restart();
  io_.run();  // ...here; then nothing is left on the loop
  io_.restart();
}

}  // namespace sqsctl::bench

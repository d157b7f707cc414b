// produce: sqs::Producer with C single-message sends in flight: each worker sends one message,
// and the next when its completion (the delivery report) comes; the producer puts them in
// SendMessageBatch calls. Completions run on the producer's thread, and only there after the
// first sends: the tallies see one thread at a time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <vector>

#include <sqs/producer.hpp>

#include "workload.hpp"

namespace sqs_load {
namespace {

class ProduceWorkload final : public Workload {
 public:
  explicit ProduceWorkload(Run& run) : run_(run) {
    sqs::ProducerOptions o;
    o.linger = std::chrono::milliseconds(run.options().linger_ms);
    o.max_in_flight_batches = 64;
    o.max_attempts = 1;  // as the other ops: an error is counted, not retried
    producer_.emplace(run.queue(), o);
  }
  ~ProduceWorkload() override {
    if (producer_) {
      producer_->close(std::chrono::seconds(10));
      metrics_ = producer_->metrics();
    }
  }

  void start_worker(std::size_t) override { next(); }

  std::string extra_json() const override {
    const auto m = producer_->metrics();
    std::vector<double> l;
    {
      std::lock_guard lock(latency_mutex_);
      l = latencies_us_;
    }
    std::sort(l.begin(), l.end());
    auto at = [&](double q) {
      return l.empty() ? 0.0 : l[std::min(l.size() - 1, static_cast<std::size_t>(q * l.size()))];
    };
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  ",\"batches\":%llu,\"average_fill\":%.2f,\"linger_batches\":%llu,"
                  "\"linger_ms\":%d,\"send_latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}",
                  static_cast<unsigned long long>(m.batches), m.average_fill(),
                  static_cast<unsigned long long>(m.linger_batches), run_.options().linger_ms,
                  at(0.5) / 1000, at(0.99) / 1000, l.empty() ? 0.0 : l.back() / 1000);
    return buf;
  }

 private:
  void next() {
    if (issued_.fetch_add(1) >= run_.options().count || run_.too_many_errors()) {
      return run_.worker_done();
    }
    const auto start = std::chrono::steady_clock::now();
    producer_->async_send(run_.body(), {}, [this, start](sqs::Result<sqs::ProducerResult> r) {
      {
        std::lock_guard lock(latency_mutex_);
        latencies_us_.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count());
      }
      if (r) {
        run_.add_done();
      } else {
        run_.fail(r.error());
      }
      next();
    });
  }

  Run& run_;
  std::optional<sqs::Producer> producer_;
  std::atomic<std::uint64_t> issued_{0};
  sqs::ProducerMetrics metrics_;
  mutable std::mutex latency_mutex_;
  std::vector<double> latencies_us_;  // per message: from async_send to its completion
};

}  // namespace

std::unique_ptr<Workload> make_produce(Run& run) {
  return std::make_unique<ProduceWorkload>(run);
}

}  // namespace sqs_load

// consume: sqs::Consumer with a no-op handler that acks at once (deletes batched by the
// consumer), --concurrency = its max_in_flight; ends once --count messages were acknowledged.
// The consumer polls with wait 0 (the canned endpoint always answers 10 messages).
#include <memory>
#include <optional>

#include <sqs/consumer.hpp>

#include "workload.hpp"

namespace sqs_load {
namespace {

class ConsumeWorkload final : public Workload {
 public:
  explicit ConsumeWorkload(Run& run) : run_(run) {}

  void start_worker(std::size_t index) override {
    if (index > 0) return run_.worker_done();  // one consumer does it all
    sqs::ConsumerOptions o;
    o.max_in_flight = static_cast<int>(run_.options().concurrency);
    o.receives_per_queue = std::max(1, o.max_in_flight / 10);
    o.wait_time_seconds = 0;
    o.visibility_timeout = 30;
    o.message_attribute_names = {};
    o.worker_threads = 0;  // the handler does nothing: inline on the consumer's loop
    o.heartbeat.enabled = false;
    consumer_.emplace(run_.queue(),
                      sqs::SyncHandler([](const sqs::Message&, const sqs::MessageContext&) {
                        return sqs::Outcome::ack();
                      }),
                      o);
    consumer_->start();
  }

  bool wants_ticks() const override { return true; }
  void tick() override {
    if (finished_ || !consumer_) return;
    const auto m = consumer_->metrics().total;
    if (m.acked < run_.options().count && m.poll_errors + m.ack_failures <= 1000) return;
    finished_ = true;
    const auto summary = consumer_->stop(std::chrono::seconds(10));
    run_.add_done(summary.metrics.total.acked);
    if (summary.metrics.total.ack_failures > 0) run_.fail("acknowledgements failed");
    receives_ = summary.metrics.total.receives;
    run_.worker_done();
  }
  std::string extra_json() const override { return ",\"receives\":" + std::to_string(receives_); }

 private:
  Run& run_;
  std::optional<sqs::Consumer> consumer_;
  bool finished_ = false;
  std::uint64_t receives_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_consume(Run& run) {
  return std::make_unique<ConsumeWorkload>(run);
}

}  // namespace sqs_load

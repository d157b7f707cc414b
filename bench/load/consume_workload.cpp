// consume: sqs::Consumer with a no-op handler that acks at once (deletes batched by the
// consumer), --concurrency = its max_in_flight; ends once --count messages were acknowledged.
// The consumer polls with wait 0 (the canned endpoint always answers 10 messages).
//
// With --hold-ms H: async handlers, each completing its message H ms later from a timer on one
// thread of the application's (as work handed to another service would), so that up to
// max_in_flight messages wait at once. The line then says how many were in flight at most, and
// the threads and RSS of the process meanwhile (sampled on the main thread).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include <sqs/consumer.hpp>

#include "process_usage.hpp"
#include "workload.hpp"

namespace sqs_load {
namespace {

// The application's thread the held handlers complete on.
class Sleeper {
 public:
  Sleeper() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Sleeper() {
    guard_.reset();
    io_.stop();  // (timers still waiting: their messages are the consumer's to settle as retry)
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

class ConsumeWorkload final : public Workload {
 public:
  explicit ConsumeWorkload(Run& run) : run_(run) {}

  void start_worker(std::size_t index) override {
    if (index > 0) return run_.worker_done();  // one consumer does it all
    sqs::ConsumerOptions o;
    o.max_in_flight = static_cast<int>(run_.options().concurrency);
    o.receives_per_queue = std::clamp(o.max_in_flight / 10, 1, 64);
    o.wait_time_seconds = 0;
    o.visibility_timeout = 30;
    o.message_attribute_names = {};
    o.worker_threads = 0;  // the handler does nothing: inline on the consumer's loop
    o.heartbeat.enabled = false;
    const int hold_ms = run_.options().hold_ms;
    if (hold_ms == 0) {
      consumer_.emplace(run_.queue(),
                        sqs::SyncHandler([](const sqs::Message&, const sqs::MessageContext&) {
                          return sqs::Outcome::ack();
                        }),
                        o);
    } else {
      sleeper_.emplace();
      auto& io = sleeper_->io();
      const auto hold = std::chrono::milliseconds(hold_ms);
      consumer_.emplace(run_.queue(), sqs::AsyncHandler([&io, hold](sqs::Delivery delivery) {
                          auto timer = std::make_shared<boost::asio::steady_timer>(io, hold);
                          timer->async_wait([timer, delivery](boost::system::error_code) mutable {
                            delivery.ack();
                          });
                        }),
                        o);
    }
    consumer_->start();
  }

  bool wants_ticks() const override { return true; }
  void tick() override {
    if (finished_ || !consumer_) return;
    const auto m = consumer_->metrics().total;
    in_flight_max_ = std::max(in_flight_max_, m.in_flight);
    const auto s = ProcStatus::read();
    threads_max_ = std::max(threads_max_, s.threads);
    rss_kb_max_ = std::max(rss_kb_max_, s.rss_kb);
    if (m.acked < run_.options().count && m.poll_errors + m.ack_failures <= 1000) return;
    finished_ = true;
    const auto summary = consumer_->stop(std::chrono::seconds(10));
    run_.add_done(summary.metrics.total.acked);
    if (summary.metrics.total.ack_failures > 0) run_.fail("acknowledgements failed");
    receives_ = summary.metrics.total.receives;
    released_ = summary.metrics.total.released;
    run_.worker_done();
  }
  std::string extra_json() const override {
    char buf[200];
    std::snprintf(buf, sizeof buf, ",\"receives\":%llu,\"released\":%llu",
                  static_cast<unsigned long long>(receives_),
                  static_cast<unsigned long long>(released_));
    std::string out = buf;
    if (sleeper_) {
      std::snprintf(buf, sizeof buf,
                    ",\"hold_ms\":%d,\"in_flight_max\":%zu,\"threads_max\":%ld,\"rss_kb_max\":%ld",
                    run_.options().hold_ms, in_flight_max_, threads_max_, rss_kb_max_);
      out += buf;
    }
    return out;
  }

 private:
  Run& run_;
  std::optional<Sleeper> sleeper_;  // (declared first: destroyed after the consumer)
  std::optional<sqs::Consumer> consumer_;
  bool finished_ = false;
  std::uint64_t receives_ = 0;
  std::uint64_t released_ = 0;  // answered beyond what a receive asked (the canned endpoint)
  std::size_t in_flight_max_ = 0;
  long threads_max_ = 0;
  long rss_kb_max_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_consume(Run& run) {
  return std::make_unique<ConsumeWorkload>(run);
}

}  // namespace sqs_load

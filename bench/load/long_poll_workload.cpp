// long-poll: C ReceiveMessage long polls (--wait-seconds) in flight at once until N polls have
// returned, on an empty queue. Shows what a poll in flight costs (threads, memory) and whether
// every poll returns when its wait is over, not earlier and not much later.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "process_usage.hpp"
#include "workload.hpp"

namespace sqs_load {

namespace {

using Clock = std::chrono::steady_clock;

class LongPollWorkload final : public Workload {
 public:
  explicit LongPollWorkload(Run& run) : run_(run) {
    receive_.max_messages = 10;
    receive_.wait_time_seconds = run.options().wait_seconds;
  }

  void start_worker(std::size_t) override { next(); }

  bool wants_ticks() const override { return true; }
  void tick() override {
    auto s = ProcStatus::read();
    max_threads_ = std::max(max_threads_, s.threads);
    max_rss_kb_ = std::max(max_rss_kb_, s.rss_kb);
  }

  std::string extra_json() const override {
    const double wait = run_.options().wait_seconds;
    long early = 0;
    long late = 0;
    for (double t : returns_s_) {
      if (t < wait - 0.05) ++early;  // before the wait was over: not a long poll
      if (t > wait + 1.0) ++late;
    }
    double min = returns_s_.empty() ? 0 : *std::min_element(returns_s_.begin(), returns_s_.end());
    double max = returns_s_.empty() ? 0 : *std::max_element(returns_s_.begin(), returns_s_.end());
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  ",\"wait_s\":%d,\"polls_returned\":%zu,\"poll_min_s\":%.3f,\"poll_max_s\":%.3f,"
                  "\"early\":%ld,\"late\":%ld,\"messages\":%llu,\"threads_max\":%ld,"
                  "\"rss_kb_max\":%ld",
                  run_.options().wait_seconds, returns_s_.size(), min, max, early, late,
                  static_cast<unsigned long long>(messages_), max_threads_, max_rss_kb_);
    return buf;
  }

 private:
  void next() {
    if (issued_ >= run_.options().count || run_.too_many_errors()) return run_.worker_done();
    ++issued_;
    const auto start = Clock::now();
    run_.queue().async_receive(receive_, [this, start](sqs::Result<std::vector<sqs::Message>> r) {
      returns_s_.push_back(std::chrono::duration<double>(Clock::now() - start).count());
      if (r) {
        run_.add_done();  // a poll that returned
        messages_ += r->size();
      } else {
        run_.fail(r.error());
      }
      next();
    });
  }

  Run& run_;
  sqs::ReceiveOptions receive_;
  std::uint64_t issued_ = 0;
  std::uint64_t messages_ = 0;
  std::vector<double> returns_s_;  // seconds from start to completion of each poll
  long max_threads_ = 0;           // sampled on the main thread while the polls are out
  long max_rss_kb_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_long_poll(Run& run) {
  return std::make_unique<LongPollWorkload>(run);
}

}  // namespace sqs_load

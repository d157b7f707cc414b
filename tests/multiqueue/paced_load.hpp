// A paced load for the gray-failure tests: failover sends through a Dispatcher at a fixed rate
// (message n is due n / rate seconds after the start), at most `concurrency` in flight, as an
// application with a bounded number of send slots does. Every send is recorded: when it was
// due, when it ended, which queue took it, and its error if it failed. The rate the
// application achieved during any window can then be compared with the paced rate.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sqs/multiqueue.hpp"

namespace sqs::mqtest {

class PacedLoad {
 public:
  using SteadyClock = std::chrono::steady_clock;

  struct Record {
    double due = 0;   // seconds since start
    double end = -1;  // -1: still in flight
    std::optional<std::size_t> queue;
    std::string error;  // empty on success
  };

  PacedLoad(const Dispatcher& dispatcher, double rate, std::size_t concurrency,
            FailoverOptions failover = {})
      : dispatcher_(dispatcher), rate_(rate), concurrency_(concurrency), failover_(failover) {}
  ~PacedLoad() { stop(); }

  void start() {
    start_ = SteadyClock::now();
    thread_ = std::thread([this] { run(); });
  }
  // Stops sending; waits (up to `drain`) for the sends in flight.
  void stop(std::chrono::milliseconds drain = std::chrono::seconds(30)) {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, drain, [&] { return in_flight_ == 0; });
  }
  double now() const { return std::chrono::duration<double>(SteadyClock::now() - start_).count(); }
  void sleep_until(double seconds) const {
    std::this_thread::sleep_until(start_ + std::chrono::duration_cast<SteadyClock::duration>(
                                               std::chrono::duration<double>(seconds)));
  }

  std::vector<Record> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
  }

  // Sends that ended successfully in [from, to).
  std::size_t completed_between(double from, double to) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(records_.begin(), records_.end(), [&](auto& r) {
      return r.end >= from && r.end < to && r.error.empty();
    }));
  }
  // Of the sends due in [from, to) that succeeded, the share taken by `queue`.
  double share_of(std::size_t queue, double from, double to) const {
    std::lock_guard lock(mutex_);
    std::size_t all = 0, mine = 0;
    for (const auto& r : records_) {
      if (r.due < from || r.due >= to || !r.error.empty() || !r.queue) continue;
      ++all;
      if (*r.queue == queue) ++mine;
    }
    return all == 0 ? 0.0 : static_cast<double>(mine) / static_cast<double>(all);
  }
  // The q-quantile of the latency (end - due) of the sends due in [from, to) that ended.
  double latency_quantile(double q, double from, double to) const {
    std::vector<double> l;
    {
      std::lock_guard lock(mutex_);
      for (const auto& r : records_) {
        if (r.due >= from && r.due < to && r.end >= 0) l.push_back(r.end - r.due);
      }
    }
    if (l.empty()) return 0;
    std::sort(l.begin(), l.end());
    return l[std::min(l.size() - 1, static_cast<std::size_t>(q * static_cast<double>(l.size())))];
  }
  double rate() const { return rate_; }

 private:
  void run() {
    for (std::size_t n = 0; !stopping_; ++n) {
      const double due = static_cast<double>(n) / rate_;
      sleep_until(due);  // the pacing itself
      std::size_t index;
      {
        std::unique_lock lock(mutex_);
        // A send slot must be free: the application's concurrency is bounded.
        cv_.wait(lock, [&] { return in_flight_ < concurrency_ || stopping_; });
        if (stopping_) return;
        ++in_flight_;
        index = records_.size();
        records_.push_back({due, -1, std::nullopt, {}});
      }
      dispatcher_.async_send("paced-" + std::to_string(n), {}, failover_,
                             [this, index](Result<FailoverSendResult> r) {
                               std::lock_guard lock(mutex_);
                               auto& rec = records_[index];
                               rec.end = now();
                               if (r) {
                                 rec.queue = r->queue_index;
                               } else {
                                 rec.error = r.error().to_string();
                               }
                               --in_flight_;
                               cv_.notify_all();
                             });
    }
  }

  const Dispatcher& dispatcher_;
  const double rate_;
  const std::size_t concurrency_;
  const FailoverOptions failover_;
  SteadyClock::time_point start_{};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Record> records_;  // guarded by mutex_
  std::size_t in_flight_ = 0;    // guarded by mutex_
};

}  // namespace sqs::mqtest

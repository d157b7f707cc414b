// The shared state of one load run: the queue, the tallies, and the end of the run. Workers
// run as callback chains on the client's single event-loop thread, so the tallies need no
// locks; only wait() runs on another thread (main).
#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <string>

#include <sqs/queue.hpp>

#include "options.hpp"

namespace sqs_load {

class Run {
 public:
  Run(const Options& options, const sqs::Queue& queue);

  const Options& options() const noexcept { return options_; }
  const sqs::Queue& queue() const noexcept { return queue_; }
  const std::string& body() const noexcept { return body_; }

  // Counts an error; the first three go to stderr (as bench.mjs).
  void fail(const sqs::Error& error);
  void fail(const std::string& what);
  bool too_many_errors() const noexcept { return errors_ > options_.max_errors; }

  void add_done(std::uint64_t n = 1) noexcept { done_ += n; }
  std::uint64_t done() const noexcept { return done_; }
  std::uint64_t errors() const noexcept { return errors_; }

  // A worker has nothing left to do; the last one ends the run.
  void worker_done();
  // Blocks until every worker is done (with `tick` called about every `tick_ms` meanwhile,
  // when given).
  void wait(void (*tick)(void*) = nullptr, void* tick_arg = nullptr, int tick_ms = 100);

 private:
  const Options& options_;
  const sqs::Queue& queue_;
  std::string body_;
  std::uint64_t done_ = 0;
  std::uint64_t errors_ = 0;
  std::size_t workers_left_;
  std::promise<void> finished_;
};

}  // namespace sqs_load

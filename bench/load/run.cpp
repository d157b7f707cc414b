#include "run.hpp"

#include <chrono>
#include <cstdio>

namespace sqs_load {

Run::Run(const Options& options, const sqs::Queue& queue)
    : options_(options),
      queue_(queue),
      body_(options.body_bytes, 'a'),
      workers_left_(options.concurrency) {}

void Run::fail(const sqs::Error& error) {
  fail(error.to_string());
}

void Run::fail(const std::string& what) {
  ++errors_;
  if (errors_ <= 3)
    std::fprintf(stderr, "sqs-load: error %llu: %s\n", static_cast<unsigned long long>(errors_),
                 what.c_str());
}

void Run::worker_done() {
  if (--workers_left_ == 0) finished_.set_value();
}

void Run::wait(void (*tick)(void*), void* tick_arg, int tick_ms) {
  auto finished = finished_.get_future();
  if (tick == nullptr) return finished.wait();
  while (finished.wait_for(std::chrono::milliseconds(tick_ms)) != std::future_status::ready) {
    tick(tick_arg);
  }
}

}  // namespace sqs_load

// One kind of load (an --op). start_worker() runs on the client's event-loop thread; a worker
// chains its calls through completion callbacks and calls Run::worker_done() when it stops.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "run.hpp"

namespace sqs_load {

class Workload {
 public:
  virtual ~Workload() = default;
  virtual void start_worker(std::size_t index) = 0;
  // Called on the main thread about every 100 ms while the run lasts, when wants_ticks().
  virtual bool wants_ticks() const { return false; }
  virtual void tick() {}
  // Extra fields for the JSON line (",\"name\":value..."), read after the run.
  virtual std::string extra_json() const { return {}; }
};

std::unique_ptr<Workload> make_send(Run& run);
std::unique_ptr<Workload> make_send_batch(Run& run);
std::unique_ptr<Workload> make_recv_delete(Run& run, bool batch_delete);
std::unique_ptr<Workload> make_long_poll(Run& run);
std::unique_ptr<Workload> make_consume(Run& run);
std::unique_ptr<Workload> make_produce(Run& run);

}  // namespace sqs_load

// Live progress of `sqsctl bench` on stderr: on a terminal, a block redrawn in place (a progress
// bar for the total, one line per queue with its breaker state, rates, and the dispatcher's view
// of its load: calls in flight / bulkhead limit, latency estimate, stalled) with events such as
// breaker transitions scrolling above it; elsewhere (a pipe, a log file), one plain line a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sqs/circuit_breaker.hpp"

namespace sqsctl::bench {

struct QueueStatus {
  std::string label;  // region, or the endpoint's host
  sqs::CircuitState state = sqs::CircuitState::closed;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  // The dispatcher's view of its load (QueueLoadMetrics).
  std::int64_t in_flight = 0;
  std::optional<std::int64_t> limit;  // the bulkhead's limit; unset: none
  double latency_ms = 0;              // recent latency estimate; 0: no answer yet
  bool stalled = false;
  // While an injection runs.
  double injected_error_rate = 0;
  double injected_latency_ms = 0;
  bool injected_hang = false;
};

struct ProgressSnapshot {
  double elapsed_s = 0;
  bool receive_only = false;
  std::uint64_t count = 0;  // messages to send
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t received = 0;
  std::uint64_t unique = 0;
  bool draining = false;  // every send is done
  std::vector<QueueStatus> queues;
};

class ProgressDisplay {
 public:
  // `live`: redraw in place (a terminal `width` columns wide); `color`: ANSI colours for the
  // breaker states.
  ProgressDisplay(std::ostream& out, bool live, bool color, std::size_t width = 0);

  // Called about twice a second; a plain display prints at most one line a second.
  void update(const ProgressSnapshot& snapshot);
  // An event line, printed above the live block (or as is).
  void log(const std::string& line);
  // The last picture, always printed.
  void finish(const ProgressSnapshot& snapshot);

 private:
  struct Rates {
    double sent = 0;
    double received = 0;
    std::vector<double> queue_sent, queue_received;
  };
  Rates rates(const ProgressSnapshot& snapshot);
  std::vector<std::string> render(const ProgressSnapshot& snapshot, const Rates& rates) const;
  void draw(const std::vector<std::string>& lines);
  void erase();
  std::string state_text(sqs::CircuitState state) const;

  std::ostream& out_;
  bool live_;
  bool color_;
  std::size_t width_;            // 0: unknown
  std::size_t drawn_lines_ = 0;  // height of the live block on screen
  std::vector<std::string> last_lines_;
  // The counts of the previous rate computation.
  ProgressSnapshot previous_;
  bool has_previous_ = false;
  Rates last_rates_;
  double last_plain_s_ = -1;
};

}  // namespace sqsctl::bench

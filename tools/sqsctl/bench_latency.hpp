// The send latencies of a bench run, kept exactly (one sample per message sent, to the
// microsecond: 8 bytes a message), and the run second by second: sends and receives per queue,
// and the latency of the sends that started in each second. Percentiles are nearest-rank over
// the sorted samples. Used from the bench's own thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sqsctl::bench {

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// One second of the run: [t, t + 1) seconds after its start.
struct TimelineSecond {
  std::vector<std::uint64_t> sent;      // per queue: sends that completed in this second
  std::vector<std::uint64_t> received;  // per queue: messages of this run received
  // The sends that STARTED in this second (each counted once it is sent, by its latency).
  LatencySummary send_latency;
};

class LatencyBook {
 public:
  explicit LatencyBook(std::size_t queues) : queues_(queues) {}

  // A message whose send started `started_s` seconds after the run's start was sent, by
  // `queue`, `sent_s` seconds after the start.
  void sent(std::size_t queue, double started_s, double sent_s);
  // `n` messages of this run received from `queue`, `at_s` seconds after the start.
  void received(std::size_t queue, double at_s, std::uint64_t n);

  LatencySummary overall() const;
  // The sends that started in [from_s, to_s).
  LatencySummary started_between(double from_s, double to_s) const;
  LatencySummary queue(std::size_t index) const;
  // One entry per second from the start to `elapsed_s` (at least one).
  std::vector<TimelineSecond> timeline(double elapsed_s) const;

  // The heap these books hold (the vectors' capacities): it grows with the run, by design
  // (a soak test subtracts it from the process's memory to see the rest stay flat).
  std::size_t memory_bytes() const;

 private:
  struct Sample {
    std::uint32_t micros;  // saturating: 71 minutes
    std::uint32_t queue;
    float started_s;  // when it started (to ~0.1 ms over a run of hours: enough for windows)
  };
  struct Second {
    std::vector<Sample> started;  // by the second the send started in
    std::vector<std::uint64_t> sent, received;
  };
  Second& second(double at_s);

  std::size_t queues_;
  std::vector<Second> seconds_;
};

// Nearest-rank summary of `micros` (sorted in place).
LatencySummary summarize(std::vector<std::uint32_t>& micros);

}  // namespace sqsctl::bench

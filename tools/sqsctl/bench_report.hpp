// The result of a bench run, and the one JSON line it prints last on stdout:
// {"sent":N,"send_errors":E,"received":R,"unique":U,"duplicates":R-U,"lost":L,"elapsed_s":...,
//  "send_msgs_per_s":...,"queues":[{"queue":URL,"sent":...,"received":...,"state":...,
//  "transitions":[{"from":"closed","to":"open","at_s":...}],
//  "send_latency_ms":{"p50":...,"p99":...,"max":...,"mean":...},"hedges":...,...}], ...,
//  "send_latency_ms":{...},"timeline":[{"t":0,"sent":[...],"received":[...],"started":...,
//  "send_p50_ms":...,"send_p99_ms":...,"send_max_ms":...},...]}
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench_latency.hpp"
#include "sqs/circuit_breaker.hpp"

namespace sqsctl::bench {

struct Transition {
  sqs::CircuitState from = sqs::CircuitState::closed;
  sqs::CircuitState to = sqs::CircuitState::closed;
  double at_s = 0;  // since the start of the run
};

struct QueueReport {
  std::string queue;  // URL
  std::string region;
  std::string endpoint;
  int weight = 1;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t foreign = 0;
  std::uint64_t receives = 0;
  std::uint64_t receive_errors = 0;
  std::uint64_t delete_errors = 0;
  sqs::CircuitState state = sqs::CircuitState::closed;
  std::vector<Transition> transitions;
  LatencySummary send_latency;  // of the messages this queue took
  // The dispatcher's counts for this queue (QueueLoadMetrics).
  std::uint64_t hedges = 0;             // hedged copies sent to it
  std::uint64_t hedge_wins = 0;         // ...that completed the send
  std::uint64_t late_copies = 0;        // copies it accepted after another queue had: duplicates
  std::uint64_t slow_in_flight = 0;     // calls counted as slow while still outstanding
  std::uint64_t bulkhead_rejected = 0;  // calls its bulkhead refused
  std::uint64_t avoided = 0;            // picks that went elsewhere (it was stalled or full)
  std::optional<std::int64_t> bulkhead_limit;  // at the end; unset: none
  double latency_estimate_ms = 0;              // at the end (0: no answer)
};

struct BenchReport {
  std::string run_id;
  bool receive_only = false;
  bool aborted = false;  // interrupted (SIGINT / SIGTERM)
  std::uint64_t count = 0;
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t send_retries = 0;  // failed attempts that were tried again
  // --producer: its SendMessageBatch calls and their average number of entries.
  std::optional<std::uint64_t> producer_batches;
  double producer_average_fill = 0;
  std::uint64_t received = 0;
  std::uint64_t unique = 0;
  std::uint64_t lost = 0;
  std::uint64_t foreign = 0;
  double elapsed_s = 0;       // start to end (the drain included)
  double send_elapsed_s = 0;  // start to the last send
  double started_unix_s = 0;  // wall-clock time of the start, to line events up with it
  std::string breaker;        // the breaker settings in effect
  std::string load;           // the dispatcher's load settings (bulkhead, slow calls, hedging)
  std::string last_send_error;
  std::vector<QueueReport> queues;
  LatencySummary send_latency;
  std::vector<TimelineSecond> timeline;
  // Phases marked through the control endpoint (GET /?mark=NAME): each from its mark to the
  // next one (or the end), with the exact latency of the sends that started in it.
  struct Phase {
    std::string name;
    double from_s = 0, to_s = 0;
    LatencySummary send_latency;
  };
  std::vector<Phase> phases;

  // 0 iff nothing was lost, no send failed and the run was not interrupted; else 1.
  int exit_status() const noexcept;
};

boost::json::object to_json(const BenchReport& report);

// One line of JSON, numbers as people write them (1.5, not Boost's 1.5E0).
std::string to_json_text(const boost::json::value& value);

}  // namespace sqsctl::bench

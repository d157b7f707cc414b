// The options of `sqsctl bench`, as typed and once checked: queue specs
// (QUEUE[,endpoint=URL][,region=REGION][,weight=W]), the breaker settings
// (interval=1s,trip=consecutive:3,...), the dispatcher's load settings (bulkhead, slow calls,
// hedging), Go-style durations (500ms, 5s, 1m30s) and the address of the control endpoint.
// Everything is checked before any client is made, so that a typo never costs a half-done run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sqs/circuit_breaker.hpp"
#include "sqs/error.hpp"
#include "sqs/multiqueue.hpp"

namespace sqsctl::bench {

// What CLI11 fills in; `validate` turns it into a BenchConfig.
struct BenchArguments {
  std::vector<std::string> queues;
  // Signed, so that "-5" is reported as -5 rather than as a huge unsigned number.
  std::int64_t count = 1000;
  // Enough in flight that two local servers keep each other busy on two cores; a real region
  // (tens of ms away) needs as many to move a few thousand messages a second.
  std::int64_t concurrency = 64;
  std::int64_t receivers = 4;
  std::int64_t message_bytes = 100;
  double rate = 0;  // messages per second; 0: no limit
  std::string dispatch = "rr";
  std::vector<std::string> breaker;  // comma-separated KEY=VALUE lists (repeatable)
  std::optional<std::string> control;
  double drain_timeout_seconds = 30;
  bool no_send = false;
  bool producer = false;
  double linger_ms = 5;
  int wait_seconds = 1;
  int visibility_timeout = 10;
  std::optional<std::string> hedge;  // DURATION or pNN (adaptive)
  std::int64_t max_in_flight = 0;    // bulkhead ceiling per queue; 0: none
  bool no_adaptive_bulkhead = false;
  std::optional<std::string> slow_call_threshold;  // DURATION; 0: off
};

struct QueueSpec {
  std::string queue;  // URL or name
  std::optional<std::string> endpoint;
  std::optional<std::string> region;
  int weight = 1;
};

struct ControlAddress {
  std::string host;        // a loopback address
  std::uint16_t port = 0;  // 0: any free port
};

struct BenchConfig {
  std::vector<QueueSpec> queues;
  std::size_t count = 0;
  std::size_t concurrency = 0;
  std::size_t receivers = 0;
  std::size_t message_bytes = 0;
  double rate = 0;  // messages per second; 0: no limit
  bool round_robin = true;
  sqs::CircuitBreakerOptions breaker;
  std::string breaker_description;  // the settings in effect, for the summary
  std::optional<ControlAddress> control;
  std::chrono::milliseconds drain_timeout{30000};
  bool no_send = false;
  // Sends through sqs::Producer (batched, its linger) instead of one failover send each.
  bool producer = false;
  std::chrono::milliseconds linger{5};
  int wait_seconds = 1;
  int visibility_timeout = 10;
  // The dispatcher's load settings (DispatcherOptions::bulkhead, in_flight, hedge).
  sqs::BulkheadOptions bulkhead;
  std::optional<std::chrono::milliseconds> slow_call_threshold;  // unset: derived; 0: off
  std::optional<sqs::HedgeOptions> hedge;                        // unset: no hedging
  std::string load_description;                                  // those settings, for the summary
};

inline constexpr std::size_t kMaxCount = 100'000'000;
inline constexpr std::size_t kMaxConcurrency = 10'000;
inline constexpr std::size_t kMaxReceivers = 1'000;
inline constexpr int kMaxWeight = 1'000;
inline constexpr std::int64_t kMaxInFlight = 1'000'000;

// A Go duration: one or more DECIMAL UNIT pairs (units ns, us, ms, s, m, h), e.g. 500ms, 1.5s,
// 1m30s; "0" alone is zero. Negative durations are refused.
sqs::Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

// QUEUE[,endpoint=URL][,region=REGION][,weight=W]. A queue URL of the AWS form
// (https://sqs.REGION.amazonaws.com/...) names its region when region= is not given.
sqs::Result<QueueSpec> parse_queue_spec(std::string_view text);

// interval=DURATION, open-timeout=DURATION, trip=threshold:N|consecutive:N|rate:MIN:RATIO,
// half-open-successes=N, half-open-max-calls=N; applied on top of `options`. `trip` receives the
// trip rule's text when one is given.
sqs::Result<sqs::CircuitBreakerOptions> parse_breaker_spec(std::string_view text,
                                                           sqs::CircuitBreakerOptions options,
                                                           std::string& trip);

// The settings in effect, e.g. "interval=1s,trip=consecutive:3,open-timeout=2s,...".
std::string describe_breaker(const sqs::CircuitBreakerOptions& options, const std::string& trip);

// --hedge: a delay (100ms: a copy goes to the next queue when the first has not answered by
// then) or pNN (p95: the first queue's recent 95th percentile, 100 ms until it answered 20).
sqs::Result<sqs::HedgeOptions> parse_hedge(std::string_view text);

// The load settings in effect, e.g. "bulkhead=adaptive,max-in-flight=none,
// slow-call-threshold=auto,hedge=p95".
std::string describe_load(const sqs::BulkheadOptions& bulkhead,
                          const std::optional<std::chrono::milliseconds>& slow_call_threshold,
                          const std::optional<sqs::HedgeOptions>& hedge);

// HOST:PORT, [IPV6]:PORT, :PORT or PORT; HOST must be a loopback address (or localhost).
sqs::Result<ControlAddress> parse_control_address(std::string_view text);

// Every check of the command line, with a message that says which option is wrong.
sqs::Result<BenchConfig> validate(const BenchArguments& arguments);

}  // namespace sqsctl::bench

// The fault-injection matrix (issue #8): a client talks to a real SQS server (fauxqs) through a
// FaultProxy (tests/support/fault_proxy.hpp) that delays, stalls, cuts, resets, throttles or
// corrupts the traffic; a second client, straight to the server, then reads back what the queue
// really holds. What every test checks, whatever the fault:
//   - every call ends by its deadline, with a typed error (kind, code, message) when it fails;
//   - no connection is leaked: once the calls are over and the faults lifted, the pool holds no
//     more connections than the calls needed at once, and each of them is one the proxy still
//     sees open (none half-dead on either side);
//   - every message reported sent is in the queue (at least once);
//   - no message reported failed without `maybe_processed` is in the queue at all, and one
//     reported failed with it is there at most once per attempt: the client never delivers a
//     message twice behind the caller's back.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "integration/itest_support.hpp"
#include "support/fault_proxy.hpp"

namespace sqs::faults {

using namespace std::chrono_literals;
using itest::Latch;
using test::FaultProxy;
using Faults = FaultProxy::Faults;
using SteadyClock = std::chrono::steady_clock;

// The client under test: short timeouts so that a fault costs little time, a call deadline
// (every call must end by it), three attempts with short back-offs.
constexpr auto kRequestTimeout = 400ms;
constexpr auto kCallTimeout = 1500ms;
constexpr int kMaxAttempts = 3;
// Slack on the deadline: scheduling on a loaded 2-core machine, never the fault itself.
constexpr auto kDeadlineSlack = 1500ms;

inline ClientConfig faulty_config(const std::string& endpoint) {
  ClientConfig c = itest::config_for(endpoint);
  c.request_timeout = kRequestTimeout;
  c.connect_timeout = kRequestTimeout;
  c.call_timeout = kCallTimeout;
  c.retry.max_attempts = kMaxAttempts;
  c.retry.base_delay = 10ms;
  c.retry.throttling_base_delay = 10ms;
  c.retry.max_backoff = 50ms;
  return c;
}

// How one message's send ended, as the caller was told.
struct SendRecord {
  enum class Outcome { pending, sent, failed };
  Outcome outcome = Outcome::pending;
  bool maybe_processed = false;
  std::string error;  // the failure, for the test's messages
};

// Every message a test tried to send, by body (bodies are unique), and how each ended.
class Ledger {
 public:
  void expect(const std::string& body) {
    std::lock_guard lock(mutex_);
    records_[body];
  }
  void sent(const std::string& body) {
    std::lock_guard lock(mutex_);
    records_[body].outcome = SendRecord::Outcome::sent;
  }
  void failed(const std::string& body, const Error& e) { failed(body, e.maybe_processed, e); }
  void failed(const std::string& body, bool maybe_processed, const Error& e) {
    std::lock_guard lock(mutex_);
    auto& r = records_[body];
    r.outcome = SendRecord::Outcome::failed;
    r.maybe_processed = maybe_processed;
    r.error = e.to_string();
  }
  std::map<std::string, SendRecord> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }
  std::size_t count(SendRecord::Outcome o) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        records_.begin(), records_.end(), [o](const auto& kv) { return kv.second.outcome == o; }));
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, SendRecord> records_;
};

// Every message of a queue, read straight from the server (no proxy): bodies and how many
// times each is there. Reads until the queue answers empty twice in a row (fauxqs makes a
// sent message visible at once); the messages stay invisible meanwhile (not deleted).
inline std::map<std::string, int> drain(const Queue& queue) {
  std::map<std::string, int> bodies;
  int empty = 0;
  for (int round = 0; round < 1000 && empty < 2; ++round) {
    auto r = queue.receive({.max_messages = 10, .wait_time_seconds = 0, .visibility_timeout = 600});
    EXPECT_TRUE(r) << r.error().to_string();
    if (!r) break;
    if (r->empty()) {
      ++empty;
      continue;
    }
    empty = 0;
    for (const auto& m : *r) ++bodies[m.body];
  }
  return bodies;
}

// What the queue holds agrees with what the callers were told (see the top of this file).
inline void expect_ledger_matches(const Ledger& ledger, const std::map<std::string, int>& held) {
  for (const auto& [body, record] : ledger.records()) {
    const auto it = held.find(body);
    const int copies = it == held.end() ? 0 : it->second;
    switch (record.outcome) {
      case SendRecord::Outcome::pending:
        ADD_FAILURE() << body << ": its send never completed";
        break;
      case SendRecord::Outcome::sent:
        EXPECT_GE(copies, 1) << body << " was reported sent and is not in the queue";
        break;
      case SendRecord::Outcome::failed:
        if (record.maybe_processed) {
          EXPECT_LE(copies, kMaxAttempts) << body << ": more copies than attempts";
        } else {
          EXPECT_EQ(copies, 0) << body << " was reported failed (" << record.error
                               << ", not maybe_processed) and is in the queue";
        }
        break;
    }
  }
  for (const auto& [body, copies] : held) {
    EXPECT_TRUE(ledger.records().count(body)) << "a message nobody sent: " << body;
  }
}

// A failure is a typed error: a kind that a fault can cause, a code and a message.
inline void expect_typed(const Error& e) {
  EXPECT_TRUE(e.kind == ErrorKind::timeout || e.kind == ErrorKind::transport ||
              e.kind == ErrorKind::protocol || e.kind == ErrorKind::checksum ||
              e.kind == ErrorKind::service)
      << e.to_string();
  EXPECT_FALSE(e.code.empty()) << e.to_string();
  EXPECT_FALSE(e.message.empty()) << e.to_string();
}

// Waits (without sleeping blindly) until `condition` holds; false after `timeout`.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout = 10s) {
  const auto until = SteadyClock::now() + timeout;
  while (!condition()) {
    if (SteadyClock::now() >= until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// No connection leaked: at most `bound` open, and the proxy agrees on how many.
inline void expect_no_leak(const Client& client, const FaultProxy& proxy, std::size_t bound) {
  EXPECT_TRUE(eventually([&] { return client.metrics().open_connections <= bound; }))
      << client.metrics().open_connections << " connections open, at most " << bound << " expected";
  EXPECT_TRUE(eventually([&] {
    return proxy.connections_open() == client.metrics().open_connections;
  })) << "the proxy sees "
      << proxy.connections_open() << " connections open, the client "
      << client.metrics().open_connections;
}

// A named fault of the matrix.
struct NamedFaults {
  std::string name;
  Faults faults;
};

inline std::ostream& operator<<(std::ostream& os, const NamedFaults& f) {
  return os << f.name;
}

// The faults every kind of call is driven through. Latencies and throttling are chosen to
// exceed the attempt timeout (so they fail), cuts and resets to fall at several places of an
// answer (status line, headers, body), corruption to hit every part of it.
inline std::vector<NamedFaults> fault_matrix() {
  return {
      {"none", {}},
      {"latency_below_timeout", {.latency = 100ms}},
      {"latency_over_timeout", {.latency = 1000ms}},
      {"request_latency_over_timeout", {.request_latency = 1000ms}},
      {"stall", {.stall = true}},
      {"cut_at_accept", {.cut_after_bytes = 0}},
      {"cut_in_status_line", {.cut_after_bytes = 7}},
      {"cut_in_headers", {.cut_after_bytes = 60}},
      {"cut_in_body", {.cut_after_bytes = 200}},
      {"reset_at_accept", {.reset = true}},
      {"reset_in_headers", {.reset_after_bytes = 40}},
      {"reset_in_body", {.reset_after_bytes = 220}},
      {"throttled_to_300_bytes_per_second", {.bytes_per_second = 300}},
      {"corrupt_every_37th_byte", {.corrupt_every = 37, .corrupt_seed = 7}},
      {"corrupt_every_101st_byte", {.corrupt_every = 101, .corrupt_seed = 11}},
      {"corrupt_early_bytes", {.corrupt_offsets = {3, 9, 10, 11}}},
  };
}

}  // namespace sqs::faults

// Shared by the multiqueue tests: queues whose client talks to a scripted SQS (a canned,
// checksum-correct answer to every action, or whatever the test scripts), breaker options on a
// manual clock, a thread-safe log of breaker transitions that can be waited on, and a latch.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/checksum.hpp"
#include "sqs/clock.hpp"
#include "sqs/multiqueue.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::mqtest {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::Reply;
using test::ScriptedHttpServer;

inline constexpr CircuitState kClosed = CircuitState::closed;
inline constexpr CircuitState kOpen = CircuitState::open;
inline constexpr CircuitState kHalfOpen = CircuitState::half_open;

// fauxqs and the scripted server check no signature: any key pair will do. No retries: every
// failure reaches the breaker at once.
inline ClientConfig config_for(const std::string& endpoint, const std::string& region = "us-east-1",
                               std::chrono::milliseconds request_timeout = 5s) {
  ClientConfig c;
  c.region = region;
  c.endpoint = endpoint;
  c.credentials = Credentials{"AKID", "secret", {}, std::nullopt};
  c.request_timeout = request_timeout;
  c.connect_timeout = 2s;
  c.retry.max_attempts = 1;
  return c;
}

// ---- canned SQS answers ---------------------------------------------------------------------

inline std::string action_of(const ReceivedRequest& r) {
  std::string target(r.header("X-Amz-Target"));
  auto dot = target.find('.');
  return dot == std::string::npos ? target : target.substr(dot + 1);
}

inline Reply sqs_json(const boost::json::value& body) {
  return Reply::json(200, boost::json::serialize(body)).header("x-amzn-RequestId", "req-ok");
}

inline Reply sqs_error(int status, const std::string& type, const std::string& query_code = {}) {
  boost::json::object o{{"__type", "com.amazonaws.sqs#" + type}, {"message", "scripted " + type}};
  auto r = Reply::json(status, boost::json::serialize(o));
  r.header("x-amzn-RequestId", "req-error");
  if (!query_code.empty()) r.header("x-amzn-query-error", query_code + ";Sender");
  return r;
}

// The answer SQS gives to a successful call of the request's action (bodies without message
// attributes only). Message ids are "<tag>-<request index>[-<entry id>]".
inline Reply sqs_success(const ReceivedRequest& r, const std::string& tag = "m") {
  namespace json = boost::json;
  const std::string action = action_of(r);
  const json::object in = json::parse(r.body).as_object();
  const std::string id = tag + "-" + std::to_string(r.index);
  if (action == "SendMessage") {
    const auto body = json::value_to<std::string>(in.at("MessageBody"));
    return sqs_json(json::object{{"MessageId", id}, {"MD5OfMessageBody", protocol::md5_hex(body)}});
  }
  if (action == "SendMessageBatch") {
    json::array ok;
    for (const auto& e : in.at("Entries").as_array()) {
      const auto entry_id = json::value_to<std::string>(e.at("Id"));
      const auto body = json::value_to<std::string>(e.at("MessageBody"));
      ok.push_back(json::object{{"Id", entry_id},
                                {"MessageId", id + "-" + entry_id},
                                {"MD5OfMessageBody", protocol::md5_hex(body)}});
    }
    return sqs_json(json::object{{"Successful", ok}, {"Failed", json::array{}}});
  }
  if (action == "DeleteMessageBatch" || action == "ChangeMessageVisibilityBatch") {
    json::array ok;
    for (const auto& e : in.at("Entries").as_array())
      ok.push_back(json::object{{"Id", e.at("Id")}});
    return sqs_json(json::object{{"Successful", ok}, {"Failed", json::array{}}});
  }
  if (action == "ReceiveMessage") return sqs_json(json::object{{"Messages", json::array{}}});
  if (action == "GetQueueAttributes") {
    return sqs_json(json::object{{"Attributes", json::object{{"VisibilityTimeout", "30"}}}});
  }
  return sqs_json(json::object{});  // DeleteMessage, ChangeMessageVisibility, PurgeQueue...
}

// ---- a queue on a scripted server -----------------------------------------------------------

// A scripted SQS server, a client for it and a queue on it. The script can be replaced while
// the test runs (set_script); it defaults to canned successes.
struct ScriptedQueue {
  explicit ScriptedQueue(
      const std::string& name,
      ScriptedHttpServer::Script script = [](const ReceivedRequest& r) { return sqs_success(r); },
      std::chrono::milliseconds request_timeout = 5s)
      : server(std::move(script)),
        client(config_for(server.endpoint(), "us-east-1", request_timeout)),
        queue(client, server.endpoint() + "/000000000000/" + name) {}

  std::size_t requests() const { return server.requests_received(); }

  ScriptedHttpServer server;
  Client client;
  Queue queue;
};

// A scripted queue per name; `weights` empty: all 1.
class ScriptedQueues {
 public:
  explicit ScriptedQueues(std::size_t n, std::chrono::milliseconds request_timeout = 5s) {
    for (std::size_t i = 0; i < n; ++i) {
      queues_.push_back(std::make_unique<ScriptedQueue>(
          "q" + std::to_string(i), [](const ReceivedRequest& r) { return sqs_success(r); },
          request_timeout));
    }
  }
  ScriptedQueue& operator[](std::size_t i) { return *queues_.at(i); }
  std::size_t size() const { return queues_.size(); }

  std::vector<DispatcherQueue> dispatcher_queues(std::vector<int> weights = {}) const {
    std::vector<DispatcherQueue> out;
    for (std::size_t i = 0; i < queues_.size(); ++i) {
      out.push_back({Queue(queues_[i]->client, queues_[i]->queue.url()),
                     weights.empty() ? 1 : weights.at(i)});
    }
    return out;
  }
  std::size_t total_requests() const {
    std::size_t n = 0;
    for (const auto& q : queues_) n += q->requests();
    return n;
  }

 private:
  std::vector<std::unique_ptr<ScriptedQueue>> queues_;
};

// ---- breakers on a manual clock -------------------------------------------------------------

// Opens after `failures` consecutive failures, stays open exactly `open_for`, closes after one
// successful probe.
inline CircuitBreakerOptions manual_breaker(const std::shared_ptr<ManualClock>& clock,
                                            int failures = 2,
                                            std::chrono::nanoseconds open_for = 1s) {
  CircuitBreakerOptions o;
  o.clock = clock;
  o.should_trip = trip_on_consecutive_failures(failures);
  o.open_timeout = open_for;
  o.half_open_successes = 1;
  o.jitter_seed = 7;
  return o;
}

// ---- waiting on transitions -----------------------------------------------------------------

struct Transition {
  std::size_t index;
  CircuitState from;
  CircuitState to;
  friend bool operator==(const Transition&, const Transition&) = default;
};
inline std::ostream& operator<<(std::ostream& os, const Transition& t) {
  return os << "{q" << t.index << ": " << to_string(t.from) << " -> " << to_string(t.to) << "}";
}

// The dispatcher's on_state_change, recorded from any thread; wait_until() blocks until a
// condition on the log holds (or the timeout passes).
class TransitionLog {
 public:
  using Hook = std::function<void(std::size_t, const Queue&, CircuitState, CircuitState)>;
  Hook hook() {
    return [this](std::size_t index, const Queue&, CircuitState from, CircuitState to) {
      std::lock_guard lock(mutex_);
      log_.push_back({index, from, to});
      cv_.notify_all();
    };
  }
  std::vector<Transition> log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  bool wait_until(const std::function<bool(const std::vector<Transition>&)>& condition,
                  std::chrono::milliseconds timeout = 10s) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return condition(log_); });
  }
  // Waits for a transition of queue `index` to `to` after the first `after` entries.
  bool wait_for(std::size_t index, CircuitState to, std::size_t after = 0,
                std::chrono::milliseconds timeout = 10s) const {
    return wait_until(
        [&](const std::vector<Transition>& log) {
          for (std::size_t i = after; i < log.size(); ++i) {
            if (log[i].index == index && log[i].to == to) return true;
          }
          return false;
        },
        timeout);
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return log_.size();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<Transition> log_;
};

// Counts completions; wait() returns true once `n` arrived, false after the timeout.
class Latch {
 public:
  void count_down() {
    std::lock_guard lock(m_);
    ++count_;
    cv_.notify_all();
  }
  bool wait(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::size_t count_ = 0;
};

}  // namespace sqs::mqtest

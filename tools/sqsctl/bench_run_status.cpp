// The run as others see it: the progress display, the control endpoint's answer, the breaker
// transitions as they happen, and the final report.
#include <boost/json/array.hpp>
#include <cmath>
#include <cstdio>

#include "bench_run.hpp"

namespace sqsctl::bench {
namespace {

double round_ms(double s) {
  return std::round(s * 1000) / 1000;
}

std::string format_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%7.2fs", s);
  return text;
}

}  // namespace

void BenchRun::show_transitions() {
  if (closed_) return;  // the report is made
  std::vector<TransitionInbox::Entry> entries;
  {
    std::lock_guard lock(inbox_->mutex);
    entries.swap(inbox_->entries);
  }
  for (const auto& e : entries) {
    double at = seconds_since_start(e.at);
    transitions_.at(e.queue).push_back({e.from, e.to, at});
    progress_.log(format_seconds(at) + "  [" + std::to_string(e.queue) + "] " +
                  queues_[e.queue].label + ": breaker " + std::string(sqs::to_string(e.from)) +
                  " -> " + std::string(sqs::to_string(e.to)));
  }
}

// ---- status ----

ProgressSnapshot BenchRun::snapshot() const {
  ProgressSnapshot s;
  s.elapsed_s = seconds_since_start(finished_at_.value_or(Clock::now()));
  s.receive_only = config_.no_send;
  s.count = config_.no_send ? 0 : config_.count;
  s.sent = tracker_.sent();
  s.send_errors = tracker_.send_errors();
  s.received = tracker_.received();
  s.unique = tracker_.unique();
  s.draining = sends_done_at_.has_value();
  auto now = Clock::now();
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    QueueStatus q;
    q.label = queues_[i].label;
    q.state = dispatcher_.executor(i).state();
    q.sent = tracker_.queues()[i].sent;
    q.received = tracker_.queues()[i].received;
    if (faults_.active(i, now)) q.injected_error_rate = faults_.scenario(i).error_rate;
    s.queues.push_back(std::move(q));
  }
  return s;
}

boost::json::object BenchRun::status_json() const {
  auto s = snapshot();
  boost::json::object out;
  out["run_id"] = tracker_.codec().run_id();
  out["elapsed_s"] = round_ms(s.elapsed_s);
  out["count"] = s.count;
  out["sent"] = s.sent;
  out["send_errors"] = s.send_errors;
  out["received"] = s.received;
  out["unique"] = s.unique;
  out["draining"] = s.draining;
  out["done"] = stopping_;
  boost::json::array queues;
  auto now = FaultInjector::Clock::now();
  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    const auto& scenario = faults_.scenario(i);
    bool active = faults_.active(i, now);
    queues.push_back(boost::json::object{
        {"index", i},
        {"queue", queues_[i].url},
        {"region", queues_[i].region},
        {"state", std::string(sqs::to_string(s.queues[i].state))},
        {"sent", s.queues[i].sent},
        {"received", s.queues[i].received},
        {"error_rate", active ? scenario.error_rate : 0.0},
        {"remaining_s",
         active ? round_ms(std::chrono::duration<double>(scenario.until - now).count()) : 0.0},
    });
  }
  out["queues"] = std::move(queues);
  return out;
}

ControlAnswer BenchRun::control(const std::string&, const std::string& target) {
  auto request = parse_control_target(target, queues_.size());
  if (!request) {
    return {400, to_json_text(boost::json::object{{"error", request.error().message}})};
  }
  if (*request) {
    const InjectionRequest& r = **request;
    faults_.set(r.index, r.error_rate, r.duration);
    char text[160];
    std::snprintf(text, sizeof text, "  control: queue %zu fails at rate %g for %.3gs", r.index,
                  r.error_rate, std::chrono::duration<double>(r.duration).count());
    progress_.log(format_seconds(seconds_since_start(Clock::now())) + text);
  }
  return {200, to_json_text(status_json())};
}

BenchReport BenchRun::make_report() const {
  BenchReport report;
  auto end = finished_at_.value_or(Clock::now());
  report.run_id = tracker_.codec().run_id();
  report.receive_only = config_.no_send;
  report.aborted = aborted_;
  report.count = config_.no_send ? 0 : config_.count;
  report.sent = tracker_.sent();
  report.send_errors = tracker_.send_errors();
  report.send_retries = send_retries_;
  report.received = tracker_.received();
  report.unique = tracker_.unique();
  report.lost = tracker_.lost();
  report.foreign = tracker_.foreign();
  report.elapsed_s = seconds_since_start(end);
  report.send_elapsed_s = seconds_since_start(sends_done_at_.value_or(end));
  report.started_unix_s = started_unix_s_;
  report.breaker = config_.breaker_description;
  report.last_send_error = last_send_error_;
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    const auto& counts = tracker_.queues()[i];
    QueueReport q;
    q.queue = queues_[i].url;
    q.region = queues_[i].region;
    q.endpoint = queues_[i].endpoint;
    q.weight = queues_[i].weight;
    q.sent = counts.sent;
    q.received = counts.received;
    q.foreign = counts.foreign;
    q.receives = counts.receives;
    q.receive_errors = counts.receive_errors;
    q.delete_errors = counts.delete_errors;
    q.state = dispatcher_.executor(i).state();
    q.transitions = transitions_[i];
    report.queues.push_back(std::move(q));
  }
  return report;
}

}  // namespace sqsctl::bench

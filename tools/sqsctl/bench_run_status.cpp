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
  auto metrics = dispatcher_.metrics();
  for (std::size_t i = 0; i < queues_.size(); ++i) {
    QueueStatus q;
    q.label = queues_[i].label;
    q.state = dispatcher_.executor(i).state();
    q.sent = tracker_.queues()[i].sent;
    q.received = tracker_.queues()[i].received;
    const sqs::QueueLoadMetrics& load = metrics.at(i).load;
    q.in_flight = load.in_flight;
    q.limit = load.limit;
    q.latency_ms = std::chrono::duration<double, std::milli>(load.latency).count();
    q.stalled = load.stalled;
    if (faults_.active(i, now)) {
      const auto& scenario = faults_.scenario(i);
      q.injected_error_rate = scenario.error_rate;
      q.injected_latency_ms = std::chrono::duration<double, std::milli>(scenario.latency).count();
      q.injected_hang = scenario.hang;
    }
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
  out["books_bytes"] = latencies_.memory_bytes();  // grows by design: ~12 bytes per message sent
  boost::json::array queues;
  auto now = FaultInjector::Clock::now();
  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    const auto& scenario = faults_.scenario(i);
    const QueueStatus& q = s.queues[i];
    bool active = faults_.active(i, now);
    boost::json::value limit;  // null: none
    if (q.limit) limit = *q.limit;
    queues.push_back(boost::json::object{
        {"index", i},
        {"queue", queues_[i].url},
        {"region", queues_[i].region},
        {"state", std::string(sqs::to_string(q.state))},
        {"sent", q.sent},
        {"received", q.received},
        {"in_flight", q.in_flight},
        {"limit", std::move(limit)},
        {"latency_ms", round_ms(q.latency_ms)},
        {"stalled", q.stalled},
        {"error_rate", active ? scenario.error_rate : 0.0},
        {"error", scenario.error == InjectedError::transport     ? "transport"
                  : scenario.error == InjectedError::unavailable ? "503"
                                                                 : "throttling"},
        {"latency_injected_ms", active ? q.injected_latency_ms : 0.0},
        {"hang", active && scenario.hang},
        {"held", held_.at(i).size()},
        // Of the queue's client (shared by the queues of one endpoint and region).
        {"connections", dispatcher_.executor(i).queue().client().metrics().open_connections},
        {"remaining_s",
         active ? round_ms(std::chrono::duration<double>(scenario.until - now).count()) : 0.0},
    });
  }
  out["queues"] = std::move(queues);
  return out;
}

ControlAnswer BenchRun::control(const std::string&, const std::string& target) {
  // GET /?mark=NAME: a phase of the run starts now (the report summarises each one).
  if (auto mark = parse_control_mark(target)) {
    if (!*mark) {
      return {400, to_json_text(boost::json::object{{"error", mark->error().message},
                                                    {"usage", kControlUsage}})};
    }
    marks_.emplace_back(**mark, seconds_since_start(Clock::now()));
    auto answer = status_json();
    answer["mark"] = **mark;
    return {200, to_json_text(answer)};
  }
  auto request = parse_control_target(target, queues_.size());
  if (!request) {
    return {400, to_json_text(boost::json::object{{"error", request.error().message},
                                                  {"usage", kControlUsage}})};
  }
  if (*request) {
    const InjectionRequest& r = **request;
    faults_.set(r.index, r.injection, r.duration);
    arm_scenario_end(r.index);  // (releases the calls a hang held, once it is over)
    describe_injection(r);
  }
  auto answer = status_json();
  answer["usage"] = kControlUsage;
  return {200, to_json_text(answer)};
}

void BenchRun::describe_injection(const InjectionRequest& r) {
  const Injection& i = r.injection;
  std::string what;
  char text[96];
  if (i.error_rate > 0) {
    std::snprintf(text, sizeof text, ", fails at rate %g", i.error_rate);
    what += text;
    if (i.error == InjectedError::unavailable) what += " (503)";
    if (i.error == InjectedError::throttling) what += " (throttling)";
  }
  if (i.latency.count() > 0) {
    std::snprintf(text, sizeof text, ", +%gms latency",
                  std::chrono::duration<double, std::milli>(i.latency).count());
    what += text;
  }
  if (i.hang) what += ", hangs";
  std::string line = "  control: queue " + std::to_string(r.index);
  if (what.empty() || r.duration.count() <= 0) {
    line += ": scenario ended";
  } else {
    std::snprintf(text, sizeof text, " for %.3gs",
                  std::chrono::duration<double>(r.duration).count());
    line += what.substr(1) + text;
  }
  progress_.log(format_seconds(seconds_since_start(Clock::now())) + line);
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
  if (config_.producer && !config_.no_send) {
    const auto m = producer_ ? producer_->metrics() : producer_metrics_;
    report.producer_batches = m.batches;
    report.producer_average_fill = m.average_fill();
  }
  report.send_retries = send_retries_;
  report.received = tracker_.received();
  report.unique = tracker_.unique();
  report.lost = tracker_.lost();
  report.foreign = tracker_.foreign();
  report.elapsed_s = seconds_since_start(end);
  report.send_elapsed_s = seconds_since_start(sends_done_at_.value_or(end));
  report.started_unix_s = started_unix_s_;
  report.breaker = config_.breaker_description;
  report.load = config_.load_description;
  report.last_send_error = last_send_error_;
  report.send_latency = latencies_.overall();
  report.timeline = latencies_.timeline(report.elapsed_s);
  for (std::size_t m = 0; m < marks_.size(); ++m) {
    BenchReport::Phase phase;
    phase.name = marks_[m].first;
    phase.from_s = marks_[m].second;
    phase.to_s = m + 1 < marks_.size() ? marks_[m + 1].second : report.elapsed_s;
    phase.send_latency = latencies_.started_between(phase.from_s, phase.to_s);
    report.phases.push_back(std::move(phase));
  }
  auto metrics = dispatcher_.metrics();
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
    q.send_latency = latencies_.queue(i);
    const sqs::QueueLoadMetrics& load = metrics.at(i).load;
    q.hedges = load.hedges;
    q.hedge_wins = load.hedge_wins;
    q.late_copies = load.late_copies;
    q.slow_in_flight = load.slow_in_flight;
    q.bulkhead_rejected = load.bulkhead_rejected;
    q.avoided = load.avoided;
    q.bulkhead_limit = load.limit;
    q.latency_estimate_ms = std::chrono::duration<double, std::milli>(load.latency).count();
    report.queues.push_back(std::move(q));
  }
  return report;
}

}  // namespace sqsctl::bench

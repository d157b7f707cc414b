#include "bench_report.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace sqsctl::bench {
namespace {

// Milliseconds are plenty, and keep the line short.
double round3(double v) {
  return std::round(v * 1000) / 1000;
}

double per_second(std::uint64_t n, double seconds) {
  return seconds > 0 ? std::round(static_cast<double>(n) / seconds * 10) / 10 : 0.0;
}

void write_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        write_json(value, out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& value : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_json(value, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::double_: {
      char text[32];
      double d = std::isfinite(v.get_double()) ? v.get_double() : 0.0;
      auto [end, ec] = std::to_chars(text, text + sizeof text, d);
      out.append(text, ec == std::errc() ? end : text);
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

boost::json::object latency_json(const LatencySummary& l) {
  return {{"p50", round3(l.p50_ms)},
          {"p99", round3(l.p99_ms)},
          {"max", round3(l.max_ms)},
          {"mean", round3(l.mean_ms)}};
}

boost::json::array counts_json(const std::vector<std::uint64_t>& counts) {
  boost::json::array out;
  for (auto n : counts) out.push_back(n);
  return out;
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  write_json(value, out);
  return out;
}

int BenchReport::exit_status() const noexcept {
  return lost == 0 && send_errors == 0 && !aborted ? 0 : 1;
}

boost::json::object to_json(const BenchReport& r) {
  boost::json::object out;
  out["sent"] = r.sent;
  out["send_errors"] = r.send_errors;
  out["received"] = r.received;
  out["unique"] = r.unique;
  out["duplicates"] = r.received - r.unique;
  out["lost"] = r.lost;
  out["elapsed_s"] = round3(r.elapsed_s);
  out["send_msgs_per_s"] = per_second(r.sent, r.send_elapsed_s);
  out["receive_msgs_per_s"] = per_second(r.unique, r.elapsed_s);
  boost::json::array queues;
  for (const auto& q : r.queues) {
    boost::json::object o;
    o["queue"] = q.queue;
    o["region"] = q.region;
    o["endpoint"] = q.endpoint;
    o["weight"] = q.weight;
    o["sent"] = q.sent;
    o["received"] = q.received;
    o["state"] = std::string(sqs::to_string(q.state));
    boost::json::array transitions;
    for (const auto& t : q.transitions) {
      transitions.push_back(boost::json::object{{"from", std::string(sqs::to_string(t.from))},
                                                {"to", std::string(sqs::to_string(t.to))},
                                                {"at_s", round3(t.at_s)}});
    }
    o["transitions"] = std::move(transitions);
    o["receives"] = q.receives;
    o["receive_errors"] = q.receive_errors;
    o["delete_errors"] = q.delete_errors;
    if (q.foreign > 0) o["foreign"] = q.foreign;
    if (!r.receive_only) o["send_latency_ms"] = latency_json(q.send_latency);
    o["hedges"] = q.hedges;
    o["hedge_wins"] = q.hedge_wins;
    o["late_copies"] = q.late_copies;
    o["slow_in_flight"] = q.slow_in_flight;
    o["bulkhead_rejected"] = q.bulkhead_rejected;
    o["avoided"] = q.avoided;
    if (q.bulkhead_limit) {
      o["bulkhead_limit"] = *q.bulkhead_limit;
    } else {
      o["bulkhead_limit"] = nullptr;
    }
    o["latency_estimate_ms"] = round3(q.latency_estimate_ms);
    queues.push_back(std::move(o));
  }
  out["queues"] = std::move(queues);
  out["count"] = r.count;
  out["send_retries"] = r.send_retries;
  if (r.producer_batches) {
    out["producer"] = {{"batches", *r.producer_batches},
                       {"average_fill", round3(r.producer_average_fill)}};
  }
  out["foreign"] = r.foreign;
  out["send_elapsed_s"] = round3(r.send_elapsed_s);
  out["started_unix_s"] = round3(r.started_unix_s);
  out["run_id"] = r.run_id;
  out["breaker"] = r.breaker;
  out["load"] = r.load;
  if (!r.receive_only) out["send_latency_ms"] = latency_json(r.send_latency);
  boost::json::array timeline;
  for (std::size_t t = 0; t < r.timeline.size(); ++t) {
    const auto& second = r.timeline[t];
    boost::json::object o{{"t", t},
                          {"sent", counts_json(second.sent)},
                          {"received", counts_json(second.received)},
                          {"started", second.send_latency.count}};
    if (second.send_latency.count > 0) {
      o["send_p50_ms"] = round3(second.send_latency.p50_ms);
      o["send_p99_ms"] = round3(second.send_latency.p99_ms);
      o["send_max_ms"] = round3(second.send_latency.max_ms);
    }
    timeline.push_back(std::move(o));
  }
  out["timeline"] = std::move(timeline);
  boost::json::array phases;
  for (const auto& phase : r.phases) {
    boost::json::object o{{"name", phase.name},
                          {"from_s", round3(phase.from_s)},
                          {"to_s", round3(phase.to_s)},
                          {"started", phase.send_latency.count}};
    if (phase.send_latency.count > 0) o["send_latency_ms"] = latency_json(phase.send_latency);
    phases.push_back(std::move(o));
  }
  out["phases"] = std::move(phases);
  if (r.receive_only) out["receive_only"] = true;
  if (r.aborted) out["aborted"] = true;
  if (!r.last_send_error.empty()) out["last_send_error"] = r.last_send_error;
  return out;
}

}  // namespace sqsctl::bench

#include "bench_latency.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sqsctl::bench {

LatencySummary summarize(std::vector<std::uint32_t>& micros) {
  LatencySummary s;
  s.count = micros.size();
  if (micros.empty()) return s;
  std::sort(micros.begin(), micros.end());
  // The smallest sample with at least q of them at or below it.
  auto rank = [&](double q) {
    auto n = static_cast<std::size_t>(std::ceil(q * static_cast<double>(micros.size())));
    return micros[std::clamp<std::size_t>(n, 1, micros.size()) - 1] / 1000.0;
  };
  s.p50_ms = rank(0.50);
  s.p99_ms = rank(0.99);
  s.max_ms = micros.back() / 1000.0;
  double total = 0;
  for (auto m : micros) total += m;
  s.mean_ms = total / static_cast<double>(micros.size()) / 1000.0;
  return s;
}

LatencyBook::Second& LatencyBook::second(double at_s) {
  auto index = static_cast<std::size_t>(std::max(0.0, at_s));
  if (index >= seconds_.size()) {
    seconds_.resize(index + 1);
  }
  Second& s = seconds_[index];
  if (s.sent.empty()) {
    s.sent.assign(queues_, 0);
    s.received.assign(queues_, 0);
  }
  return s;
}

void LatencyBook::sent(std::size_t queue, double started_s, double sent_s) {
  double micros = std::round(std::max(0.0, sent_s - started_s) * 1e6);
  auto limit = static_cast<double>(std::numeric_limits<std::uint32_t>::max());
  second(started_s).started.push_back({static_cast<std::uint32_t>(std::min(micros, limit)),
                                       static_cast<std::uint32_t>(queue),
                                       static_cast<float>(started_s)});
  ++second(sent_s).sent.at(queue);
}

void LatencyBook::received(std::size_t queue, double at_s, std::uint64_t n) {
  second(at_s).received.at(queue) += n;
}

LatencySummary LatencyBook::started_between(double from_s, double to_s) const {
  std::vector<std::uint32_t> micros;
  for (const auto& s : seconds_) {
    for (const auto& sample : s.started) {
      if (sample.started_s >= from_s && sample.started_s < to_s) micros.push_back(sample.micros);
    }
  }
  return summarize(micros);
}

LatencySummary LatencyBook::overall() const {
  std::vector<std::uint32_t> micros;
  for (const auto& s : seconds_) {
    for (const auto& sample : s.started) micros.push_back(sample.micros);
  }
  return summarize(micros);
}

LatencySummary LatencyBook::queue(std::size_t index) const {
  std::vector<std::uint32_t> micros;
  for (const auto& s : seconds_) {
    for (const auto& sample : s.started) {
      if (sample.queue == index) micros.push_back(sample.micros);
    }
  }
  return summarize(micros);
}

std::size_t LatencyBook::memory_bytes() const {
  std::size_t bytes = seconds_.capacity() * sizeof(Second);
  for (const auto& s : seconds_) {
    bytes += s.started.capacity() * sizeof(Sample) +
             (s.sent.capacity() + s.received.capacity()) * sizeof(std::uint64_t);
  }
  return bytes;
}

std::vector<TimelineSecond> LatencyBook::timeline(double elapsed_s) const {
  auto length = std::max<std::size_t>(
      {1, seconds_.size(), static_cast<std::size_t>(std::max(0.0, elapsed_s)) + 1});
  std::vector<TimelineSecond> out(length);
  std::vector<std::uint32_t> micros;
  for (std::size_t t = 0; t < length; ++t) {
    TimelineSecond& entry = out[t];
    entry.sent.assign(queues_, 0);
    entry.received.assign(queues_, 0);
    if (t >= seconds_.size()) continue;
    const Second& s = seconds_[t];
    if (!s.sent.empty()) {
      entry.sent = s.sent;
      entry.received = s.received;
    }
    micros.clear();
    for (const auto& sample : s.started) micros.push_back(sample.micros);
    entry.send_latency = summarize(micros);
  }
  return out;
}

}  // namespace sqsctl::bench

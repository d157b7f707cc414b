#include "bench_progress.hpp"

#include <algorithm>
#include <cstdio>

namespace sqsctl::bench {
namespace {

constexpr std::size_t kBarWidth = 30;

std::string format(const char* pattern, auto... values) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, values...);
  return text;
}

// 0.8ms, 12ms, 1.2s: three digits at most.
std::string format_ms(double ms) {
  if (ms < 10) return format("%.1fms", ms);
  if (ms < 1000) return format("%.0fms", ms);
  return format("%.1fs", ms / 1000);
}

unsigned long long ull(std::uint64_t v) {
  return static_cast<unsigned long long>(v);
}

// At most `width` visible columns (colour sequences take none): a line that wrapped would throw
// the redraw, which counts lines, off by one.
std::string fit(const std::string& line, std::size_t width) {
  if (width == 0) return line;
  std::string out;
  std::size_t visible = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      auto end = line.find('m', i);
      if (end == std::string::npos) break;
      out.append(line, i, end - i + 1);
      i = end;
      continue;
    }
    if (visible + 1 >= width) continue;  // keep the colour resets that follow
    out += line[i];
    ++visible;
  }
  return out;
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::ostream& out, bool live, bool color, std::size_t width)
    : out_(out), live_(live), color_(color && live), width_(width) {}

ProgressDisplay::Rates ProgressDisplay::rates(const ProgressSnapshot& now) {
  // Over at least 0.4 s, so that a redraw right after another does not show noise.
  if (has_previous_ && now.elapsed_s - previous_.elapsed_s < 0.4) return last_rates_;
  Rates r;
  r.queue_sent.assign(now.queues.size(), 0);
  r.queue_received.assign(now.queues.size(), 0);
  if (has_previous_) {
    double dt = now.elapsed_s - previous_.elapsed_s;
    auto per_s = [dt](std::uint64_t a, std::uint64_t b) {
      return a >= b ? static_cast<double>(a - b) / dt : 0.0;
    };
    r.sent = per_s(now.sent, previous_.sent);
    r.received = per_s(now.received, previous_.received);
    for (std::size_t i = 0; i < now.queues.size() && i < previous_.queues.size(); ++i) {
      r.queue_sent[i] = per_s(now.queues[i].sent, previous_.queues[i].sent);
      r.queue_received[i] = per_s(now.queues[i].received, previous_.queues[i].received);
    }
  }
  previous_ = now;
  has_previous_ = true;
  last_rates_ = r;
  return r;
}

std::string ProgressDisplay::state_text(sqs::CircuitState state) const {
  std::string name(sqs::to_string(state));
  std::string padded = format("%-9s", name.c_str());
  if (!color_) return padded;
  const char* color = state == sqs::CircuitState::closed ? "\x1b[32m"
                      : state == sqs::CircuitState::open ? "\x1b[31m"
                                                         : "\x1b[33m";
  return color + padded + "\x1b[0m";
}

std::vector<std::string> ProgressDisplay::render(const ProgressSnapshot& s, const Rates& r) const {
  std::vector<std::string> lines;
  if (s.receive_only) {
    lines.push_back(format("receiving  %llu received (%llu unique)  %6.0f msg/s  %6.1fs",
                           ull(s.received), ull(s.unique), r.received, s.elapsed_s));
  } else {
    double done = s.count == 0 ? 1.0 : static_cast<double>(s.sent + s.send_errors) / s.count;
    auto filled = static_cast<std::size_t>(done * kBarWidth);
    std::string bar =
        std::string(filled, '#') + std::string(kBarWidth - std::min(filled, kBarWidth), '-');
    lines.push_back(format(
        "%s [%s] %3.0f%%  sent %llu/%llu  %6.0f msg/s  received %llu  "
        "unique %llu  errors %llu  %6.1fs",
        s.draining ? "draining" : "sending ", bar.c_str(), done * 100, ull(s.sent), ull(s.count),
        r.sent, ull(s.received), ull(s.unique), ull(s.send_errors), s.elapsed_s));
  }
  int width = 0;
  for (const auto& q : s.queues) width = std::max(width, static_cast<int>(q.label.size()));
  for (std::size_t i = 0; i < s.queues.size(); ++i) {
    const QueueStatus& q = s.queues[i];
    std::string line = format("  [%zu] %-*s ", i, width, q.label.c_str()) + state_text(q.state) +
                       format(" send %6.0f/s  recv %6.0f/s   sent %llu  received %llu",
                              i < r.queue_sent.size() ? r.queue_sent[i] : 0.0,
                              i < r.queue_received.size() ? r.queue_received[i] : 0.0, ull(q.sent),
                              ull(q.received));
    // The dispatcher's view: "in flight 3  latency 2.1ms", "in flight 9 (limit 2)  latency 310ms".
    line += format("  in flight %lld", static_cast<long long>(q.in_flight));
    if (q.limit) line += format(" (limit %lld)", static_cast<long long>(*q.limit));
    line += "  latency " + (q.latency_ms > 0 ? format_ms(q.latency_ms) : std::string("-"));
    if (q.stalled) line += color_ ? " \x1b[31mSTALLED\x1b[0m" : " STALLED";
    std::string injecting;
    if (q.injected_hang) injecting += ", hang";
    if (q.injected_latency_ms > 0) injecting += ", +" + format_ms(q.injected_latency_ms);
    if (q.injected_error_rate > 0) {
      injecting += format(", %.0f%% errors", q.injected_error_rate * 100);
    }
    if (!injecting.empty()) line += "  (injecting " + injecting.substr(2) + ")";
    lines.push_back(std::move(line));
  }
  return lines;
}

void ProgressDisplay::erase() {
  if (!live_ || drawn_lines_ == 0) return;
  // Up to the block's first line, then clear from there to the end of the screen.
  out_ << "\x1b[" << drawn_lines_ << "A\r\x1b[J";
  drawn_lines_ = 0;
}

void ProgressDisplay::draw(const std::vector<std::string>& lines) {
  erase();
  for (const auto& line : lines) out_ << fit(line, width_) << '\n';
  drawn_lines_ = lines.size();
  last_lines_ = lines;
  out_.flush();
}

void ProgressDisplay::update(const ProgressSnapshot& snapshot) {
  auto r = rates(snapshot);
  if (live_) return draw(render(snapshot, r));
  if (last_plain_s_ >= 0 && snapshot.elapsed_s - last_plain_s_ < 0.95) return;
  last_plain_s_ = snapshot.elapsed_s;
  auto lines = render(snapshot, r);
  // One line: the total, then each queue.
  std::string line = lines.front();
  for (std::size_t i = 1; i < lines.size(); ++i) line += " |" + lines[i].substr(1);
  out_ << line << '\n';
  out_.flush();
}

void ProgressDisplay::log(const std::string& line) {
  erase();
  out_ << line << '\n';
  if (live_ && !last_lines_.empty()) {
    for (const auto& l : last_lines_) out_ << fit(l, width_) << '\n';
    drawn_lines_ = last_lines_.size();
  }
  out_.flush();
}

void ProgressDisplay::finish(const ProgressSnapshot& snapshot) {
  auto r = rates(snapshot);
  if (live_) {
    draw(render(snapshot, r));
    drawn_lines_ = 0;  // leave it on screen
    return;
  }
  last_plain_s_ = -1;
  update(snapshot);
}

}  // namespace sqsctl::bench

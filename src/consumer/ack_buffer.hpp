// Entries waiting to be sent in batches of up to 10 (DeleteMessageBatch,
// ChangeMessageVisibilityBatch) for one queue: a full batch is due at once, a partial one once
// its oldest entry has waited `linger`. A plain data structure (FIFO): the consumer's event loop
// drives it (adds, asks when the next batch is due, takes batches).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

namespace sqs::detail {

template <class Entry>
class LingerBuffer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kBatch = 10;

  explicit LingerBuffer(std::chrono::milliseconds linger) : linger_(linger) {}

  void add(Entry entry, Clock::time_point now) { entries_.push_back({std::move(entry), now}); }
  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }

  // When the next batch is due (nullopt: nothing waits).
  std::optional<Clock::time_point> due() const {
    if (entries_.empty()) return std::nullopt;
    if (entries_.size() >= kBatch) return Clock::time_point::min();
    return entries_.front().added + linger_;
  }

  // The next batch (up to 10, oldest first) if it is due at `now`, or whatever waits when
  // `force`; empty otherwise.
  std::vector<Entry> take(Clock::time_point now, bool force = false) {
    std::vector<Entry> out;
    const auto when = due();
    if (!when || (!force && *when > now)) return out;
    const std::size_t n = std::min(kBatch, entries_.size());
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(entries_.front().entry));
      entries_.pop_front();
    }
    return out;
  }

 private:
  struct Waiting {
    Entry entry;
    Clock::time_point added;
  };
  std::chrono::milliseconds linger_;
  std::deque<Waiting> entries_;
};

}  // namespace sqs::detail

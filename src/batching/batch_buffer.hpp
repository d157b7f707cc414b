// Entries waiting to be sent in batches (SendMessageBatch, DeleteMessageBatch,
// ChangeMessageVisibilityBatch), shared by the producer and the consumer's acknowledgements. A
// batch is due at once when the entries waiting fill one (by count or by payload bytes), else once
// the oldest has waited `linger`. Entries are kept in their order (a position given at add, by
// default after every other), so that one put back after a failure goes before those added after
// it. take() can skip entries that may not go now (a FIFO group with a batch in flight): the rest
// still fill the batch. A plain data structure, not thread-safe: its owner's event loop drives it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

namespace sqs::detail {

struct BatchLimits {
  std::size_t max_entries = 10;
  std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
  std::chrono::milliseconds linger{0};
};

template <class Entry>
class BatchBuffer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kBatch = 10;

  explicit BatchBuffer(std::chrono::milliseconds linger) : limits_{kBatch, kNoLimit, linger} {}
  explicit BatchBuffer(BatchLimits limits) : limits_(limits) {}

  // `bytes`: what the entry adds to a batch's payload. `order`: its position (from next_order(),
  // kept by an entry that is put back); unset: after every entry so far.
  void add(Entry entry, Clock::time_point now, std::size_t bytes = 0,
           std::optional<std::uint64_t> order = std::nullopt) {
    const std::uint64_t at = order ? *order : next_order();
    if (at >= next_) next_ = at + 1;
    bytes_ += bytes;
    if (entries_.empty() || entries_.back().order < at) {
      entries_.push_back(Waiting{std::move(entry), now, bytes, at});  // the usual case
    } else {
      // Put back after a failure: before the entries that came after it.
      auto it = std::lower_bound(entries_.begin(), entries_.end(), at,
                                 [](const Waiting& w, std::uint64_t o) { return w.order < o; });
      entries_.insert(it, Waiting{std::move(entry), now, bytes, at});
    }
  }
  std::uint64_t next_order() const noexcept { return next_; }

  bool empty() const noexcept { return entries_.empty(); }
  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }
  const BatchLimits& limits() const noexcept { return limits_; }

  // When the next batch is due: at once (time_point::min()) when the entries waiting fill one,
  // else when the oldest has waited linger; nullopt when nothing waits.
  std::optional<Clock::time_point> due() const {
    if (entries_.empty()) return std::nullopt;
    if (entries_.size() >= limits_.max_entries || bytes_ >= limits_.max_bytes) {
      return Clock::time_point::min();
    }
    // The first in order is the oldest (an entry put back is first again, and has waited).
    return entries_.front().added + limits_.linger;
  }

  // The next batch, in order, of the entries `may_go` accepts, if a batch is due at `now` (or
  // whatever there is, when `force`): at most max_entries and max_bytes (an entry bigger than
  // max_bytes alone goes alone). Empty when none is due or none may go.
  template <class MayGo>
  std::vector<Entry> take(Clock::time_point now, bool force, MayGo&& may_go) {
    std::vector<Entry> out;
    const auto when = due();
    if (!when || (!force && *when > now)) return out;
    std::size_t bytes = 0;
    for (auto it = entries_.begin(); it != entries_.end() && out.size() < limits_.max_entries;) {
      Waiting& w = *it;
      if (!may_go(static_cast<const Entry&>(w.entry))) {
        ++it;
        continue;
      }
      if (!out.empty() && bytes + w.bytes > limits_.max_bytes) break;
      bytes += w.bytes;
      bytes_ -= w.bytes;
      out.push_back(std::move(w.entry));
      it = entries_.erase(it);
    }
    return out;
  }
  std::vector<Entry> take(Clock::time_point now, bool force = false) {
    return take(now, force, [](const Entry&) { return true; });
  }

  // Every entry, in order (a close that gives up on them).
  std::vector<Entry> take_all() {
    std::vector<Entry> out;
    out.reserve(entries_.size());
    for (auto& w : entries_) out.push_back(std::move(w.entry));
    entries_.clear();
    bytes_ = 0;
    return out;
  }

 private:
  static constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();
  struct Waiting {
    Entry entry;
    Clock::time_point added;
    std::size_t bytes = 0;
    std::uint64_t order = 0;
  };
  BatchLimits limits_;
  std::deque<Waiting> entries_;  // by order
  std::uint64_t next_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace sqs::detail

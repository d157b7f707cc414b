// Which queue the dispatcher picks: every registered queue has a weight; a queue is in the
// available set unless its breaker is open. rr() is weighted round-robin over the available
// queues, random() a uniform pick among them; with none available, both pick uniformly among
// all queues (a dispatcher always answers).
//
// Reads are lock-free and allocation-free: the available set and its round-robin cycle form an
// immutable snapshot, published through an atomic pointer. Snapshots are cached per available
// set and live as long as the Selector, so a reader never races a free (no reference counts
// bouncing between cores, unlike a shared_ptr copy per read). Memory stays bounded by the
// number of distinct available sets ever seen (at most 2^n, in practice a handful).
// Updates (breaker transitions) are rare and serialised by a mutex.
//
// Header-only for the same reasons as weighted_round_robin.hpp.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

#include "multiqueue/weighted_round_robin.hpp"

namespace sqs::detail {

class Selector {
 public:
  // One weight (>= 1) per queue; queues are numbered 0..n-1 in this order. All start available.
  // With no seed, random() is seeded from std::random_device.
  explicit Selector(std::vector<std::uint32_t> weights, std::uint64_t seed = random_seed())
      : weights_(std::move(weights)), available_(weights_.size(), true), random_state_(seed) {
    if (weights_.empty()) throw std::invalid_argument("selector: no queue");
    for (auto w : weights_) {
      if (w == 0) throw std::invalid_argument("selector: weight 0");
    }
    current_.store(snapshot_for(available_), std::memory_order_release);
  }

  Selector(const Selector&) = delete;
  Selector& operator=(const Selector&) = delete;

  std::size_t size() const noexcept { return weights_.size(); }
  std::uint32_t weight(std::size_t index) const { return weights_.at(index); }

  // Weighted round-robin over the available queues.
  std::size_t rr() const noexcept {
    const Snapshot* s = current_.load(std::memory_order_acquire);
    if (s->available.empty()) return pick(weights_.size());
    return s->rr.next();
  }

  // Uniformly among the available queues.
  std::size_t random() const noexcept {
    const Snapshot* s = current_.load(std::memory_order_acquire);
    if (s->available.empty()) return pick(weights_.size());
    return s->available[pick(s->available.size())];
  }

  // As rr() and random(), avoiding the available queues for which blocked(index) is true
  // while some available queue is not: a pick that would go to a blocked queue goes instead to
  // one of the unblocked available queues, chosen at random in proportion to their weights
  // (rr) or uniformly (random), so that the avoided queue's share is spread as the weights say.
  // With every available queue blocked, the pick is the plain one. When nothing is blocked the
  // picks, and the rotation, are exactly those of rr() and random(). `avoided(index)` is told
  // of every pick that went elsewhere.
  template <class Blocked, class Avoided>
  std::size_t rr(Blocked&& blocked, Avoided&& avoided) const noexcept {
    const Snapshot* s = current_.load(std::memory_order_acquire);
    if (s->available.empty()) return pick(weights_.size());
    const std::size_t first = s->rr.next();
    if (!blocked(first)) return first;
    return instead_of(first, *s, blocked, avoided, true);
  }
  template <class Blocked, class Avoided>
  std::size_t random(Blocked&& blocked, Avoided&& avoided) const noexcept {
    const Snapshot* s = current_.load(std::memory_order_acquire);
    if (s->available.empty()) return pick(weights_.size());
    const std::size_t first = s->available[pick(s->available.size())];
    if (!blocked(first)) return first;
    return instead_of(first, *s, blocked, avoided, false);
  }

  void set_available(std::size_t index, bool available) {
    std::lock_guard lock(mutex_);
    if (available_.at(index) == available) return;
    available_[index] = available;
    current_.store(snapshot_for(available_), std::memory_order_release);
  }

  bool is_available(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return available_.at(index);
  }
  // Ascending indices.
  std::vector<std::size_t> available() const {
    return current_.load(std::memory_order_acquire)->available;
  }
  std::size_t available_count() const noexcept {
    return current_.load(std::memory_order_acquire)->available.size();
  }

 private:
  struct Snapshot {
    std::vector<std::size_t> available;
    WeightedRoundRobin rr;
    Snapshot(std::vector<std::size_t> avail, const std::vector<WeightedIndex>& entries)
        : available(std::move(avail)), rr(entries) {}
  };

  static std::uint64_t random_seed() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }

  // Lock held (or in the constructor).
  const Snapshot* snapshot_for(const std::vector<bool>& available) {
    auto& slot = snapshots_[available];
    if (!slot) {
      std::vector<std::size_t> indices;
      std::vector<WeightedIndex> entries;
      for (std::size_t i = 0; i < available.size(); ++i) {
        if (!available[i]) continue;
        indices.push_back(i);
        entries.push_back({i, weights_[i]});
      }
      slot = std::make_unique<const Snapshot>(std::move(indices), entries);
    }
    return slot.get();
  }

  // An unblocked available queue for a pick that `first` (blocked) cannot take, by weight or
  // uniformly; `first` itself when every available queue is blocked.
  template <class Blocked, class Avoided>
  std::size_t instead_of(std::size_t first, const Snapshot& s, Blocked& blocked, Avoided& avoided,
                         bool by_weight) const noexcept {
    std::uint64_t total = 0;
    for (std::size_t i : s.available) {
      if (!blocked(i)) total += by_weight ? weights_[i] : 1;
    }
    if (total == 0) return first;
    std::uint64_t r = pick(static_cast<std::size_t>(total));
    std::size_t last = first;
    for (std::size_t i : s.available) {
      if (blocked(i)) continue;  // (a queue unblocked meanwhile is simply skipped)
      last = i;
      const std::uint64_t w = by_weight ? weights_[i] : 1;
      if (r < w) break;
      r -= w;
    }
    avoided(first);
    return last;
  }

  // A uniform index below n: splitmix64 over an atomic counter (lock-free, and reproducible
  // from the seed when single-threaded), scaled by multiply-shift.
  std::size_t pick(std::size_t n) const noexcept {
    std::uint64_t z = random_state_.fetch_add(0x9E3779B97F4A7C15ull, std::memory_order_relaxed) +
                      0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<std::size_t>((static_cast<unsigned __int128>(z) * n) >> 64);
  }

  const std::vector<std::uint32_t> weights_;
  mutable std::mutex mutex_;
  std::vector<bool> available_;                                             // guarded by mutex_
  std::map<std::vector<bool>, std::unique_ptr<const Snapshot>> snapshots_;  // guarded by mutex_
  std::atomic<const Snapshot*> current_{nullptr};
  alignas(64) mutable std::atomic<std::uint64_t> random_state_;
};

}  // namespace sqs::detail

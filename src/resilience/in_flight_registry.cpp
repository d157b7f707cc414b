#include "resilience/in_flight_registry.hpp"

#include <algorithm>

namespace sqs::detail {

InFlightRegistry::Id InFlightRegistry::add(time_point start, duration allowance,
                                           CircuitBreaker::Permit permit) {
  Id id;
  if (free_ != kNil) {
    id = free_;
    free_ = nodes_[id].next;
  } else {
    id = static_cast<Id>(nodes_.size());
    nodes_.emplace_back();
  }
  Node& n = nodes_[id];
  n.start = start;
  n.allowance = std::max(allowance, duration(0));
  n.permit = std::move(permit);
  n.counted_slow = false;
  n.in_use = true;
  List& l = list_of(n);
  n.prev = l.tail;
  n.next = kNil;
  if (l.tail != kNil) {
    nodes_[l.tail].next = id;
  } else {
    l.head = id;
  }
  l.tail = id;
  ++size_;
  if (n.allowance.count() == 0) ++ordinary_;
  return id;
}

InFlightRegistry::Removed InFlightRegistry::remove(Id id) noexcept {
  Node& n = nodes_[id];
  List& l = list_of(n);
  if (n.prev != kNil) {
    nodes_[n.prev].next = n.next;
  } else {
    l.head = n.next;
  }
  if (n.next != kNil) {
    nodes_[n.next].prev = n.prev;
  } else {
    l.tail = n.prev;
  }
  if (n.allowance.count() == 0) --ordinary_;
  Removed r{std::move(n.permit), n.start, n.allowance, n.counted_slow};
  n.in_use = false;
  n.prev = kNil;
  n.next = free_;
  free_ = id;
  --size_;
  return r;
}

std::optional<InFlightRegistry::time_point> InFlightRegistry::oldest_start() const noexcept {
  if (short_.head == kNil) return std::nullopt;
  return nodes_[short_.head].start;
}

std::size_t InFlightRegistry::take_from(List& list, bool ordered, time_point now,
                                        duration threshold,
                                        std::vector<CircuitBreaker::Permit>& out) {
  std::size_t taken = 0;
  for (Id id = list.head; id != kNil; id = nodes_[id].next) {
    Node& n = nodes_[id];
    const bool overdue = now - n.start - n.allowance > threshold;  // (no overflow near max)
    if (!overdue) {
      if (ordered) break;  // every later call started later
      continue;
    }
    if (n.counted_slow) continue;
    n.counted_slow = true;
    out.push_back(std::move(n.permit));
    ++taken;
  }
  return taken;
}

std::size_t InFlightRegistry::take_overdue(time_point now, duration threshold,
                                           std::vector<CircuitBreaker::Permit>& out) {
  return take_from(short_, true, now, threshold, out) +
         take_from(long_, false, now, threshold, out);
}

std::optional<InFlightRegistry::time_point> InFlightRegistry::next_overdue(
    duration threshold) const noexcept {
  std::optional<time_point> due;
  auto consider = [&](const Node& n) {
    if (n.counted_slow) return;
    const auto at = n.start + threshold + n.allowance;
    if (!due || at < *due) due = at;
  };
  for (Id id = short_.head; id != kNil; id = nodes_[id].next) {
    if (!nodes_[id].counted_slow) {
      consider(nodes_[id]);
      break;  // the first one not yet marked is the earliest of the ordered list
    }
  }
  for (Id id = long_.head; id != kNil; id = nodes_[id].next) consider(nodes_[id]);
  return due;
}

}  // namespace sqs::detail

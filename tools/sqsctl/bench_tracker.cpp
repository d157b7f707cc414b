#include "bench_tracker.hpp"

#include <limits>

namespace sqsctl::bench {

Tracker::Tracker(BodyCodec codec, std::size_t count, std::size_t queues, bool receive_only)
    : codec_(std::move(codec)),
      receive_only_(receive_only),
      sent_flags_(count, false),
      receive_counts_(count, 0),
      queues_(queues) {}

void Tracker::sent(std::size_t sequence, std::size_t queue) {
  if (sequence >= sent_flags_.size() || sent_flags_[sequence]) return;
  sent_flags_[sequence] = true;
  ++sent_;
  ++queues_.at(queue).sent;
  if (receive_counts_[sequence] > 0) ++sent_and_received_;  // the receiver was quicker
}

bool Tracker::received(const sqs::Message& message, std::size_t queue) {
  QueueCounts& counts = queues_.at(queue);
  bool first = false;
  if (receive_only_) {
    first = message_ids_.insert(message.message_id).second;
  } else {
    auto sequence = codec_.decode(message.body);
    if (!sequence || *sequence >= receive_counts_.size()) {
      ++counts.foreign;
      ++foreign_;
      return false;
    }
    auto& n = receive_counts_[*sequence];
    first = n == 0;
    if (n < std::numeric_limits<std::uint16_t>::max()) ++n;
    if (first && sent_flags_[*sequence]) ++sent_and_received_;
  }
  ++counts.received;
  ++received_;
  if (first) ++unique_;
  return first;
}

}  // namespace sqsctl::bench

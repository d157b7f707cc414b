// The books of a bench run: which message was sent (and by which queue), how many times each
// was received, and what that adds up to (received, unique, duplicates, lost). Messages of this
// run are counted by sequence number (two bytes per message); in a receive-only run, where the
// bodies are anyone's, by MessageId. Used from the bench's own thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench_body.hpp"
#include "sqs/types.hpp"

namespace sqsctl::bench {

struct QueueCounts {
  std::uint64_t sent = 0;      // sends this queue took
  std::uint64_t received = 0;  // messages received from it (of this run, duplicates included)
  std::uint64_t foreign = 0;   // messages of no run of ours (or of another run), deleted
  std::uint64_t receives = 0;  // ReceiveMessage calls that answered (empty or not)
  std::uint64_t receive_errors = 0;
  std::uint64_t delete_errors = 0;
};

class Tracker {
 public:
  // `count` messages to send (0 in a receive-only run), over `queues` queues.
  Tracker(BodyCodec codec, std::size_t count, std::size_t queues, bool receive_only);

  const BodyCodec& codec() const noexcept { return codec_; }

  void sent(std::size_t sequence, std::size_t queue);
  bool is_sent(std::size_t sequence) const {
    return sequence < sent_flags_.size() && sent_flags_[sequence];
  }
  void send_failed() { ++send_errors_; }
  // Returns true when the message is new (first time seen).
  bool received(const sqs::Message& message, std::size_t queue);
  void receive_answered(std::size_t queue) { ++queues_.at(queue).receives; }
  void receive_error(std::size_t queue) { ++queues_.at(queue).receive_errors; }
  void delete_errors(std::size_t queue, std::size_t n) { queues_.at(queue).delete_errors += n; }

  std::uint64_t sent() const noexcept { return sent_; }
  std::uint64_t send_errors() const noexcept { return send_errors_; }
  std::uint64_t received() const noexcept { return received_; }
  std::uint64_t unique() const noexcept { return unique_; }
  std::uint64_t duplicates() const noexcept { return received_ - unique_; }
  std::uint64_t foreign() const noexcept { return foreign_; }
  // Sent (successfully) and never received.
  std::uint64_t lost() const noexcept { return sent_ - sent_and_received_; }
  bool all_sent_received() const noexcept { return sent_and_received_ == sent_; }
  const std::vector<QueueCounts>& queues() const noexcept { return queues_; }

 private:
  BodyCodec codec_;
  bool receive_only_;
  std::vector<bool> sent_flags_;                 // by sequence
  std::vector<std::uint16_t> receive_counts_;    // by sequence, saturating
  std::unordered_set<std::string> message_ids_;  // receive-only runs
  std::vector<QueueCounts> queues_;
  std::uint64_t sent_ = 0;
  std::uint64_t send_errors_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t unique_ = 0;
  std::uint64_t foreign_ = 0;
  std::uint64_t sent_and_received_ = 0;
};

}  // namespace sqsctl::bench

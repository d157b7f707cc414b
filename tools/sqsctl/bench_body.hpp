// The bodies `sqsctl bench` sends: "bench:RUNID:SEQUENCE:" padded to the requested size, so that
// every message of a run is unique and a receiver knows, from the body alone, which message it
// got (and whether it belongs to this run at all: queues may hold leftovers of earlier runs).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sqsctl::bench {

// "bench:" + 12 hex digits + ":" + 10 decimal digits + ":".
inline constexpr std::size_t kBodyHeaderBytes = 30;

class BodyCodec {
 public:
  explicit BodyCodec(std::string run_id);  // 12 hex digits
  // A random run id.
  static std::string new_run_id();

  const std::string& run_id() const noexcept { return run_id_; }

  // Precondition: bytes >= kBodyHeaderBytes, sequence < 10^10.
  std::string encode(std::size_t sequence, std::size_t bytes) const;
  // The sequence number of a body of this run; nullopt for any other body.
  std::optional<std::size_t> decode(std::string_view body) const;

 private:
  std::string run_id_;
  std::string prefix_;  // "bench:RUNID:"
};

}  // namespace sqsctl::bench

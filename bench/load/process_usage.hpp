// What the load tool reports about its own process: CPU time of all threads and peak RSS
// (getrusage(RUSAGE_SELF), as bench.mjs's process.cpuUsage / resourceUsage), wall time, and
// the thread count and current RSS from /proc/self/status.
#pragma once

#include <chrono>
#include <cstdint>

namespace sqs_load {

struct UsageSnapshot {
  std::chrono::steady_clock::time_point wall;
  double user_s = 0;
  double sys_s = 0;
  long max_rss_kb = 0;

  static UsageSnapshot now();
};

// From /proc/self/status: Threads and VmRSS (kB); 0 when unreadable.
struct ProcStatus {
  long threads = 0;
  long rss_kb = 0;

  static ProcStatus read();
};

// Raises the soft limit of open files to the hard limit: a long-poll run holds one socket per
// poll in flight.
void raise_open_files_limit();

}  // namespace sqs_load

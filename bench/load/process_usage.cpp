#include "process_usage.hpp"

#include <sys/resource.h>

#include <fstream>
#include <string>

namespace sqs_load {

namespace {
double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}
}  // namespace

UsageSnapshot UsageSnapshot::now() {
  UsageSnapshot s;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  s.wall = std::chrono::steady_clock::now();
  s.user_s = seconds(ru.ru_utime);
  s.sys_s = seconds(ru.ru_stime);
  s.max_rss_kb = ru.ru_maxrss;
  return s;
}

ProcStatus ProcStatus::read() {
  ProcStatus p;
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "Threads:") {
      in >> p.threads;
    } else if (key == "VmRSS:") {
      in >> p.rss_kb;
    }
    in.ignore(1 << 20, '\n');
  }
  return p;
}

void raise_open_files_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace sqs_load

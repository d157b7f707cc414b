// Runs a program as a child process with the given stdin and environment, and collects its
// exit status, stdout and stderr.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sqsctl_test {

struct ProcessResult {
  int exit_code = -1;  // -1 when the child was killed by a signal or the deadline
  std::string out;
  std::string err;
  bool timed_out = false;

  // The non-empty lines of `out`.
  std::vector<std::string> lines() const;
};

// `argv[0]` is the path of the program; `env` holds "NAME=value" strings and is the child's
// whole environment. A child still running at the deadline is killed (timed_out).
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          const std::vector<std::string>& env,
                          std::chrono::seconds deadline = std::chrono::seconds(60));

// The directory of the running executable (/proc/self/exe).
std::string executable_dir();

}  // namespace sqsctl_test

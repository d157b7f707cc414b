// Command line of sqs-load: the options of bench.mjs (the Node SDK peer), same names, same
// defaults, plus --wait-seconds for the long-poll op.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace sqs_load {

struct Options {
  std::string endpoint;
  std::string queue_url;
  std::string op;  // send | send-batch | recv-delete | recv-delete-batch | long-poll
  std::uint64_t count = 0;
  std::size_t concurrency = 1;
  std::size_t body_bytes = 1024;
  int max_attempts = 1;
  std::uint64_t max_errors = 100;
  int wait_seconds = 20;  // long-poll only
  int hold_ms = 0;        // consume only: async handlers that finish after this long
  int linger_ms = 5;      // produce only
  // auto: AWS_ACCESS_KEY_ID... from the environment if set, else fixed example keys;
  // static: always the fixed example keys; chain: the client's default credential chain.
  std::string credentials = "auto";
};

// The options, or the exit code to leave with right away (0 after --help, 2 on bad usage,
// bench.mjs's code for bad usage).
std::variant<Options, int> parse_options(int argc, char** argv);

}  // namespace sqs_load

// What every sqsctl command shares: the global options, the exit statuses, and turning the
// global options into an sqs::Client / a QUEUE argument into an sqs::Queue.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sqs/client.hpp"
#include "sqs/error.hpp"
#include "sqs/queue.hpp"

namespace sqsctl {

// Exit statuses, documented in the top-level help.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the service, the network or a deadline failed
inline constexpr int kExitUsage = 2;   // bad usage, input or configuration: nothing was sent

// Options given before the command.
struct GlobalOptions {
  std::optional<std::string> endpoint;
  std::optional<std::string> region;
  std::optional<std::string> profile;
  std::optional<double> timeout_seconds;
};

// Filled while parsing: the chosen command stores what it will do, and main() runs it only once
// the whole command line has parsed (so a usage error never leaves half-done work).
struct Context {
  GlobalOptions global;
  std::function<int()> action;
};

// The client the global options describe (the library reads the environment and profile for
// what they leave out).
sqs::Result<sqs::Client> make_client(const GlobalOptions& options);

// Prints "error: CODE: message (HTTP n, request id x)" to stderr and returns the exit status
// for the error: 2 when nothing was sent because of the input or the configuration, else 1.
int report(const sqs::Error& error);
// Same, with what was being done in front: "error: delete: CODE: ...".
int report(std::string_view doing, const sqs::Error& error);

// Prints "error: message" to stderr and returns kExitUsage.
int usage_error(std::string_view message);

// When stdin is a terminal, tells the user on stderr that `what` is read from it, so that a
// command waiting for input does not look hung.
void note_reading_stdin(std::string_view what);

// The exit status an error maps to, without printing.
int exit_status_for(const sqs::Error& error);

}  // namespace sqsctl

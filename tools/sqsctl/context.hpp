// What every sqsctl command shares: the global options, the exit statuses, and turning the
// global options into an sqs::Client / a QUEUE argument into an sqs::Queue.
#pragma once

#include <chrono>
#include <functional>
#include <future>
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
  using Clock = std::chrono::steady_clock;

  GlobalOptions global;
  std::function<int()> action;
  // With --timeout: when the whole command must be over (set by main() as the command starts;
  // a receive adds its long poll's wait, see with_wait). Every call of the command waits for
  // its answer until then at most (await).
  std::optional<Clock::time_point> deadline;
  std::chrono::seconds wait_allowance{0};  // the long poll's wait added to the deadline

  // This context with `wait` more before its deadline (for a long poll).
  Context with_wait(std::chrono::seconds wait) const;
};

// How long after the command's deadline a call still in flight is waited for: a call ends by
// its own deadline (ClientConfig::call_timeout, started a moment after the command's), and its
// error says more (the attempts made) than "the command ran out of time".
inline constexpr std::chrono::milliseconds kDeadlineGrace{200};

// The error of a command whose --timeout ran out: kind timeout, code RequestTimeout.
sqs::Error deadline_error(const Context& context);
// True once the command's deadline (plus the grace) has passed.
bool deadline_passed(const Context& context);

// The answer of an async call started with boost::asio::use_future, waited for until the
// command's deadline (plus the grace) at most; after that, deadline_error(). A call left running
// is cancelled when its client is destroyed (at the end of the command).
template <class R>
sqs::Result<R> await(const Context& context, std::future<sqs::Result<R>> answer) {
  if (context.deadline &&
      answer.wait_until(*context.deadline + kDeadlineGrace) != std::future_status::ready) {
    return deadline_error(context);
  }
  return answer.get();
}

// --timeout: more than 0 and at most a day, as ClientConfig's timeouts.
inline constexpr double kMaxTimeoutSeconds = 86400;
// "" when `text` is a valid --timeout (a finite number of seconds in range), else what is wrong
// with it (for a CLI11 validator).
std::string check_timeout_seconds(const std::string& text);
// A checked --timeout as milliseconds, rounded up.
std::chrono::milliseconds timeout_of(double seconds);

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

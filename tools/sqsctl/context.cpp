#include "context.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>
#include <system_error>

namespace sqsctl {
namespace {
const std::string kTimeoutRange = "more than 0 and at most 86400 seconds (a day)";
}  // namespace

sqs::Result<sqs::Client> make_client(const GlobalOptions& options) {
  sqs::ClientConfig config;
  config.endpoint = options.endpoint;
  config.region = options.region;
  if (options.profile) config.profile = *options.profile;
  if (options.timeout_seconds) {
    // (--timeout is checked at parsing: finite, more than 0, at most kMaxTimeoutSeconds.)
    auto timeout = timeout_of(*options.timeout_seconds);
    config.request_timeout = timeout;
    config.call_timeout = timeout;  // every attempt and back-off of a call (+ a long poll's wait)
    // A shorter overall deadline should not wait longer than it just to connect.
    config.connect_timeout = std::min(timeout, config.connect_timeout);
  }
  return sqs::Client::make(std::move(config));
}

std::chrono::milliseconds timeout_of(double seconds) {
  return std::chrono::milliseconds(
      static_cast<std::chrono::milliseconds::rep>(std::ceil(seconds * 1000.0)));
}

std::string check_timeout_seconds(const std::string& text) {
  double seconds = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;  // from_chars takes no sign but '-'
  auto [ptr, ec] = std::from_chars(begin, end, seconds);
  if (ec == std::errc::result_out_of_range) return "is out of range: " + kTimeoutRange;
  if (ec != std::errc() || ptr != end) return "takes a number of seconds, e.g. 2.5";
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > kMaxTimeoutSeconds) {
    return "must be " + kTimeoutRange;
  }
  return "";
}

Context Context::with_wait(std::chrono::seconds wait) const {
  Context out;
  out.global = global;
  out.deadline = deadline;
  if (out.deadline) *out.deadline += wait;
  out.wait_allowance = wait_allowance + wait;
  return out;
}

sqs::Error deadline_error(const Context& context) {
  std::ostringstream message;
  message << "the command did not finish within --timeout "
          << context.global.timeout_seconds.value_or(0) << " s";
  if (context.wait_allowance.count() > 0) {
    message << " + the long poll's wait of " << context.wait_allowance.count() << " s";
  }
  auto e = sqs::Error::make(sqs::ErrorKind::timeout, "RequestTimeout", message.str());
  e.retryable = false;
  return e;
}

bool deadline_passed(const Context& context) {
  return context.deadline && Context::Clock::now() >= *context.deadline + kDeadlineGrace;
}

int exit_status_for(const sqs::Error& error) {
  switch (error.kind) {
    case sqs::ErrorKind::validation:
    case sqs::ErrorKind::configuration:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

int report(const sqs::Error& error) {
  return report({}, error);
}

int report(std::string_view doing, const sqs::Error& error) {
  std::cout.flush();  // keep what was printed before the error in front of it
  std::cerr << "error: ";
  if (!doing.empty()) std::cerr << doing << ": ";
  std::cerr << error.to_string() << '\n';
  if (error.maybe_processed) {
    std::cerr << "note: the request went out without a usable answer: it may have been carried "
                 "out anyway\n";
  }
  if (error.kind == sqs::ErrorKind::configuration) {
    std::cerr << "hint: give --region (or set AWS_REGION), --endpoint (or AWS_ENDPOINT_URL) and "
                 "credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or --profile); see "
                 "'sqsctl --help'\n";
  }
  return exit_status_for(error);
}

void note_reading_stdin(std::string_view what) {
  if (::isatty(STDIN_FILENO) == 1) {
    std::cerr << "reading " << what << " from stdin (end with Ctrl-D)\n";
  }
}

int usage_error(std::string_view message) {
  std::cout.flush();
  std::cerr << "error: " << message << '\n';
  return kExitUsage;
}

}  // namespace sqsctl

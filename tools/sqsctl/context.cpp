#include "context.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

namespace sqsctl {

sqs::Result<sqs::Client> make_client(const GlobalOptions& options) {
  sqs::ClientConfig config;
  config.endpoint = options.endpoint;
  config.region = options.region;
  if (options.profile) config.profile = *options.profile;
  if (options.timeout_seconds) {
    auto timeout = std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(std::ceil(*options.timeout_seconds * 1000.0)));
    config.request_timeout = timeout;
    // A shorter overall deadline should not wait longer than it just to connect.
    config.connect_timeout = std::min(timeout, config.connect_timeout);
  }
  return sqs::Client::make(std::move(config));
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

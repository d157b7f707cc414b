// whoami: which credentials the chain (and --profile) finds, without a call to SQS: the
// provider, the access key id's last 4 characters and the expiration. Never a secret.
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "json_io.hpp"
#include "sqs/credentials.hpp"

namespace sqsctl {
namespace {

std::string iso8601(std::chrono::system_clock::time_point t) {
  const std::time_t epoch = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&epoch, &parts);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buf;
}

int run_whoami(const Context& context) {
  sqs::CredentialsOptions options;
  if (context.global.profile) options.profile = *context.global.profile;
  if (context.global.region) options.region = *context.global.region;
  auto provider = sqs::make_default_credentials_provider(std::move(options));
  auto credentials = provider->credentials();
  if (!credentials) {
    // Not report(): its hint is about --region and --endpoint, which whoami does not use.
    std::cout.flush();
    std::cerr << "error: whoami: " << credentials.error().to_string() << '\n'
              << "hint: where the chain looks and how to configure each source: 'sqsctl whoami "
                 "--help' and docs/CREDENTIALS.md\n";
    return exit_status_for(credentials.error());
  }
  const std::string& id = credentials->access_key_id;
  boost::json::object out;
  out["Provider"] = credentials->provider;
  out["AccessKeyId"] = "..." + (id.size() > 4 ? id.substr(id.size() - 4) : id);
  out["SessionToken"] = !credentials->session_token.empty();
  if (credentials->expiration) {
    out["Expiration"] = iso8601(*credentials->expiration);
  } else {
    out["Expiration"] = nullptr;
  }
  print_json_line(out);
  return kExitOk;
}

}  // namespace

void add_whoami_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "whoami", "Show which credentials are found (provider, key id's last 4 characters)");
  command->footer(
      "Resolves credentials through the default chain (environment, web identity, --profile / "
      "AWS_PROFILE, container, instance metadata) and prints one JSON object:\n"
      "  {\"Provider\":\"container\",\"AccessKeyId\":\"...WXYZ\",\"SessionToken\":true,"
      "\"Expiration\":\"2025-01-01T06:00:00Z\"}\n"
      "Never prints a secret or a token. Nothing is sent to SQS (getting the credentials may "
      "call STS, SSO or a metadata endpoint, as any command would). Exit status 2 when no "
      "credentials are found or their configuration is wrong, 1 when their source failed.\n\n"
      "Examples:\n"
      "  sqsctl whoami\n"
      "  sqsctl --profile dev whoami");
  command->callback([&context] { context.action = [&context] { return run_whoami(context); }; });
}

}  // namespace sqsctl

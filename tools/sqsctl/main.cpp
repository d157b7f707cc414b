// sqsctl: Amazon SQS from the command line, built only on the public aws-cpp-sqs API.
// Each command group lives in its own cmd_*.cpp and adds its subcommands here.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "context.hpp"
#include "help_text.hpp"

namespace {

void add_global_options(CLI::App& app, sqsctl::GlobalOptions& global) {
  app.add_option("--endpoint", global.endpoint,
                 "SQS endpoint URL, e.g. http://localhost:4566 (default: AWS_ENDPOINT_URL_SQS, "
                 "AWS_ENDPOINT_URL, the profile's endpoint_url, else "
                 "https://sqs.REGION.amazonaws.com)")
      ->type_name("URL");
  app.add_option("--region", global.region,
                 "AWS region, e.g. eu-west-1 (default: AWS_REGION, AWS_DEFAULT_REGION, the "
                 "profile's region)")
      ->type_name("R");
  app.add_option("--profile", global.profile,
                 "Profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else "
                 "default)")
      ->type_name("P");
  app.add_option("--timeout", global.timeout_seconds,
                 "Deadline of the whole command in seconds (more than 0, at most 86400): every "
                 "call, retry and page; receive adds its long poll's wait (--wait-seconds, 20 "
                 "when not given) on top. Connecting is bounded by min(SECONDS, 3). Default: "
                 "no overall deadline, 10 s per attempt")
      ->type_name("SECONDS")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string { return sqsctl::check_timeout_seconds(text); },
          ""));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{sqsctl::kDescription, "sqsctl"};
  sqsctl::Context context;
  app.set_version_flag("--version", sqsctl::kVersionLine);
  add_global_options(app, context.global);
  sqsctl::add_queue_commands(app, context);
  sqsctl::add_message_commands(app, context);
  sqsctl::add_send_batch_command(app, context);
  sqsctl::add_consume_command(app, context);
  sqsctl::add_produce_command(app, context);
  sqsctl::add_bench_command(app, context);
  sqsctl::add_whoami_command(app, context);
  sqsctl::group_commands(app);
  app.require_subcommand(1);
  app.footer(sqsctl::kTopLevelFooter);
  app.get_formatter()->column_width(36);
  app.get_formatter()->label("SUBCOMMAND", "COMMAND");

  if (argc <= 1) {  // a user trying it out: show how to use it
    std::cerr << app.help();
    return sqsctl::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; anything else is bad usage.
    return app.exit(e) == 0 ? sqsctl::kExitOk : sqsctl::kExitUsage;
  }
  if (context.global.timeout_seconds) {
    context.deadline =
        sqsctl::Context::Clock::now() + sqsctl::timeout_of(*context.global.timeout_seconds);
  }
  try {
    return context.action ? context.action() : sqsctl::kExitUsage;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << '\n';
    return sqsctl::kExitFailed;
  }
}

// Command groups: each adds its subcommands to the app. A subcommand's parse callback stores
// its run function in Context::action; main() runs it after the whole line has parsed.
#pragma once

#include <CLI/App.hpp>
#include <boost/asio/use_future.hpp>
#include <string>
#include <vector>

#include "context.hpp"

namespace sqsctl {

// create-queue, delete-queue, get-queue-url, list-queues, purge, get-attributes,
// set-attributes
void add_queue_commands(CLI::App& app, Context& context);
// send, receive, delete, change-visibility
void add_message_commands(CLI::App& app, Context& context);
// send-batch
void add_send_batch_command(CLI::App& app, Context& context);
// bench: the multi-region load tool
void add_bench_command(CLI::App& app, Context& context);
// consume: sqs::Consumer over one queue or several regions
void add_consume_command(CLI::App& app, Context& context);
// produce: stdin lines sent through sqs::Producer.
void add_produce_command(CLI::App& app, Context& context);
// whoami: which credentials the chain finds (never a secret)
void add_whoami_command(CLI::App& app, Context& context);

// A QUEUE positional argument (URL or name), required.
CLI::Option* add_queue_argument(CLI::App& command, std::string& queue);

// An option that may be given several times, one value each time (so that it never swallows
// the positional arguments that follow it).
CLI::Option* add_repeatable_option(CLI::App& command, const std::string& name,
                                   std::vector<std::string>& values,
                                   const std::string& description);

// Opens the queue QUEUE names (GetQueueUrl for a name) with a client from the global options
// and runs `body` on it; reports a failure to get there. (The client, destroyed on return,
// cancels any call that the command's deadline left running.)
template <class Body>
int with_queue(const Context& context, const std::string& queue, Body&& body) {
  auto client = make_client(context.global);
  if (!client) return report(client.error());
  auto opened = await(context, sqs::Queue::async_open(*client, queue, boost::asio::use_future));
  if (!opened) return report(opened.error());
  return body(*opened);
}

}  // namespace sqsctl

// Queue management commands: create-queue, delete-queue, get-queue-url, list-queues, purge,
// get-attributes, set-attributes.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "json_io.hpp"

namespace sqsctl {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---- create-queue ----
struct CreateQueueOptions {
  std::string name;
  std::vector<std::string> attributes;
};

int run_create_queue(const Context& context, const CreateQueueOptions& options) {
  auto attributes = parse_key_values(options.attributes);
  if (!attributes) return report(attributes.error());
  sqs::CreateQueueRequest request;
  request.queue_name = options.name;
  request.attributes = std::move(*attributes);
  // SQS requires both the suffix and the attribute for a FIFO queue; the suffix says it all.
  if (ends_with(options.name, ".fifo")) request.attributes.try_emplace("FifoQueue", "true");

  auto client = make_client(context.global);
  if (!client) return report(client.error());
  auto created =
      await(context, client->async_create_queue(std::move(request), boost::asio::use_future));
  if (!created) return report(created.error());
  std::cout << created->queue_url << '\n';
  return kExitOk;
}

void add_create_queue(CLI::App& app, Context& context) {
  auto options = std::make_shared<CreateQueueOptions>();
  auto* command = app.add_subcommand("create-queue", "Create a queue and print its URL");
  command
      ->add_option("NAME", options->name,
                   "Queue name: up to 80 characters of A-Z a-z 0-9 _ -; a name ending in "
                   ".fifo makes a FIFO queue (FifoQueue=true is added)")
      ->required();
  add_repeatable_option(*command, "--attribute", options->attributes,
                        "A queue attribute KEY=VALUE, e.g. VisibilityTimeout=60, "
                        "MessageRetentionPeriod=86400, ContentBasedDeduplication=true "
                        "(repeatable)")
      ->type_name("KEY=VALUE");
  command->footer(
      "Prints the queue URL. Creating a queue that exists with the same attributes succeeds.\n\n"
      "Examples:\n"
      "  sqsctl create-queue orders --attribute VisibilityTimeout=60\n"
      "  sqsctl create-queue orders.fifo --attribute ContentBasedDeduplication=true");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_create_queue(context, *options); };
  });
}

// ---- delete-queue, purge ----
struct QueueOnlyOptions {
  std::string queue;
};

void add_delete_queue(CLI::App& app, Context& context) {
  auto options = std::make_shared<QueueOnlyOptions>();
  auto* command = app.add_subcommand("delete-queue", "Delete a queue and every message in it");
  add_queue_argument(*command, options->queue);
  command->footer("Prints nothing on success.\n\nExample:\n  sqsctl delete-queue orders");
  command->callback([&context, options] {
    context.action = [&context, options] {
      return with_queue(context, options->queue, [&](const sqs::Queue& queue) {
        auto deleted = await(context, queue.async_delete_queue(boost::asio::use_future));
        return deleted ? kExitOk : report(deleted.error());
      });
    };
  });
}

void add_purge(CLI::App& app, Context& context) {
  auto options = std::make_shared<QueueOnlyOptions>();
  auto* command = app.add_subcommand("purge", "Delete every message of a queue (PurgeQueue)");
  add_queue_argument(*command, options->queue);
  command->footer(
      "Prints nothing on success. SQS allows one purge per queue every 60 seconds.\n\n"
      "Example:\n  sqsctl purge orders");
  command->callback([&context, options] {
    context.action = [&context, options] {
      return with_queue(context, options->queue, [&](const sqs::Queue& queue) {
        auto purged = await(context, queue.async_purge(boost::asio::use_future));
        return purged ? kExitOk : report(purged.error());
      });
    };
  });
}

// ---- get-queue-url ----
struct GetQueueUrlOptions {
  std::string name;
};

void add_get_queue_url(CLI::App& app, Context& context) {
  auto options = std::make_shared<GetQueueUrlOptions>();
  auto* command = app.add_subcommand("get-queue-url", "Print the URL of the queue with a name");
  command->add_option("NAME", options->name, "Queue name")->required();
  command->footer("Example:\n  sqsctl get-queue-url orders");
  command->callback([&context, options] {
    context.action = [&context, options] {
      auto client = make_client(context.global);
      if (!client) return report(client.error());
      sqs::GetQueueUrlRequest request;
      request.queue_name = options->name;
      auto found =
          await(context, client->async_get_queue_url(std::move(request), boost::asio::use_future));
      if (!found) return report(found.error());
      std::cout << found->queue_url << '\n';
      return kExitOk;
    };
  });
}

// ---- list-queues ----
struct ListQueuesOptions {
  std::optional<std::string> prefix;
};

// Every queue URL, following NextToken through all pages (as Client::list_all_queues), all
// pages within the command's deadline.
sqs::Result<std::vector<std::string>> list_all_queues(const Context& context,
                                                      const sqs::Client& client,
                                                      std::optional<std::string> prefix) {
  std::vector<std::string> all;
  sqs::ListQueuesRequest request;
  request.queue_name_prefix = std::move(prefix);
  request.max_results = 1000;
  for (;;) {
    auto page = await(context, client.async_list_queues(request, boost::asio::use_future));
    if (!page) return std::move(page).error();
    for (auto& url : page->queue_urls) all.push_back(std::move(url));
    if (!page->next_token || page->next_token->empty()) break;
    // A server that hands back the token it was given would keep us here forever.
    if (page->next_token == request.next_token) {
      return sqs::Error::make(sqs::ErrorKind::protocol, "RepeatedNextToken",
                              "ListQueues answered with the NextToken it was given");
    }
    request.next_token = std::move(page->next_token);
  }
  return all;
}

void add_list_queues(CLI::App& app, Context& context) {
  auto options = std::make_shared<ListQueuesOptions>();
  auto* command = app.add_subcommand("list-queues", "Print the URL of every queue, one a line");
  command->add_option("--prefix", options->prefix, "Only the queues whose name starts with P")
      ->type_name("P");
  command->footer(
      "Follows every page of ListQueues; prints nothing when there is no queue.\n\n"
      "Example:\n  sqsctl list-queues --prefix orders");
  command->callback([&context, options] {
    context.action = [&context, options] {
      auto client = make_client(context.global);
      if (!client) return report(client.error());
      auto urls = list_all_queues(context, *client, options->prefix);
      if (!urls) return report(urls.error());
      for (const auto& url : *urls) std::cout << url << '\n';
      return kExitOk;
    };
  });
}

// ---- get-attributes, set-attributes ----
struct GetAttributesOptions {
  std::string queue;
  std::vector<std::string> names;
};

void add_get_attributes(CLI::App& app, Context& context) {
  auto options = std::make_shared<GetAttributesOptions>();
  auto* command =
      app.add_subcommand("get-attributes", "Print the attributes of a queue as one JSON object");
  add_queue_argument(*command, options->queue);
  command->add_option("NAME", options->names,
                      "Attributes to get, e.g. ApproximateNumberOfMessages VisibilityTimeout "
                      "QueueArn; all of them when none is given");
  command->footer(
      "Prints e.g. {\"ApproximateNumberOfMessages\":\"3\",\"VisibilityTimeout\":\"30\"} (values "
      "are strings, as SQS gives them).\n\n"
      "Examples:\n"
      "  sqsctl get-attributes orders\n"
      "  sqsctl get-attributes orders ApproximateNumberOfMessages QueueArn");
  command->callback([&context, options] {
    context.action = [&context, options] {
      return with_queue(context, options->queue, [&](const sqs::Queue& queue) {
        auto attributes =
            await(context, queue.async_attributes(options->names, boost::asio::use_future));
        if (!attributes) return report(attributes.error());
        print_json_line(string_map_to_json(*attributes));
        return kExitOk;
      });
    };
  });
}

struct SetAttributesOptions {
  std::string queue;
  std::vector<std::string> attributes;
};

void add_set_attributes(CLI::App& app, Context& context) {
  auto options = std::make_shared<SetAttributesOptions>();
  auto* command = app.add_subcommand("set-attributes", "Set attributes of a queue");
  add_queue_argument(*command, options->queue);
  command
      ->add_option("KEY=VALUE", options->attributes,
                   "Attributes to set, e.g. VisibilityTimeout=60 DelaySeconds=5")
      ->required();
  command->footer(
      "Prints nothing on success.\n\n"
      "Example:\n  sqsctl set-attributes orders VisibilityTimeout=60 "
      "MessageRetentionPeriod=86400");
  command->callback([&context, options] {
    context.action = [&context, options] {
      auto attributes = parse_key_values(options->attributes);
      if (!attributes) return report(attributes.error());
      return with_queue(context, options->queue, [&](const sqs::Queue& queue) {
        auto set = await(
            context, queue.async_set_attributes(std::move(*attributes), boost::asio::use_future));
        return set ? kExitOk : report(set.error());
      });
    };
  });
}

}  // namespace

void add_queue_commands(CLI::App& app, Context& context) {
  add_create_queue(app, context);
  add_delete_queue(app, context);
  add_get_queue_url(app, context);
  add_list_queues(app, context);
  add_purge(app, context);
  add_get_attributes(app, context);
  add_set_attributes(app, context);
}

}  // namespace sqsctl

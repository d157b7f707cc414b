// Message commands: send, receive, delete, change-visibility.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "json_io.hpp"

namespace sqsctl {
namespace {

constexpr std::size_t kMaxBatchEntries = 10;

// Deletes `handles` with DeleteMessageBatch, ten at a time, within the command's deadline.
// Every batch is validated before the first is sent, so bad input deletes nothing. Reports each
// failed entry.
int delete_in_batches(const Context& context, const sqs::Queue& queue,
                      const std::vector<std::string>& handles) {
  std::vector<std::vector<std::string>> batches;
  for (std::size_t i = 0; i < handles.size(); i += kMaxBatchEntries) {
    auto end = std::min(handles.size(), i + kMaxBatchEntries);
    batches.emplace_back(handles.begin() + static_cast<std::ptrdiff_t>(i),
                         handles.begin() + static_cast<std::ptrdiff_t>(end));
    auto checked = queue.make_delete_batch(batches.back());
    if (!checked) return report("delete", checked.error());
  }
  int status = kExitOk;
  for (const auto& batch : batches) {
    auto outcome = await(context, queue.async_delete_batch(batch, boost::asio::use_future));
    if (!outcome) return report("delete", outcome.error());
    for (const auto& failure : outcome->failed) {
      std::cout.flush();
      std::cerr << "error: delete " << batch.at(failure.index) << ": " << failure.code << ": "
                << failure.message << '\n';
      status = kExitFailed;
    }
  }
  return status;
}

// ---- send ----
struct SendCommandOptions {
  std::string queue;
  std::optional<std::string> body;
  std::optional<std::string> body_file;
  std::vector<std::string> attributes;
  std::optional<int> delay_seconds;
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
};

// The whole of a file (or of stdin for "-"), byte for byte.
std::optional<std::string> read_all(const std::string& path) {
  if (path == "-") {
    note_reading_stdin("the message body");
    std::ostringstream all;
    all << std::cin.rdbuf();
    if (std::cin.bad()) return std::nullopt;
    return std::move(all).str();
  }
  // A directory opens as a file and fails only when read (with an exception of the standard
  // library's wording): say what it is, as the shell would.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    errno = EISDIR;
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  try {
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return content;
  } catch (const std::exception&) {
    errno = EIO;
    return std::nullopt;
  }
}

int run_send(const Context& context, const SendCommandOptions& options) {
  std::string body;
  if (options.body) {
    body = *options.body;
  } else {
    auto path = options.body_file.value_or("-");
    auto content = read_all(path);
    if (!content) {
      return usage_error("cannot read the body from " + (path == "-" ? "stdin" : path) + ": " +
                         std::strerror(errno));
    }
    body = std::move(*content);
  }
  auto attributes = parse_message_attributes(options.attributes);
  if (!attributes) return report(attributes.error());

  sqs::SendOptions send;
  send.delay_seconds = options.delay_seconds;
  send.attributes = std::move(*attributes);
  send.group_id = options.group_id;
  send.deduplication_id = options.deduplication_id;

  return with_queue(context, options.queue, [&](const sqs::Queue& queue) {
    auto sent = await(context, queue.async_send(std::move(body), send, boost::asio::use_future));
    if (!sent) return report(sent.error());
    boost::json::object out;
    out["MessageId"] = sent->message_id;
    out["MD5OfMessageBody"] = sent->md5_of_message_body;
    if (sent->sequence_number) out["SequenceNumber"] = *sent->sequence_number;
    print_json_line(out);
    return kExitOk;
  });
}

void add_send(CLI::App& app, Context& context) {
  auto options = std::make_shared<SendCommandOptions>();
  auto* command = app.add_subcommand("send", "Send one message");
  add_queue_argument(*command, options->queue);
  auto* body = command->add_option("--body", options->body, "The message body")->type_name("TEXT");
  command
      ->add_option("--body-file", options->body_file,
                   "Read the body from this file (byte for byte; - is stdin)")
      ->type_name("PATH")
      ->excludes(body);
  add_repeatable_option(*command, "--attribute", options->attributes,
                        "A message attribute NAME=TYPE:VALUE; TYPE is String, Number or Binary "
                        "(VALUE in base64), optionally with a custom suffix such as Number.int "
                        "(repeatable, at most 10)")
      ->type_name("NAME=TYPE:VALUE");
  command
      ->add_option("--delay-seconds", options->delay_seconds,
                   "Deliver the message after N seconds (0-900; not on FIFO queues)")
      ->type_name("N")
      ->check(CLI::Range(0, 900));
  command
      ->add_option("--group-id", options->group_id,
                   "Message group (required on FIFO queues; on standard queues, the tenant "
                   "of a fair queue)")
      ->type_name("G");
  command
      ->add_option("--deduplication-id", options->deduplication_id,
                   "FIFO deduplication id (up to 128 characters; not needed when the queue "
                   "has ContentBasedDeduplication)")
      ->type_name("D");
  command->footer(
      "The body is --body, else the file --body-file, else all of stdin (byte for byte: a "
      "trailing newline stays in the body).\n"
      "Prints {\"MessageId\":...,\"MD5OfMessageBody\":...} (and \"SequenceNumber\" on a FIFO "
      "queue) on one line.\n\n"
      "Examples:\n"
      "  sqsctl send orders --body 'hello' --attribute priority=Number:5\n"
      "  sqsctl send orders --body-file order.json --attribute blob=Binary:aGVsbG8=\n"
      "  sqsctl send orders.fifo --body 'step 1' --group-id customer-42 --deduplication-id s1\n"
      "  printf 'from stdin' | sqsctl send orders");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_send(context, *options); };
  });
}

// ---- receive ----
struct ReceiveCommandOptions {
  std::string queue;
  std::optional<int> max;
  std::optional<int> wait_seconds;
  std::optional<int> visibility_timeout;
  std::vector<std::string> attribute_names;
  std::vector<std::string> message_attribute_names;
  std::optional<int> count;
  bool delete_after = false;
};

int run_receive(const Context& command, const ReceiveCommandOptions& options) {
  // The long poll's wait comes on top of --timeout (once for the command, --count or not): as
  // the client counts it, 20 s when not given (the queue's default may be up to that). An
  // out-of-range wait is refused before anything is sent.
  const Context context =
      command.with_wait(std::chrono::seconds(std::clamp(options.wait_seconds.value_or(20), 0, 20)));
  return with_queue(context, options.queue, [&](const sqs::Queue& queue) {
    sqs::ReceiveOptions receive;
    receive.max_messages = options.max;
    receive.wait_time_seconds = options.wait_seconds;
    receive.visibility_timeout = options.visibility_timeout;
    receive.attribute_names = options.attribute_names;
    receive.message_attribute_names = options.message_attribute_names;

    // Without --count: one ReceiveMessage. With it: until `count` messages or an empty answer.
    const std::size_t wanted = options.count ? static_cast<std::size_t>(*options.count) : 0;
    std::size_t received = 0;
    int status = kExitOk;
    do {
      if (options.count) {
        auto left = static_cast<int>(std::min<std::size_t>(wanted - received, kMaxBatchEntries));
        receive.max_messages = std::min(options.max.value_or(left), left);
      }
      auto messages = await(context, queue.async_receive(receive, boost::asio::use_future));
      if (!messages) return report(messages.error());
      if (messages->empty()) break;
      std::vector<std::string> handles;
      for (const auto& message : *messages) {
        print_json_line(message_to_json(message));
        handles.push_back(message.receipt_handle);
      }
      std::cout.flush();  // a consumer of the stream sees each batch as it arrives
      received += messages->size();
      if (options.delete_after) {
        int deleted = delete_in_batches(context, queue, handles);
        if (deleted != kExitOk) {
          status = deleted;
          break;  // what is printed and not deleted will come back: stop taking more
        }
      }
    } while (options.count && received < wanted);
    return status;
  });
}

void add_receive(CLI::App& app, Context& context) {
  auto options = std::make_shared<ReceiveCommandOptions>();
  auto* command = app.add_subcommand("receive", "Receive messages, one JSON line each");
  add_queue_argument(*command, options->queue);
  command
      ->add_option("--max", options->max,
                   "At most N messages per ReceiveMessage call (1-10; SQS default 1, or up "
                   "to 10 with --count)")
      ->type_name("N");
  command
      ->add_option("--wait-seconds", options->wait_seconds,
                   "Long poll: wait up to S seconds for a message (0-20; with the global "
                   "--timeout, the command may take up to --timeout + S)")
      ->type_name("S")
      ->check(CLI::Range(0, 20));
  command
      ->add_option("--visibility-timeout", options->visibility_timeout,
                   "Hide the received messages from other consumers for S seconds (0-43200)")
      ->type_name("S")
      ->check(CLI::Range(0, 43200));
  add_repeatable_option(*command, "--attribute-names", options->attribute_names,
                        "System attributes to return: All, or names such as SentTimestamp, "
                        "ApproximateReceiveCount, MessageGroupId, SequenceNumber")
      ->delimiter(',')
      ->type_name("All|NAME,...");
  add_repeatable_option(*command, "--message-attribute-names", options->message_attribute_names,
                        "Message attributes to return: All, or names, or prefixes such as "
                        "order.*")
      ->delimiter(',')
      ->type_name("All|NAME,...");
  command
      ->add_option("--count", options->count,
                   "Keep receiving until N messages were printed or a receive returns none")
      ->type_name("N")
      ->check(CLI::Range(1, INT_MAX));
  command->add_flag("--delete", options->delete_after,
                    "Delete the printed messages (DeleteMessageBatch after each receive)");
  command->footer(
      "Prints one line per message:\n"
      "  {\"MessageId\":...,\"ReceiptHandle\":...,\"Body\":...,\"MD5OfBody\":...,"
      "\"Attributes\":{\"SentTimestamp\":\"...\"},\n"
      "   \"MessageAttributes\":{\"NAME\":{\"DataType\":\"String\",\"StringValue\":\"...\"},"
      "\"BLOB\":{\"DataType\":\"Binary\",\"BinaryValue\":\"<base64>\"}}}\n"
      "Prints nothing when the queue has no message. Without --wait-seconds a receive may come "
      "back empty while messages remain (short polling samples a few servers); use "
      "--wait-seconds with --count.\n"
      "With the global --timeout T, the whole command (every receive and delete, --count or not) "
      "ends within T + the wait (--wait-seconds, 20 when not given).\n\n"
      "Examples:\n"
      "  sqsctl receive orders --max 10 --wait-seconds 20 --message-attribute-names All\n"
      "  sqsctl receive orders --count 100 --wait-seconds 2 --delete > drained.jsonl");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_receive(context, *options); };
  });
}

// ---- delete ----
struct DeleteCommandOptions {
  std::string queue;
  std::vector<std::string> receipt_handles;
};

void add_delete(CLI::App& app, Context& context) {
  auto options = std::make_shared<DeleteCommandOptions>();
  auto* command = app.add_subcommand("delete", "Delete received messages by receipt handle");
  add_queue_argument(*command, options->queue);
  command
      ->add_option("RECEIPT_HANDLE", options->receipt_handles,
                   "Receipt handles from receive (DeleteMessageBatch, ten at a time, when "
                   "there are several)")
      ->required();
  command->footer(
      "Prints nothing on success; a handle that failed is reported on stderr (exit 1).\n\n"
      "Example:\n  sqsctl delete orders AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...");
  command->callback([&context, options] {
    context.action = [&context, options] {
      return with_queue(context, options->queue, [&](const sqs::Queue& queue) {
        if (options->receipt_handles.size() == 1) {
          auto deleted = await(context, queue.async_delete_message(options->receipt_handles.front(),
                                                                   boost::asio::use_future));
          return deleted ? kExitOk : report(deleted.error());
        }
        return delete_in_batches(context, queue, options->receipt_handles);
      });
    };
  });
}

// ---- change-visibility ----
struct ChangeVisibilityOptions {
  std::string queue;
  std::string receipt_handle;
  int seconds = 0;
};

void add_change_visibility(CLI::App& app, Context& context) {
  auto options = std::make_shared<ChangeVisibilityOptions>();
  auto* command = app.add_subcommand(
      "change-visibility", "Change how long a received message stays hidden from consumers");
  add_queue_argument(*command, options->queue);
  command->add_option("RECEIPT_HANDLE", options->receipt_handle, "Receipt handle from receive")
      ->required();
  command
      ->add_option("SECONDS", options->seconds,
                   "New visibility timeout, counted from now (0-43200; 0 makes the message "
                   "visible again at once)")
      ->required()
      ->check(CLI::Range(0, 43200));
  command->footer(
      "Prints nothing on success.\n\n"
      "Example:\n  sqsctl change-visibility orders AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a... 300");
  command->callback([&context, options] {
    context.action = [&context, options] {
      return with_queue(context, options->queue, [&](const sqs::Queue& queue) {
        auto changed =
            await(context, queue.async_change_visibility(options->receipt_handle, options->seconds,
                                                         boost::asio::use_future));
        return changed ? kExitOk : report(changed.error());
      });
    };
  });
}

}  // namespace

void add_message_commands(CLI::App& app, Context& context) {
  add_send(app, context);
  add_receive(app, context);
  add_delete(app, context);
  add_change_visibility(app, context);
}

}  // namespace sqsctl

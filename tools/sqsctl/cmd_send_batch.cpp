// send-batch: JSON lines from stdin, sent with SendMessageBatch in batches of at most ten that
// respect the payload limit; one result line per message, in input order.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "batch_input.hpp"
#include "commands.hpp"
#include "json_io.hpp"

namespace sqsctl {
namespace {

namespace json = boost::json;

struct SendBatchOptions {
  std::string queue;
  int concurrency = 4;
};

int reject_lines(const std::vector<LineError>& errors) {
  std::cout.flush();
  for (const auto& error : errors) {
    std::cerr << "error: line " << error.line << ": " << error.message << '\n';
  }
  std::cerr << "error: " << errors.size()
            << (errors.size() == 1 ? " invalid line" : " invalid lines") << ": nothing was sent\n";
  return kExitUsage;
}

// Checks every message and every planned batch against the queue's rules before anything is
// sent. Returns the batches (input indices), or the lines that are wrong.
std::vector<std::vector<std::size_t>> plan_and_validate(const sqs::Queue& queue,
                                                        const BatchInput& input,
                                                        std::vector<LineError>& errors) {
  for (std::size_t i = 0; i < input.messages.size(); ++i) {
    const auto& message = input.messages[i];
    auto request = queue.make_send(message.body, message.options);
    if (!request) errors.push_back({input.lines[i], request.error().to_string()});
  }
  auto batches = sqs::plan_batches(input.messages, queue.client().config().max_message_bytes);
  if (!errors.empty()) return batches;  // a batch of a wrong message is wrong too: say it once
  for (const auto& batch : batches) {
    std::vector<sqs::OutgoingMessage> entries;
    for (auto i : batch) entries.push_back(input.messages[i]);
    auto request = queue.make_send_batch(entries);
    if (!request) {
      // A rule about the batch as a whole: name the first line of it.
      errors.push_back({input.lines[batch.front()],
                        "in the batch of lines " + std::to_string(input.lines[batch.front()]) +
                            "-" + std::to_string(input.lines[batch.back()]) + ": " +
                            request.error().to_string()});
    }
  }
  return batches;
}

// Sends the batches with at most `concurrency` in flight, printing each message's result as soon
// as every message before it has one. Returns how many messages were not sent (and, in
// `maybe_sent_count`, how many of those may have been sent anyway). When the
// command's deadline passes, no more batches are sent and `cancel_calls` cancels those in flight
// (it returns once their handlers have run); their messages and the unsent ones get a
// RequestTimeout error line.
std::size_t send_batches(const Context& context, const sqs::Queue& queue, const BatchInput& input,
                         const std::vector<std::vector<std::size_t>>& batches,
                         std::size_t concurrency, std::vector<sqs::Error>& call_errors,
                         const std::function<void()>& cancel_calls, std::size_t& maybe_sent_count) {
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t in_flight = 0;
  std::size_t failed = 0;
  bool out_of_time = false;  // the deadline passed: cancelled calls failed because of it
  std::vector<std::optional<json::object>> results(input.messages.size());
  std::size_t next_to_print = 0;

  // Prints the results that are now in order; stdout is written outside the lock so that a
  // slow reader never stalls the client's thread.
  auto print_ready = [&](std::unique_lock<std::mutex>& lock) {
    std::vector<json::object> ready;
    while (next_to_print < results.size() && results[next_to_print]) {
      ready.push_back(std::move(*results[next_to_print]));
      ++next_to_print;
    }
    lock.unlock();
    for (const auto& line : ready) print_json_line(line);
    if (!ready.empty()) std::cout.flush();
    lock.lock();
  };
  // (Under the lock.)
  auto record_error = [&](std::size_t global, const std::string& code, const std::string& message,
                          bool sender_fault, bool maybe_sent = false) {
    json::object line;
    line["Index"] = global;
    line["Error"] = error_to_json(code, message, sender_fault, maybe_sent);
    results[global] = std::move(line);
    ++failed;
    if (maybe_sent) ++maybe_sent_count;
  };
  // Waits until `ready` holds or the command's deadline passes (false then). (Under the lock.)
  auto wait = [&](std::unique_lock<std::mutex>& lock, auto ready) {
    if (!context.deadline) {
      changed.wait(lock, ready);
      return true;
    }
    return changed.wait_until(lock, *context.deadline + kDeadlineGrace, ready);
  };

  std::size_t b = 0;
  for (; b < batches.size(); ++b) {
    {
      std::unique_lock lock(mutex);
      if (!wait(lock, [&] { return in_flight < concurrency; }) || deadline_passed(context)) break;
      ++in_flight;
      print_ready(lock);
    }
    std::vector<sqs::OutgoingMessage> entries;
    for (auto i : batches[b]) entries.push_back(input.messages[i]);
    // The handler may run on the client's thread or, for an early failure, right here.
    queue.start_send_batch(entries, [&, b](sqs::Result<sqs::BatchSendResult> sent) {
      std::lock_guard lock(mutex);
      const auto& batch = batches[b];
      if (!sent) {
        auto error = sent.error();
        if (out_of_time && error.kind == sqs::ErrorKind::cancelled) {
          error = deadline_error(context);  // reported once, below
        } else {
          call_errors.push_back(error);
        }
        for (auto global : batch) {
          record_error(global, error.code, error.message, error.sender_fault,
                       error.maybe_processed);
        }
      } else {
        for (const auto& success : sent->successful) {
          auto global = batch.at(success.index);
          json::object line;
          line["Index"] = global;
          line["MessageId"] = success.message_id;
          if (success.sequence_number) line["SequenceNumber"] = *success.sequence_number;
          results[global] = std::move(line);
        }
        for (const auto& failure : sent->failed) {
          record_error(batch.at(failure.index), failure.code, failure.message, failure.sender_fault,
                       failure.maybe_processed);
        }
        for (auto global : batch) {  // an entry the answer did not mention was not sent
          if (!results[global]) {
            record_error(global, "MissingResult", "the answer did not mention this entry", false);
          }
        }
      }
      --in_flight;
      changed.notify_all();
    });
  }
  bool expired = b < batches.size();
  if (!expired) {
    std::unique_lock lock(mutex);
    expired = !wait(lock, [&] { return in_flight == 0; });
  }
  if (expired) {
    {
      std::lock_guard lock(mutex);
      out_of_time = true;
    }
    cancel_calls();  // without the lock: the handlers it runs take it
  }
  std::unique_lock lock(mutex);
  changed.wait(lock, [&] { return in_flight == 0; });  // at once after cancel_calls
  if (expired) {
    auto error = deadline_error(context);
    for (; b < batches.size(); ++b) {
      for (auto global : batches[b]) {
        record_error(global, error.code, "not sent: " + error.message, error.sender_fault);
      }
    }
    call_errors.push_back(std::move(error));
  }
  print_ready(lock);
  return failed;
}

int run_send_batch(const Context& context, const SendBatchOptions& options) {
  note_reading_stdin("JSON lines");
  BatchInput input = read_batch_input(std::cin);
  if (std::cin.bad()) return usage_error("cannot read stdin");

  // Lines that do not parse are reported with those that break a rule of the queue (which
  // takes the queue to know), so that one run shows every wrong line. When the queue cannot be
  // reached, the lines already known to be wrong are the answer.
  auto client = make_client(context.global);
  if (!client) return input.errors.empty() ? report(client.error()) : reject_lines(input.errors);
  auto opened =
      await(context, sqs::Queue::async_open(*client, options.queue, boost::asio::use_future));
  if (!opened) return input.errors.empty() ? report(opened.error()) : reject_lines(input.errors);
  const sqs::Queue& queue = *opened;

  auto errors = std::move(input.errors);
  auto batches = plan_and_validate(queue, input, errors);
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(),
                     [](const LineError& a, const LineError& b) { return a.line < b.line; });
    return reject_lines(errors);
  }
  // Concurrent batches could reorder a FIFO group: one at a time there.
  std::size_t concurrency = queue.is_fifo() ? 1 : static_cast<std::size_t>(options.concurrency);
  std::vector<sqs::Error> call_errors;
  // Destroying the client (its owner) cancels its calls in flight; it returns once their
  // handlers have run. The queue, a handle, is not used after that.
  auto cancel_calls = [&client] { sqs::Client owner = std::move(*client); };
  std::size_t maybe_sent = 0;
  auto failed = send_batches(context, queue, input, batches, concurrency, call_errors, cancel_calls,
                             maybe_sent);
  for (const auto& error : call_errors) report("send-batch", error);
  if (failed == 0) return kExitOk;
  std::cerr << "error: " << failed << " of " << input.messages.size() << " messages were not sent";
  if (maybe_sent > 0) {
    std::cerr << " (" << maybe_sent << " of them may have been sent anyway: MaybeSent)";
  }
  std::cerr << '\n';
  return kExitFailed;
}

}  // namespace

void add_send_batch_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<SendBatchOptions>();
  auto* command = app.add_subcommand(
      "send-batch", "Send the messages of stdin (JSON lines) with SendMessageBatch");
  add_queue_argument(*command, options->queue);
  command
      ->add_option("--concurrency", options->concurrency,
                   "Batches in flight at once on a standard queue (FIFO queues: always 1, to "
                   "keep each group's order)")
      ->type_name("N")
      ->default_val(4)
      ->check(CLI::Range(1, 64));
  command->footer(
      "Input: one JSON object per line, any number of lines:\n"
      "  {\"Body\":\"text\",                                  (required)\n"
      "   \"MessageAttributes\":{\"NAME\":{\"DataType\":\"String\",\"StringValue\":\"v\"},\n"
      "                        \"BLOB\":{\"DataType\":\"Binary\",\"BinaryValue\":\"<base64>\"}},\n"
      "   \"DelaySeconds\":0, \"GroupId\":\"g\", \"DeduplicationId\":\"d\"}    (optional)\n"
      "Blank lines are skipped; they are not messages. Messages are numbered from 0 in input "
      "order (Index).\n\n"
      "Every line is checked first (JSON, fields, types and every SQS limit): if any is wrong, "
      "each wrong line is reported on stderr with its line number (counted from 1), nothing is "
      "sent, and the exit status is 2.\n"
      "Then the messages go in batches of at most 10 that fit the SQS payload limit, and one "
      "line per message is printed, in input order:\n"
      "  {\"Index\":0,\"MessageId\":\"...\"}                 (+\"SequenceNumber\" on a FIFO "
      "queue)\n"
      "  {\"Index\":1,\"Error\":{\"Code\":\"...\",\"Message\":\"...\",\"SenderFault\":true}}\n"
      "(+\"MaybeSent\":true in an Error when its request went out without a usable answer, e.g. "
      "a timeout: that message may be in the queue anyway.)\n"
      "The exit status is 1 when any message was not sent.\n\n"
      "Example:\n"
      "  printf '%s\\n' '{\"Body\":\"a\"}' '{\"Body\":\"b\",\"DelaySeconds\":10}' | sqsctl "
      "send-batch orders");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_send_batch(context, *options); };
  });
}

}  // namespace sqsctl

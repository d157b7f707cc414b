// sqsctl produce: every line of stdin is a message body, sent through sqs::Producer (batched,
// over one queue or the same queue in several regions); one JSON result line per input line, in
// input order, as soon as every line before it has one.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "json_io.hpp"
#include "queue_specs.hpp"
#include "sqs/producer.hpp"

namespace sqsctl {
namespace {

namespace json = boost::json;

struct ProduceOptions {
  std::vector<std::string> specs;
  double linger_ms = 5;
  std::size_t max_pending = 10000;
  std::optional<std::string> group_id;
  bool fifo_failover = false;
};

// The results, printed in input order as they complete; at most `limit` lines wait for theirs.
class OrderedPrinter {
 public:
  explicit OrderedPrinter(std::size_t limit) : limit_(limit) {}
  // Blocks while `limit` lines are outstanding; returns the line's index.
  std::size_t reserve() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return next_ - printed_ < limit_; });
    results_.emplace_back();
    return next_++;
  }
  void done(std::size_t index, json::object result) {
    std::lock_guard lock(mutex_);
    results_[index - printed_] = std::move(result);
    while (!results_.empty() && results_.front()) {
      print_json_line(*results_.front());
      results_.pop_front();
      ++printed_;
    }
    std::cout.flush();
    changed_.notify_all();
  }
  void wait_all() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return printed_ == next_; });
  }

 private:
  std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::optional<json::object>> results_;  // from index printed_
  std::size_t next_ = 0, printed_ = 0;
};

int run_produce(const Context& context, const ProduceOptions& options) {
  auto opened = open_queue_specs(context, options.specs);
  if (auto* status = std::get_if<int>(&opened)) return *status;
  auto& queues = std::get<OpenedQueues>(opened).queues;
  const bool fifo = queues.front().queue.is_fifo();
  if (fifo && !options.group_id) {
    return usage_error("a FIFO queue needs --group-id (every line goes to that message group)");
  }
  sqs::Dispatcher dispatcher(std::move(queues));

  sqs::ProducerOptions o;
  o.linger = std::chrono::milliseconds(static_cast<long long>(options.linger_ms));
  o.fifo_failover = options.fifo_failover;
  std::unique_ptr<sqs::Producer> producer;
  try {
    producer = std::make_unique<sqs::Producer>(dispatcher, o);
  } catch (const sqs::Exception& e) {
    return report(e.error());
  }
  OrderedPrinter printer(options.max_pending);
  std::atomic<std::size_t> failed{0};
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    const std::size_t index = printer.reserve();
    sqs::SendOptions send;
    send.group_id = options.group_id;
    if (fifo) send.deduplication_id = std::to_string(number);
    producer->async_send(line, send, [&, index, number](sqs::Result<sqs::ProducerResult> r) {
      json::object out{{"Line", number}};
      if (r) {
        out["MessageId"] = r->message_id;
        if (r->sequence_number) out["SequenceNumber"] = *r->sequence_number;
        if (dispatcher.size() > 1) out["Queue"] = r->queue_index;
        if (r->possible_duplicate) out["PossibleDuplicate"] = true;
      } else {
        ++failed;
        json::object error{{"Code", r.error().code}, {"Message", r.error().message}};
        if (r.error().maybe_processed) error["MaybeSent"] = true;
        out["Error"] = std::move(error);
      }
      printer.done(index, std::move(out));
    });
  }
  producer->flush();
  printer.wait_all();
  const auto m = producer->metrics();
  producer.reset();
  std::cerr << "produced " << m.sent << " of " << number << " lines in " << m.batches
            << (m.batches == 1 ? " batch" : " batches");
  if (m.batches > 0) {
    std::cerr << " (" << static_cast<double>(static_cast<long long>(m.average_fill() * 10)) / 10
              << " a batch)";
  }
  std::cerr << (failed.load() ? ", " + std::to_string(failed.load()) + " failed" : "") << '\n';
  return failed.load() == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void add_produce_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<ProduceOptions>();
  auto* command = app.add_subcommand(
      "produce", "Send every line of stdin as a message, batched, to one queue or several regions");
  command
      ->add_option("QUEUE_SPEC", options->specs,
                   "QUEUE[,endpoint=URL][,region=REGION][,weight=W], as for bench; several: the "
                   "same queue in several regions, with failover")
      ->required();
  command
      ->add_option("--linger", options->linger_ms,
                   "Milliseconds a message may wait for its batch to fill (default 5; 0: send at "
                   "once)")
      ->type_name("MS")
      ->check(CLI::Range(0.0, 60000.0));
  command
      ->add_option("--max-pending", options->max_pending,
                   "Lines sent and not yet answered at most; reading stdin waits (default 10000)")
      ->type_name("N")
      ->check(CLI::Range(static_cast<std::size_t>(1), static_cast<std::size_t>(1'000'000)));
  command
      ->add_option("--group-id", options->group_id,
                   "FIFO queues: the message group of every line (the deduplication id is the "
                   "line number)")
      ->type_name("G");
  command->add_flag("--fifo-failover", options->fifo_failover,
                    "FIFO queues in several regions: let batches fail over to another region "
                    "(order then holds only within each region)");
  command->footer(
      "Each line (without its newline) is one message body; an empty line is refused by SQS.\n"
      "Prints one line per input line, in input order:\n"
      "  {\"Line\":1,\"MessageId\":\"...\"}          (+\"SequenceNumber\", +\"Queue\" over "
      "several regions)\n"
      "  {\"Line\":2,\"Error\":{\"Code\":\"...\",\"Message\":\"...\"}}\n"
      "The exit status is 1 when any line was not sent.\n\n"
      "Examples:\n"
      "  seq 1000 | sqsctl produce orders\n"
      "  cat events.jsonl | sqsctl produce events,region=us-east-1 events,region=eu-west-1\n"
      "  printf 'a\\nb\\n' | sqsctl produce jobs.fifo --group-id batch-7");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_produce(context, *options); };
  });
}

}  // namespace sqsctl

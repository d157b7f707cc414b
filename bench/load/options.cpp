#include "options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>

namespace sqs_load {

namespace {

constexpr const char* kDescription =
    "sqs-load: drives one sqs::Client (1 event-loop thread, async callbacks) against an SQS\n"
    "endpoint and prints ONE JSON line: op, count, concurrency, wall_s, msgs_per_s,\n"
    "cpu_user_s, cpu_sys_s, cpu_us_per_msg, max_rss_kb, errors (as bench.mjs, the Node SDK peer).\n"
    "Ops:\n"
    "  send               N x SendMessage, C in flight\n"
    "  send-batch         SendMessageBatch of 10 (ids \"0\"..\"9\"); N counts messages, C calls in "
    "flight\n"
    "  recv-delete        C workers: ReceiveMessage (max 10, wait 0), then DeleteMessage for "
    "each,\n"
    "                     one after another; stop at N deleted or after 3 empty receives in a row\n"
    "  recv-delete-batch  same, with one DeleteMessageBatch per receive\n"
    "  produce            sqs::Producer: C single-message sends in flight (each sends the\n"
    "                     next when it completes), batched by the producer; adds batches,\n"
    "                     average fill and linger batches to the line\n"
    "  consume            sqs::Consumer, no-op handler, deletes batched by the consumer;\n"
    "                     with --hold-ms H, async handlers that complete after H ms (a timer\n"
    "                     on one thread of the application's): C = max_in_flight messages wait\n"
    "                     at once; adds in_flight_max, threads and RSS to the line\n"
    "  long-poll          C concurrent ReceiveMessage long polls (--wait-seconds) until N polls\n"
    "                     returned (default N = C); adds threads, min/max return time to the "
    "line\n";

}  // namespace

std::variant<Options, int> parse_options(int argc, char** argv) {
  Options o;
  CLI::App app{kDescription, "sqs-load"};
  app.add_option("--endpoint", o.endpoint, "SQS endpoint URL")->required()->type_name("URL");
  app.add_option("--queue-url", o.queue_url, "queue URL")->required()->type_name("URL");
  app.add_option("--op", o.op, "operation")
      ->required()
      ->check(CLI::IsMember({"send", "send-batch", "recv-delete", "recv-delete-batch", "long-poll",
                             "consume", "produce"}));
  auto* count =
      app.add_option("--count", o.count, "messages to send or delete (polls for long-poll)")
          ->type_name("N");
  app.add_option("--concurrency", o.concurrency, "calls (or workers) in flight")
      ->required()
      ->type_name("C");
  app.add_option("--body-bytes", o.body_bytes, "message body size, 'a' x B (default 1024)")
      ->type_name("B");
  app.add_option("--max-attempts", o.max_attempts,
                 "attempts per call, retries included (default 1)")
      ->type_name("A");
  app.add_option("--max-errors", o.max_errors,
                 "stop issuing calls after this many errors (default 100)")
      ->type_name("E");
  app.add_option("--hold-ms", o.hold_ms,
                 "consume: each message's async handler completes after this long (default 0: "
                 "a no-op sync handler)")
      ->type_name("MS")
      ->check(CLI::Range(0, 600000));
  app.add_option("--credentials", o.credentials,
                 "auto (default): environment keys if AWS_ACCESS_KEY_ID is set, else fixed "
                 "example keys; static: the example keys; chain: the default credential chain "
                 "(e.g. a container endpoint)")
      ->check(CLI::IsMember({"auto", "static", "chain"}));
  app.add_option("--linger-ms", o.linger_ms,
                 "produce: the producer's linger (default 5; on the canned endpoint, which always "
                 "answers 10 entries, use a long one and counts in tens, so that every batch is "
                 "full)")
      ->type_name("MS")
      ->check(CLI::Range(0, 60000));
  app.add_option("--wait-seconds", o.wait_seconds, "long-poll wait, 0..20 (default 20)")
      ->type_name("S")
      ->check(CLI::Range(0, 20));
  try {
    app.parse(argc, argv);
    if (count->count() == 0) {
      if (o.op != "long-poll") throw CLI::RequiredError("--count");
      o.count = o.concurrency;
    }
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  o.concurrency = std::max<std::size_t>(o.concurrency, 1);
  o.max_attempts = std::max(o.max_attempts, 1);
  return o;
}

}  // namespace sqs_load

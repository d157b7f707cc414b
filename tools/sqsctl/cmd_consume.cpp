// sqsctl consume: sqs::Consumer over one queue or the same queue in several regions. Prints each
// message as `receive` does and acknowledges it, or runs a command per message (--exec).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "commands.hpp"
#include "json_io.hpp"
#include "queue_specs.hpp"
#include "sqs/consumer.hpp"

extern char** environ;

namespace sqsctl {
namespace {

struct ConsumeOptions {
  std::vector<std::string> specs;
  int max_in_flight = 64;
  std::optional<std::size_t> count;
  std::optional<double> idle_timeout;
  std::optional<int> visibility_timeout;
  int wait_seconds = 20;
  bool heartbeat = true;
  std::optional<std::string> exec;
};

// Environment variable name for a message attribute: SQS_ATTR_ + the name, upper case, other
// characters as '_'.
std::string attribute_variable(const std::string& name) {
  std::string out = "SQS_ATTR_";
  for (unsigned char c : name) out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

// Runs `command` with /bin/sh -c, the body on its stdin and the message in its environment;
// its exit status 0 means done. Blocking (a worker thread of the consumer).
bool run_command(const std::string& command, const sqs::Message& m, const sqs::MessageContext& c,
                 const std::string& queue_url) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.push_back("SQS_MESSAGE_ID=" + m.message_id);
  env.push_back("SQS_RECEIPT_HANDLE=" + m.receipt_handle);
  env.push_back("SQS_RECEIVE_COUNT=" + std::to_string(c.receive_count));
  env.push_back("SQS_QUEUE_URL=" + queue_url);
  env.push_back("SQS_QUEUE_INDEX=" + std::to_string(c.queue_index));
  if (auto g = m.attributes.find("MessageGroupId"); g != m.attributes.end()) {
    env.push_back("SQS_MESSAGE_GROUP_ID=" + g->second);
  }
  for (const auto& [name, value] : m.message_attributes) {
    if (!value.is_binary()) env.push_back(attribute_variable(name) + "=" + value.string_value);
  }
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  if (spawned != 0) {
    ::close(in[1]);
    return false;
  }
  // The body, then end of input (a command that does not read it just gets EPIPE here).
  const char* p = m.body.data();
  std::size_t left = m.body.size();
  while (left > 0) {
    const auto n = ::write(in[1], p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::close(in[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int run_consume(const Context& context, const ConsumeOptions& options) {
  // The queues: one client per endpoint and region, as `bench` makes them.
  auto opened = open_queue_specs(context, options.specs);
  if (auto* status = std::get_if<int>(&opened)) return *status;
  auto& queues = std::get<OpenedQueues>(opened).queues;
  std::vector<std::string> urls;
  for (const auto& q : queues) urls.push_back(q.queue.url());
  sqs::DispatcherOptions dispatcher_options;
  sqs::Dispatcher dispatcher(std::move(queues), std::move(dispatcher_options));

  sqs::ConsumerOptions o;
  o.max_in_flight = options.max_in_flight;
  if (options.count)
    o.max_in_flight = static_cast<int>(std::min<std::size_t>(*options.count, o.max_in_flight));
  o.wait_time_seconds = options.wait_seconds;
  o.visibility_timeout = options.visibility_timeout;
  o.heartbeat.enabled = options.heartbeat;
  o.attribute_names = {"All"};
  o.worker_threads = options.exec ? static_cast<std::size_t>(std::min(o.max_in_flight, 256)) : 1;
  o.fifo_across_queues = true;  // the user named the queues: each keeps its own order

  std::mutex print_mutex;
  std::atomic<std::size_t> claimed{0};  // handlers that took a message to work on
  std::atomic<std::size_t> done{0};
  const std::size_t limit = options.count.value_or(SIZE_MAX);
  sqs::ConsumerHooks hooks;
  hooks.on_poll_error = [&](std::size_t q, const sqs::Error& e) {
    std::lock_guard lock(print_mutex);
    std::cerr << "\rqueue " << q << ": " << e.to_string() << '\n';
  };
  hooks.on_ack = [&](std::size_t q, const std::string&, const sqs::Error* e) {
    if (!e) return;
    std::lock_guard lock(print_mutex);
    std::cerr << "\rqueue " << q << ": delete failed: " << e->to_string() << '\n';
  };
  sqs::Consumer* consumer_of_handler = nullptr;  // set before the consumer starts
  auto handler = [&](const sqs::Message& m, const sqs::MessageContext& c) {
    // Past --count: the message goes back at once, untouched (visible again).
    const std::size_t n = claimed++;
    if (n >= limit) return sqs::Outcome::retry(std::chrono::seconds(0));
    if (n + 1 == limit) consumer_of_handler->pause();  // enough: no more receives
    if (options.exec) {
      if (!run_command(*options.exec, m, c, urls.at(c.queue_index))) {
        if (claimed-- == limit) consumer_of_handler->resume();  // not done: room for another
        return sqs::Outcome::retry();
      }
    } else {
      auto line = message_to_json(m);
      std::lock_guard lock(print_mutex);
      print_json_line(line);
      std::cout.flush();
    }
    ++done;
    return sqs::Outcome::ack();
  };
  sqs::Consumer consumer(dispatcher, sqs::SyncHandler(handler), o, std::move(hooks));
  consumer_of_handler = &consumer;

  // The main thread waits for a signal, --count, --idle-timeout, showing progress on a terminal.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  bool interrupted = false;
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) interrupted = true;
    io.stop();
  });
  consumer.start();
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  const auto started = std::chrono::steady_clock::now();
  auto last_message = started;
  std::uint64_t last_received = 0;
  boost::asio::steady_timer timer(io);
  std::function<void()> check = [&] {
    const auto now = std::chrono::steady_clock::now();
    const auto m = consumer.metrics().total;
    if (m.received != last_received) {
      last_received = m.received;
      last_message = now;
    }
    if (tty) {
      std::lock_guard lock(print_mutex);
      std::cerr << "\rconsumed " << m.acked << " acked, " << m.retried << " retried, "
                << m.in_flight << " in flight" << std::flush;
    }
    const bool idle = options.idle_timeout &&
                      now - last_message >= std::chrono::duration<double>(*options.idle_timeout);
    if (done.load() >= limit || idle) return io.stop();
    timer.expires_after(std::chrono::milliseconds(200));
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) check();
    });
  };
  check();
  io.run();
  if (tty) std::cerr << '\n';
  if (interrupted) std::cerr << "draining (in-flight messages finish; unstarted ones go back)\n";
  const auto summary = consumer.stop(std::chrono::seconds(30));
  const auto& t = summary.metrics.total;
  std::cerr << "consumed " << t.acked << " (" << t.handled << " handled, " << t.retried
            << " retried, " << summary.released << " released)"
            << (summary.drained ? "" : ", NOT drained: some handlers were still running") << '\n';
  return summary.drained && t.ack_failures == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void add_consume_command(CLI::App& app, Context& context) {
  auto options = std::make_shared<ConsumeOptions>();
  auto* command = app.add_subcommand(
      "consume", "Process messages from one queue or the same queue in several regions");
  command
      ->add_option("QUEUE_SPEC", options->specs,
                   "QUEUE[,endpoint=URL][,region=REGION][,weight=W], as for bench; several: "
                   "every one is polled at once, within one --max-in-flight")
      ->required();
  command
      ->add_option("--max-in-flight", options->max_in_flight,
                   "Messages in hand at once (default 64)")
      ->type_name("N")
      ->check(CLI::Range(1, 10000));
  command
      ->add_option("--count", options->count, "Stop after N messages were handled and acknowledged")
      ->type_name("N")
      ->check(CLI::Range(static_cast<std::size_t>(1), static_cast<std::size_t>(100'000'000)));
  command
      ->add_option("--idle-timeout", options->idle_timeout,
                   "Stop once no message arrived for S seconds")
      ->type_name("S")
      ->check(CLI::Range(0.001, 86400.0));
  command
      ->add_option("--visibility-timeout", options->visibility_timeout,
                   "Visibility timeout of received messages (default: the queue's)")
      ->type_name("S")
      ->check(CLI::Range(0, 43200));
  command->add_option("--wait-seconds", options->wait_seconds, "Long poll wait (0-20, default 20)")
      ->type_name("S")
      ->check(CLI::Range(0, 20));
  command->add_flag("--heartbeat,!--no-heartbeat", options->heartbeat,
                    "Extend the visibility of messages still being handled (default on)");
  command
      ->add_option("--exec", options->exec,
                   "Run CMD (with /bin/sh -c) per message: the body on its stdin, "
                   "SQS_MESSAGE_ID, SQS_RECEIPT_HANDLE, SQS_RECEIVE_COUNT, SQS_QUEUE_URL, "
                   "SQS_QUEUE_INDEX, SQS_MESSAGE_GROUP_ID and SQS_ATTR_<NAME> (String and "
                   "Number attributes) in its environment; exit 0 acknowledges the message, "
                   "anything else retries it with back-off")
      ->type_name("CMD");
  command->footer(
      "Without --exec, prints each message as one JSON line (as receive does) and deletes it.\n"
      "Deletes go in batches, to the region that delivered each message. Ctrl-C (SIGINT) or "
      "SIGTERM drains: messages in hand finish, received but unstarted ones become visible again "
      "at once; the exit status is 0 after a clean drain.\n\n"
      "Examples:\n"
      "  sqsctl consume orders --count 100 > orders.jsonl\n"
      "  sqsctl consume orders,region=us-east-1 orders,region=eu-west-1 --exec './handle.sh'\n"
      "  sqsctl consume jobs --idle-timeout 5 --max-in-flight 500 --exec 'jq .id'");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_consume(context, *options); };
  });
}

}  // namespace sqsctl

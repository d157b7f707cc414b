// bench: the multi-region load tool (our version of the Go project's), for watching the circuit
// breakers of a Dispatcher live while regions fail and recover.
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bench_clients.hpp"
#include "bench_control.hpp"
#include "bench_options.hpp"
#include "bench_progress.hpp"
#include "bench_report.hpp"
#include "bench_run.hpp"
#include "commands.hpp"
#include "sqs/multiqueue.hpp"

namespace sqsctl {
namespace {

// What the user typed for --drain-timeout: SECONDS (a number) or a duration such as 45s.
struct DrainTimeout {
  std::string text;
};

std::optional<double> drain_seconds(const std::string& text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return seconds;
  auto duration = bench::parse_duration(text);
  if (!duration) return std::nullopt;
  return std::chrono::duration<double>(*duration).count();
}

// The host[:port] of an endpoint URL, for labels.
std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  return url.substr(start, url.find('/', start) - start);
}

// The shortest label that tells the queues apart: the region, else the queue name and region,
// else with the endpoint's host too.
void label_queues(std::vector<bench::BenchQueue>& queues) {
  auto name_of = [](const std::string& url) { return url.substr(url.rfind('/') + 1); };
  for (int level = 0; level < 4; ++level) {
    std::set<std::string> seen;
    for (auto& q : queues) {
      q.label = q.region;
      if (level == 1 || level == 3) q.label = name_of(q.url) + "@" + q.label;
      if (level >= 2) q.label += "@" + host_of(q.endpoint);
      seen.insert(q.label);
    }
    if (seen.size() == queues.size()) return;
  }
}

bool terminal_colors() {
  const char* term = std::getenv("TERM");
  return std::getenv("NO_COLOR") == nullptr && term != nullptr && std::string(term) != "dumb";
}

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 0;
}

// What is about to run, on stderr: the settings, the queues, where the control endpoint is.
void print_banner(const bench::BenchConfig& config, const std::vector<bench::BenchQueue>& queues,
                  std::uint16_t control_port) {
  std::cerr << "bench: ";
  if (config.no_send) {
    std::cerr << "receiving only (until the queues stay empty for "
              << std::chrono::duration<double>(config.drain_timeout).count() << "s)";
  } else {
    std::cerr << config.count << " messages of " << config.message_bytes << " bytes, "
              << config.concurrency << " sends in flight";
    if (config.rate > 0) std::cerr << ", at most " << config.rate << "/s";
    if (config.producer) {
      std::cerr << ", through sqs::Producer (linger " << config.linger.count() << " ms)";
    }
  }
  std::cerr << ", " << config.receivers << " receiver(s) per queue, " << queues.size()
            << (queues.size() == 1 ? " queue" : " queues") << "; breaker "
            << config.breaker_description << "; " << config.load_description << '\n';
  for (std::size_t i = 0; i < queues.size(); ++i) {
    std::cerr << "  [" << i << "] " << queues[i].label << "  " << queues[i].url << "  weight "
              << queues[i].weight << '\n';
  }
  if (config.control) {
    const auto& host = config.control->host;
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::cerr << "control endpoint: http://" << shown << ':' << control_port
              << "/  (GET /?index=I&duration=5s&error_rate=0.8 injects failures into queue I, "
                 "&latency=300ms delays its calls, &hang=1 holds them)\n";
  }
}

int run_bench(const Context& context, bench::BenchArguments arguments, const DrainTimeout& drain) {
  auto seconds = drain_seconds(drain.text);
  if (!seconds) {
    return usage_error(
        "--drain-timeout must be a number of seconds or a duration such as 45s, got '" +
        drain.text + "'");
  }
  arguments.drain_timeout_seconds = *seconds;
  auto checked = bench::validate(arguments);
  if (!checked) return usage_error(checked.error().message);
  const bench::BenchConfig& config = *checked;

  // Declared first, destroyed last: everything below runs on it.
  boost::asio::io_context io;
  bench::BenchClients clients(io);

  std::vector<std::pair<const sqs::Client*, std::string>> to_open;
  for (const auto& spec : config.queues) {
    GlobalOptions global = context.global;
    if (spec.endpoint) global.endpoint = spec.endpoint;
    if (spec.region) global.region = spec.region;
    auto client = clients.client_for(global);
    if (!client) return report("--queue " + spec.queue, client.error());
    to_open.emplace_back(*client, spec.queue);
  }
  auto opened = clients.open(to_open);
  if (auto* failure = std::get_if<bench::BenchClients::OpenFailure>(&opened)) {
    return report("--queue " + config.queues[failure->index].queue, failure->error);
  }
  std::vector<sqs::DispatcherQueue> queues;
  std::vector<bench::BenchQueue> described;
  for (std::size_t i = 0; i < config.queues.size(); ++i) {
    auto& queue = std::get<std::vector<sqs::Queue>>(opened)[i];
    const sqs::Client& client = *to_open[i].first;
    described.push_back(
        {queue.url(), client.region(), client.endpoint(), "", config.queues[i].weight});
    queues.push_back({std::move(queue), config.queues[i].weight});
  }
  bool fifo = queues.front().queue.is_fifo();
  for (const auto& q : queues) {
    if (q.queue.is_fifo() != fifo) {
      return usage_error("the queues of a bench must all be FIFO queues or all standard queues");
    }
  }
  label_queues(described);

  sqs::DispatcherOptions dispatcher_options;
  dispatcher_options.breaker = config.breaker;
  dispatcher_options.bulkhead = config.bulkhead;
  dispatcher_options.in_flight.slow_call_threshold = config.slow_call_threshold;
  dispatcher_options.hedge = config.hedge;
  sqs::Dispatcher dispatcher(std::move(queues), std::move(dispatcher_options));

  bool live = ::isatty(STDERR_FILENO) == 1;
  bench::ProgressDisplay progress(std::cerr, live, live && terminal_colors(), terminal_width());
  bench::BenchRun run(io, dispatcher, described, config, progress, fifo);
  dispatcher.on_state_change(run.transition_hook());

  std::optional<bench::ControlServer> control;
  if (config.control) {
    try {
      control.emplace(io, *config.control,
                      [&run](const std::string& method, const std::string& target) {
                        return run.control(method, target);
                      });
    } catch (const boost::system::system_error& e) {
      return usage_error("--control " + *arguments.control + ": " + e.what());
    }
  }

  print_banner(config, described, control ? control->port() : 0);
  bench::BenchReport result = run.run();
  dispatcher.on_state_change({});
  control.reset();
  clients.shutdown();  // while the run, which the cancelled calls complete to, still exists
  std::cout << bench::to_json_text(bench::to_json(result)) << '\n';
  std::cout.flush();
  return result.exit_status();
}

}  // namespace

void add_bench_command(CLI::App& app, Context& context) {
  auto arguments = std::make_shared<bench::BenchArguments>();
  auto drain = std::make_shared<DrainTimeout>(DrainTimeout{"30"});
  auto* command = app.add_subcommand(
      "bench",
      "Load-test the same queue in several regions: send through the failover dispatcher, "
      "receive from every queue, watch the circuit breakers");
  add_repeatable_option(*command, "--queue", arguments->queues,
                        "A queue: QUEUE[,endpoint=URL][,region=REGION][,weight=W]; QUEUE is a URL "
                        "or a name; endpoint and region default to the global options (repeat "
                        "for each region)")
      ->type_name("SPEC")
      ->required();
  command->add_option("--count", arguments->count, "Messages to send (default 1000)")
      ->type_name("N");
  command
      ->add_option("--concurrency", arguments->concurrency, "Sends in flight at once (default 64)")
      ->type_name("C");
  command
      ->add_option(
          "--receivers", arguments->receivers,
          "Long polls in flight per queue: the receives of the bench's sqs::Consumer, which "
          "receives from every queue and deletes what it gets, in batches (default 4)")
      ->type_name("R");
  command
      ->add_option("--message-bytes", arguments->message_bytes,
                   "Size of each body, at least 30 (default 100)")
      ->type_name("B");
  command
      ->add_option("--rate", arguments->rate,
                   "Send at most N messages per second (default 0: as fast as the sends in "
                   "flight go)")
      ->type_name("N");
  command
      ->add_option("--dispatch", arguments->dispatch,
                   "First queue of each send: rr (weighted round-robin, default) or random")
      ->type_name("rr|random");
  add_repeatable_option(*command, "--breaker", arguments->breaker,
                        "Breaker settings KEY=VALUE,...: interval=DURATION, "
                        "open-timeout=DURATION (default: exponential back-off), "
                        "trip=threshold:N|consecutive:N|rate:MIN:RATIO, half-open-successes=N, "
                        "half-open-max-calls=N")
      ->type_name("KEY=VALUE,...");
  command
      ->add_option("--hedge", arguments->hedge,
                   "Hedge every send: when the queue it went to has not answered after DELAY "
                   "(e.g. 100ms), send a copy to the next queue; the first success wins (the "
                   "other copy may be delivered too: a duplicate). pNN (e.g. p95): the delay is "
                   "that percentile of the first queue's recent latency (100ms until it answered "
                   "20 sends; from 5ms to 2s). Never on FIFO queues. Default: no hedging")
      ->type_name("DELAY|pNN");
  command
      ->add_option("--max-in-flight", arguments->max_in_flight,
                   "Bulkhead ceiling: at most N calls in flight per queue, long polls included "
                   "(more than --receivers; default 0: no ceiling)")
      ->type_name("N");
  command->add_flag("--no-adaptive-bulkhead", arguments->no_adaptive_bulkhead,
                    "Keep the bulkhead at its ceiling: no lower limit on a queue that slows down");
  command
      ->add_option("--slow-call-threshold", arguments->slow_call_threshold,
                   "A call outstanding longer than this counts as a failure for its queue's "
                   "breaker at once (a long poll: beyond its wait); 0: off. Default: derived from "
                   "the queue's latency, max(1s, 8 x its baseline), at most half the request "
                   "timeout")
      ->type_name("DURATION");
  command
      ->add_option("--control", arguments->control,
                   "Serve the fault-injection endpoint on this loopback address, e.g. "
                   "127.0.0.1:9003 (port 0: any free port)")
      ->type_name("HOST:PORT");
  command
      ->add_option(
          "--drain-timeout", drain->text,
          "After the last send, receive until every message came back or this long "
          "passed (seconds, or a duration such as 2m; default 30; with --no-send: stop once "
          "nothing came for this long)")
      ->type_name("SECONDS");
  command->add_flag("--no-send", arguments->no_send,
                    "Only receive (drain the queues), counting what arrives");
  command->add_flag("--producer", arguments->producer,
                    "Send through sqs::Producer: each message is one send, put in batches of up "
                    "to 10 by the producer (its linger, through the dispatcher's failover); "
                    "fault injections then apply to receives only");
  command
      ->add_option("--linger", arguments->linger_ms,
                   "With --producer: milliseconds a message may wait for its batch (default 5)")
      ->type_name("MS");
  command
      ->add_option("--wait-seconds", arguments->wait_seconds,
                   "Long-poll wait of each receive, 0-20 (default 1)")
      ->type_name("S");
  command
      ->add_option("--visibility-timeout", arguments->visibility_timeout,
                   "Visibility timeout of received messages (default 10): how soon a message "
                   "whose delete was lost comes back")
      ->type_name("S");
  command->footer(
      "Sends --count unique messages (\"bench:RUN:SEQ:\" padded to --message-bytes) through the "
      "failover dispatcher, --concurrency at a time; a send that every queue refuses is retried "
      "until it is sent (it counts as a send error only after failing for a whole "
      "--drain-timeout). --receivers per queue long-poll EVERY queue and delete what they get.\n"
      "Each message's send latency runs from the moment its send starts (when it leaves its "
      "--rate pacing, or at once) to its success, retries included.\n"
      "Progress goes to stderr (live on a terminal): per queue its breaker, rates, and the "
      "dispatcher's view of its load (calls in flight, bulkhead limit, latency estimate, "
      "STALLED). The last line of stdout is one JSON object:\n"
      "  {\"sent\":N,\"send_errors\":E,\"received\":R,\"unique\":U,\"duplicates\":R-U,\"lost\":L,"
      "\"elapsed_s\":...,\"send_msgs_per_s\":...,\n"
      "   \"send_latency_ms\":{\"p50\":...,\"p99\":...,\"max\":...,\"mean\":...},\n"
      "   \"queues\":[{\"queue\":URL,\"sent\":...,\"received\":...,\"state\":\"closed\","
      "\"transitions\":[{\"from\":\"closed\",\"to\":\"open\",\"at_s\":1.2},...],\n"
      "     \"send_latency_ms\":{...},\"hedges\":...,\"hedge_wins\":...,\"late_copies\":...,"
      "\"slow_in_flight\":...,\"bulkhead_rejected\":...,\"avoided\":...},...],\n"
      "   \"timeline\":[{\"t\":0,\"sent\":[PER QUEUE],\"received\":[PER QUEUE],\"started\":N,"
      "\"send_p50_ms\":...,\"send_p99_ms\":...,\"send_max_ms\":...},...],...}\n"
      "send_latency_ms: exact (nearest-rank) over every message sent, and per queue over those "
      "it took. timeline: one entry per second of the run; sent and received count what "
      "completed in that second, started and send_*_ms the sends that started in it. "
      "hedges/hedge_wins: hedged copies sent to the queue / that completed the send; late_copies: "
      "copies it accepted after another queue had (delivered twice).\n"
      "lost counts messages sent and never received before the drain timeout. Exit status 0 iff "
      "lost = 0 and send_errors = 0 (an interrupted run, Ctrl-C, exits 1).\n\n"
      "Control endpoint (--control): GET /?index=I&duration=D[&error_rate=R[&error=E]][&latency=L]"
      "[&hang=1] changes calls to queue I for D (a duration such as 5s), client-side and inside "
      "its executor (its breaker and its load accounting see everything): error_rate=R fails "
      "them at that rate (0..1), as transport errors (error=transport, the default), HTTP 503 "
      "ServiceUnavailable answers (error=503) or throttling answers (error=throttling: "
      "ThrottlingException); latency=L delays each call that starts "
      "meanwhile by L (e.g. 300ms); hang=1 holds every call until D is over, then lets it go "
      "ahead (a region that freezes, then recovers). They combine. duration=0 ends the queue's "
      "scenario; a new one replaces it. Meanwhile each send first goes to the queue the "
      "dispatcher picks (it avoids a stalled or full one), then fails over as usual; receives "
      "from the queue are delayed or held the same way (deletes are not). Any GET answers the "
      "scenarios and progress as JSON (per queue: state, sent, received, in_flight, limit, "
      "latency_ms, stalled, error_rate, error, latency_injected_ms, hang, held, remaining_s, "
      "connections: its client's open connections; "
      "and books_bytes: the heap the bench's own per-message books hold, which grows by about "
      "12 bytes per message sent). "
      "GET /?mark=NAME starts a phase named NAME: the final JSON's \"phases\" give each "
      "phase (from its mark to the next) with the exact send latency (p50, p99, max, mean) of "
      "the sends that started in it.\n\n"
      "Examples:\n"
      "  sqsctl bench --queue jobs,region=us-east-1 --queue jobs,region=eu-west-1 --count 20000\n"
      "  sqsctl bench --queue jobs,endpoint=http://127.0.0.1:9324,region=us-east-1,weight=2 \\\n"
      "      --queue jobs,endpoint=http://127.0.0.1:9325,region=eu-west-1 \\\n"
      "      --breaker trip=consecutive:3,interval=1s,open-timeout=2s --control 127.0.0.1:9003\n"
      "  curl '127.0.0.1:9003/?index=0&duration=10s&error_rate=0.9'\n"
      "  curl '127.0.0.1:9003/?index=1&duration=10s&hang=1'      # region 2 freezes for 10 s\n"
      "  sqsctl bench --queue ... --queue ... --hedge p95 --max-in-flight 128\n"
      "  sqsctl bench --queue jobs,region=us-east-1 --queue jobs,region=eu-west-1 --no-send "
      "--drain-timeout 5");
  command->callback([&context, arguments, drain] {
    context.action = [&context, arguments, drain] {
      return run_bench(context, *arguments, *drain);
    };
  });
}

}  // namespace sqsctl

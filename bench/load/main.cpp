// sqs-load: the load tool of docs/PERFORMANCE.md. One sqs::Client (its own single event-loop
// thread, async calls with plain callbacks), one sqs::Queue; prints one JSON line with the same
// fields as the Node SDK peer (bench.mjs). Region and credentials come from the environment
// (AWS_REGION, AWS_ACCESS_KEY_ID...) as with any AWS tool; without them, like bench.mjs, region
// us-east-1 and fixed example credentials (a canned or local endpoint checks no signature).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <variant>

#include <sqs/client.hpp>
#include <sqs/queue.hpp>

#include "options.hpp"
#include "process_usage.hpp"
#include "run.hpp"
#include "workload.hpp"

namespace {

using sqs_load::Options;

sqs::ClientConfig client_config(const Options& o) {
  sqs::ClientConfig c;
  auto set = [](const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
  };
  if (!set("AWS_REGION") && !set("AWS_DEFAULT_REGION")) c.region = "us-east-1";
  c.endpoint = o.endpoint;
  if (o.credentials == "static" || (o.credentials == "auto" && !set("AWS_ACCESS_KEY_ID"))) {
    c.credentials =
        sqs::Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
  }
  c.retry.max_attempts = o.max_attempts;
  return c;
}

std::unique_ptr<sqs_load::Workload> make_workload(sqs_load::Run& run) {
  const std::string& op = run.options().op;
  if (op == "send") return sqs_load::make_send(run);
  if (op == "send-batch") return sqs_load::make_send_batch(run);
  if (op == "recv-delete") return sqs_load::make_recv_delete(run, false);
  if (op == "recv-delete-batch") return sqs_load::make_recv_delete(run, true);
  if (op == "consume") return sqs_load::make_consume(run);
  if (op == "produce") return sqs_load::make_produce(run);
  return sqs_load::make_long_poll(run);
}

void print_line(const Options& o, const sqs_load::Run& run, const sqs_load::UsageSnapshot& a,
                const sqs_load::UsageSnapshot& b, const std::string& extra) {
  const double wall = std::chrono::duration<double>(b.wall - a.wall).count();
  const double user = b.user_s - a.user_s;
  const double sys = b.sys_s - a.sys_s;
  const auto done = run.done();
  char per_msg[32] = "null";
  if (done > 0) std::snprintf(per_msg, sizeof per_msg, "%.1f", (user + sys) * 1e6 / done);
  std::printf(
      "{\"op\":\"%s\",\"count\":%llu,\"concurrency\":%zu,\"wall_s\":%.3f,\"msgs_per_s\":%.1f,"
      "\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"cpu_us_per_msg\":%s,\"max_rss_kb\":%ld,"
      "\"errors\":%llu%s}\n",
      o.op.c_str(), static_cast<unsigned long long>(done), o.concurrency, wall,
      wall > 0 ? done / wall : 0.0, user, sys, per_msg, b.max_rss_kb,
      static_cast<unsigned long long>(run.errors()), extra.c_str());
  std::fflush(stdout);
}

int run_load(const Options& o) {
  sqs_load::raise_open_files_limit();
  auto client = sqs::Client::make(client_config(o));
  if (!client) {
    std::fprintf(stderr, "sqs-load: %s\n", client.error().to_string().c_str());
    return 1;
  }
  sqs::Queue queue(*client, o.queue_url);
  sqs_load::Run run(o, queue);
  auto workload = make_workload(run);

  const auto before = sqs_load::UsageSnapshot::now();
  client->defer([&] {
    for (std::size_t i = 0; i < o.concurrency; ++i) workload->start_worker(i);
  });
  if (workload->wants_ticks()) {
    run.wait([](void* w) { static_cast<sqs_load::Workload*>(w)->tick(); }, workload.get());
  } else {
    run.wait();
  }
  const auto after = sqs_load::UsageSnapshot::now();
  print_line(o, run, before, after, workload->extra_json());
  return run.errors() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = sqs_load::parse_options(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  try {
    return run_load(std::get<Options>(parsed));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sqs-load: %s\n", e.what());
    return 1;
  }
}

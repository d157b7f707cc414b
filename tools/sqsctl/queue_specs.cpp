#include "queue_specs.hpp"

#include "bench_options.hpp"

namespace sqsctl {

std::variant<OpenedQueues, int> open_queue_specs(const Context& context,
                                                 const std::vector<std::string>& texts) {
  std::vector<bench::QueueSpec> specs;
  for (const auto& text : texts) {
    auto spec = bench::parse_queue_spec(text);
    if (!spec) return usage_error(spec.error().message);
    specs.push_back(std::move(*spec));
  }
  OpenedQueues out;
  for (const auto& spec : specs) {
    GlobalOptions global = context.global;
    if (spec.endpoint) global.endpoint = spec.endpoint;
    if (spec.region) global.region = spec.region;
    auto key = std::make_pair(global.endpoint.value_or(""), global.region.value_or(""));
    auto& client = out.clients[key];
    if (!client) {
      auto made = make_client(global);
      if (!made) return report(made.error());
      client = std::make_unique<sqs::Client>(std::move(*made));
    }
    auto opened = sqs::Queue::open(*client, spec.queue);
    if (!opened) return report("open " + spec.queue, opened.error());
    out.queues.push_back({std::move(*opened), spec.weight});
  }
  return out;
}

}  // namespace sqsctl

// The QUEUE_SPEC arguments of consume and produce (QUEUE[,endpoint=URL][,region=REGION]
// [,weight=W], as for bench): one client per distinct endpoint and region, each queue opened.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "context.hpp"
#include "sqs/multiqueue.hpp"

namespace sqsctl {

struct OpenedQueues {
  // (The clients outlive the queues, which hold handles to them.)
  std::map<std::pair<std::string, std::string>, std::unique_ptr<sqs::Client>> clients;
  std::vector<sqs::DispatcherQueue> queues;
};

// The queues, or the exit status after reporting why not (a bad spec, a client or a queue
// that cannot be made).
std::variant<OpenedQueues, int> open_queue_specs(const Context& context,
                                                 const std::vector<std::string>& specs);

}  // namespace sqsctl

#include <algorithm>
#include <random>
#include <stdexcept>

#include "multiqueue/dispatcher_state.hpp"

namespace sqs {

Dispatcher::Dispatcher(std::vector<DispatcherQueue> queues, DispatcherOptions options) {
  if (queues.empty()) throw std::invalid_argument("Dispatcher: at least one queue is needed");
  std::vector<std::uint32_t> weights;
  for (const auto& q : queues) {
    if (q.weight < 1) {
      throw std::invalid_argument("Dispatcher: the weight of " + q.queue.url() +
                                  " must be at least 1, got " + std::to_string(q.weight));
    }
    weights.push_back(static_cast<std::uint32_t>(q.weight));
  }
  std::uint64_t seed = options.seed ? *options.seed : std::random_device{}();
  state_ = std::make_shared<detail::DispatcherState>();
  state_->routing = std::make_shared<detail::Routing>(std::move(weights), seed);
  state_->routing->hook = std::move(options.on_state_change);

  for (std::size_t i = 0; i < queues.size(); ++i) {
    auto slot =
        std::make_shared<detail::QueueSlot>(i, std::move(queues[i].queue), queues[i].weight);
    CircuitBreakerOptions breaker = options.breaker;
    if (breaker.jitter_seed) breaker.jitter_seed = *breaker.jitter_seed + i;
    // The breaker drives the available set: out when open, back when half-open (its probes
    // decide) or closed. The hook runs outside the breaker's lock. It holds the routing state
    // (which owns no breaker, so no cycle) and the slot by address: the slot outlives its
    // breaker, and so every run of the breaker's hook (see QueueSlot).
    auto routing = state_->routing;
    auto user_breaker_hook = std::move(breaker.on_state_change);
    detail::QueueSlot* raw = slot.get();
    breaker.on_state_change = [routing, raw, user_breaker_hook](CircuitState from,
                                                                CircuitState to) {
      routing->selector.set_available(raw->index, to != CircuitState::open);
      if (user_breaker_hook) user_breaker_hook(from, to);
      if (auto hook = routing->current_hook()) hook(raw->index, raw->queue, from, to);
    };
    slot->breaker = std::make_unique<CircuitBreaker>(std::move(breaker));
    state_->executors.emplace_back(slot);
    state_->slots.push_back(std::move(slot));
  }
}

// Calls still in flight (failover sends, executors copied by the caller) may still move
// breakers; the user's hook is not called for them any more.
Dispatcher::~Dispatcher() {
  state_->routing->set_hook(nullptr);
}

std::size_t Dispatcher::size() const noexcept {
  return state_->slots.size();
}

const Executor& Dispatcher::dispatch() const noexcept {
  return state_->executors[state_->routing->selector.random()];
}

const Executor& Dispatcher::dispatch_rr() const noexcept {
  return state_->executors[state_->routing->selector.rr()];
}

const std::vector<Executor>& Dispatcher::executors() const noexcept {
  return state_->executors;
}

const Executor& Dispatcher::executor(std::size_t index) const {
  return state_->executors.at(index);
}

std::vector<std::size_t> Dispatcher::available() const {
  return state_->routing->selector.available();
}

void Dispatcher::on_state_change(
    std::function<void(std::size_t, const Queue&, CircuitState, CircuitState)> hook) {
  state_->routing->set_hook(std::move(hook));
}

std::vector<QueueMetrics> Dispatcher::metrics() const {
  std::vector<QueueMetrics> out;
  auto available = state_->routing->selector.available();
  for (const auto& slot : state_->slots) {
    QueueMetrics m;
    m.index = slot->index;
    m.queue_url = slot->queue.url();
    m.weight = slot->weight;
    m.available = std::find(available.begin(), available.end(), slot->index) != available.end();
    m.breaker = slot->breaker->metrics();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace sqs

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
  state_ = std::make_shared<detail::DispatcherState>(std::move(weights), seed);
  state_->hook = std::move(options.on_state_change);

  for (std::size_t i = 0; i < queues.size(); ++i) {
    auto slot = std::make_shared<detail::QueueSlot>(i, std::move(queues[i].queue), queues[i].weight);
    CircuitBreakerOptions breaker = options.breaker;
    if (breaker.jitter_seed) breaker.jitter_seed = *breaker.jitter_seed + i;
    // The breaker drives the available set: out when open, back when half-open (its probes
    // decide) or closed. The hook runs outside the breaker's lock; the state is held weakly so
    // that a breaker never keeps its own dispatcher alive.
    std::weak_ptr<detail::DispatcherState> weak = state_;
    auto user_breaker_hook = std::move(breaker.on_state_change);
    detail::QueueSlot* raw = slot.get();
    breaker.on_state_change = [weak, raw, user_breaker_hook](CircuitState from, CircuitState to) {
      auto state = weak.lock();
      if (!state) return;
      state->selector.set_available(raw->index, to != CircuitState::open);
      if (user_breaker_hook) user_breaker_hook(from, to);
      if (auto hook = state->current_hook()) hook(raw->index, raw->queue, from, to);
    };
    slot->breaker = std::make_unique<CircuitBreaker>(std::move(breaker));
    state_->slots.push_back(std::move(slot));
  }
}

Dispatcher::~Dispatcher() = default;

std::size_t Dispatcher::size() const noexcept { return state_->slots.size(); }

Executor Dispatcher::dispatch() const { return Executor(state_->slots[state_->selector.random()]); }

Executor Dispatcher::dispatch_rr() const { return Executor(state_->slots[state_->selector.rr()]); }

std::vector<Executor> Dispatcher::executors() const {
  std::vector<Executor> all;
  all.reserve(state_->slots.size());
  for (const auto& slot : state_->slots) all.push_back(Executor(slot));
  return all;
}

Executor Dispatcher::executor(std::size_t index) const { return Executor(state_->slots.at(index)); }

std::vector<std::size_t> Dispatcher::available() const { return state_->selector.available(); }

void Dispatcher::on_state_change(
    std::function<void(std::size_t, const Queue&, CircuitState, CircuitState)> hook) {
  std::lock_guard<std::mutex> lock(state_->hook_mutex);
  state_->hook = std::move(hook);
}

std::vector<QueueMetrics> Dispatcher::metrics() const {
  std::vector<QueueMetrics> out;
  auto available = state_->selector.available();
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

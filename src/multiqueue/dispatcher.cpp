#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "multiqueue/dispatcher_state.hpp"

namespace sqs {

namespace {

void check_bulkhead(const BulkheadOptions& b, const std::string& what) {
  if (b.max_in_flight < 0) {
    throw std::invalid_argument("Dispatcher: " + what +
                                "max_in_flight must be 0 (none) or more, got " +
                                std::to_string(b.max_in_flight));
  }
  if (b.min_in_flight < 1) {
    throw std::invalid_argument("Dispatcher: " + what + "min_in_flight must be at least 1, got " +
                                std::to_string(b.min_in_flight));
  }
  if (!(b.tolerance >= 1.0) || !std::isfinite(b.tolerance)) {
    throw std::invalid_argument("Dispatcher: " + what + "bulkhead tolerance must be a number >= 1");
  }
  if (b.latency_margin.count() < 0 || b.latency_margin > std::chrono::hours(24)) {
    throw std::invalid_argument("Dispatcher: " + what +
                                "bulkhead latency_margin must be from 0 to 24 h");
  }
}

// Durations are kept in nanoseconds: a day is plenty, and far from overflowing.
constexpr std::chrono::hours kLongest{24};

void check_in_flight(const InFlightOptions& o) {
  if ((o.slow_call_threshold && *o.slow_call_threshold > kLongest) || o.stall_after > kLongest ||
      o.check_interval > kLongest) {
    throw std::invalid_argument(
        "Dispatcher: slow_call_threshold, stall_after and check_interval must be at most 24 h");
  }
  if (o.slow_call_threshold && o.slow_call_threshold->count() < 0) {
    throw std::invalid_argument("Dispatcher: slow_call_threshold must not be negative");
  }
  if (o.stall_after.count() < 0) {
    throw std::invalid_argument("Dispatcher: stall_after must not be negative");
  }
  if (o.check_interval.count() <= 0) {
    throw std::invalid_argument("Dispatcher: check_interval must be positive");
  }
}

}  // namespace

void detail::check_hedge(const HedgeOptions& h) {
  if (!h.enabled) return;
  if (h.delay > std::chrono::hours(1) || h.max_delay > std::chrono::hours(1)) {
    throw std::invalid_argument("hedge: delay and max_delay must be at most 1 h");
  }
  if (h.delay.count() < 0 || h.min_delay.count() < 0 || h.max_delay < h.min_delay) {
    throw std::invalid_argument(
        "hedge: delay and min_delay must not be negative, and max_delay not below min_delay");
  }
  if (h.percentile && !(*h.percentile > 0.0 && *h.percentile <= 1.0)) {
    throw std::invalid_argument("hedge: percentile must be in (0, 1]");
  }
  if (h.max_copies < 1) throw std::invalid_argument("hedge: max_copies must be at least 1");
}

Dispatcher::Dispatcher(std::vector<DispatcherQueue> queues, DispatcherOptions options) {
  if (queues.empty()) throw std::invalid_argument("Dispatcher: at least one queue is needed");
  std::vector<std::uint32_t> weights;
  for (const auto& q : queues) {
    if (q.weight < 1) {
      throw std::invalid_argument("Dispatcher: the weight of " + q.queue.url() +
                                  " must be at least 1, got " + std::to_string(q.weight));
    }
    if (q.bulkhead) check_bulkhead(*q.bulkhead, "the bulkhead of " + q.queue.url() + ": ");
    weights.push_back(static_cast<std::uint32_t>(q.weight));
  }
  check_bulkhead(options.bulkhead, "");
  check_in_flight(options.in_flight);
  if (options.hedge) detail::check_hedge(*options.hedge);
  std::uint64_t seed = options.seed ? *options.seed : std::random_device{}();
  state_ = std::make_shared<detail::DispatcherState>();
  state_->routing = std::make_shared<detail::Routing>(std::move(weights), seed);
  state_->routing->hook = std::move(options.on_state_change);
  state_->routing->late_copy_hook = std::move(options.on_late_copy);
  state_->routing->hedge = options.hedge;
  state_->routing->clock = options.breaker.clock ? options.breaker.clock : Clock::system();
  if (!options.breaker.clock) options.breaker.clock = state_->routing->clock;
  auto watchdog =
      std::make_shared<detail::Watchdog>(state_->routing->clock, options.in_flight.check_interval);

  for (std::size_t i = 0; i < queues.size(); ++i) {
    const BulkheadOptions& bulkhead = queues[i].bulkhead ? *queues[i].bulkhead : options.bulkhead;
    auto slot = std::make_shared<detail::QueueSlot>(i, std::move(queues[i].queue), queues[i].weight,
                                                    bulkhead, options.in_flight, watchdog);
    watchdog->watch(slot);
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

namespace {
// The slots' load, as the selector's predicates see it.
struct Blocked {
  const std::vector<std::shared_ptr<detail::QueueSlot>>& slots;
  bool operator()(std::size_t i) const noexcept { return slots[i]->load.blocked(); }
};
struct Avoided {
  const std::vector<std::shared_ptr<detail::QueueSlot>>& slots;
  void operator()(std::size_t i) const noexcept { slots[i]->load.count_avoided(); }
};
}  // namespace

std::size_t detail::pick_queue(const DispatcherState& state, bool round_robin) noexcept {
  const auto& selector = state.routing->selector;
  return round_robin ? selector.rr(Blocked{state.slots}, Avoided{state.slots})
                     : selector.random(Blocked{state.slots}, Avoided{state.slots});
}

const Executor& Dispatcher::dispatch() const noexcept {
  return state_->executors[detail::pick_queue(*state_, false)];
}

const Executor& Dispatcher::dispatch_rr() const noexcept {
  return state_->executors[detail::pick_queue(*state_, true)];
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
    m.load = slot->load.metrics(state_->routing->clock->now());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace sqs

// http::Pool and its core: where a request finds its connection (an idle kept-alive one of its
// origin, most recently used first, or a new one), and how everything in flight is cancelled.
//
// Lifetimes: a Connection holds a shared_ptr to the core, so the core (resolver, TLS context,
// origins) lives as long as any connection has an operation pending, even after the Pool is
// destroyed; the core holds idle connections only, and drops them when shut down, which breaks
// the cycle. Pending operations hold their connection, never the Pool.
#include "http/pool.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>

#include "http/connection.hpp"
#include "http/request_head.hpp"
#include "http/tls.hpp"

namespace sqs::http {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {

PoolCore::PoolCore(asio::any_io_executor executor, PoolOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), resolver_(executor_) {}

PoolCore::~PoolCore() = default;

void PoolCore::post_completion(ResponseHandler handler, error_code ec) {
  asio::post(executor_, [handler = std::move(handler), ec]() { handler(ec, Response{}); });
}

Origin& PoolCore::origin_for(const Endpoint& endpoint) {
  key_scratch_.clear();
  key_scratch_.append(endpoint.tls ? "https://" : "http://").append(endpoint.host).append(" ");
  char digits[8];
  key_scratch_.append(digits, std::to_chars(digits, digits + sizeof digits, endpoint.port).ptr);
  auto found = origins_.find(std::string_view(key_scratch_));
  if (found != origins_.end()) return *found->second;

  auto origin = std::make_unique<Origin>();
  origin->tls = endpoint.tls;
  origin->host = endpoint.host;
  origin->service = std::to_string(endpoint.port);
  error_code ec;
  const auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) {
    origin->host_is_ip = true;
    origin->addresses.emplace_back(address, endpoint.port);
  }
  return *origins_.emplace(key_scratch_, std::move(origin)).first->second;
}

std::uint64_t PoolCore::async_send(const Endpoint& endpoint, Request request,
                                   std::chrono::milliseconds timeout, ResponseHandler handler) {
  const std::uint64_t id = ++next_request_id_;
  if (shut_down_) {
    post_completion(std::move(handler), asio::error::operation_aborted);
    return id;
  }
  if (endpoint.host.empty() || endpoint.port == 0 ||
      !write_request_head(endpoint, request, head_scratch_)) {
    post_completion(std::move(handler), asio::error::invalid_argument);
    return id;
  }
  if (endpoint.tls && !tls_context_) {
    if (!tls_error_) tls_context_ = make_tls_context(options_, tls_error_);
    if (!tls_context_) {
      post_completion(std::move(handler), tls_error_);
      return id;
    }
  }

  Origin& origin = origin_for(endpoint);
  const auto now = Clock::now();
  std::shared_ptr<Connection> connection = take_idle(origin, now);
  const bool reused = connection != nullptr;
  if (!connection) connection = open_connection(origin);

  Exchange& ex = connection->exchange();
  ex.head.swap(head_scratch_);  // the connection's old buffer becomes the next scratch
  ex.head_size = ex.head.size();
  ex.body = std::move(request.body);
  ex.handler = std::move(handler);
  ex.id = id;
  ex.deadline = now + timeout;
  ex.head_request = request.method == "HEAD";
  connection->start(reused, now);
  return id;
}

std::shared_ptr<Connection> PoolCore::take_idle(Origin& origin, Clock::time_point now) {
  while (!origin.idle.empty()) {
    std::shared_ptr<Connection> connection = std::move(origin.idle.back());
    origin.idle.pop_back();
    if (connection->is_closed()) continue;
    if (now - connection->idle_since() >= options_.idle_timeout || !connection->looks_alive()) {
      connection->close();
      continue;
    }
    return connection;
  }
  return nullptr;
}

void PoolCore::resolve(Origin& origin, std::shared_ptr<Connection> connection) {
  origin.awaiting_addresses.push_back(std::move(connection));
  if (origin.resolving) return;
  origin.resolving = true;
  // No AI_ADDRCONFIG: it ignores loopback addresses, so "localhost" would not resolve on a host
  // whose only interface is the loopback.
  resolver_.async_resolve(
      origin.host, origin.service, asio::ip::tcp::resolver::numeric_service,
      [core = shared_from_this(), &origin, generation = origin.resolve_generation](
          error_code ec, const asio::ip::tcp::resolver::results_type& results) {
        if (generation != origin.resolve_generation) return;  // cancelled meanwhile
        origin.resolving = false;
        if (!ec) {
          origin.addresses.clear();
          for (const auto& entry : results) origin.addresses.push_back(entry.endpoint());
          origin.resolved_at = Clock::now();
          if (origin.addresses.empty()) ec = asio::error::host_not_found;
        }
        auto waiting = std::move(origin.awaiting_addresses);
        origin.awaiting_addresses.clear();
        for (auto& connection : waiting) connection->addresses_ready(ec);
      });
}

std::shared_ptr<Connection> PoolCore::open_connection(Origin& origin) {
  auto connection = std::make_shared<Connection>(shared_from_this(), origin);
  connection->live_index = live_.size();
  live_.push_back(connection.get());
  open_count_.store(live_.size(), std::memory_order_relaxed);
  opened_.fetch_add(1, std::memory_order_relaxed);
  return connection;
}

// Reuse is most-recent-first, so after a burst the oldest idle connections may never be taken
// again: without the background timer (close_idle_in_background false) nothing would close
// them, past their idle timeout or once the server closed them (CLOSE-WAIT). At most once a
// second per origin, the oldest end is swept: expired, closed or visibly dead ones go.
void PoolCore::sweep_oldest(Origin& origin, Clock::time_point now) {
  if (now - origin.swept_at < std::chrono::seconds(1)) return;
  origin.swept_at = now;
  auto& idle = origin.idle;
  std::size_t gone = 0;
  while (gone < idle.size()) {
    Connection& c = *idle[gone];
    if (!c.is_closed() && now - c.idle_since() < options_.idle_timeout &&
        (now - c.idle_since() < std::chrono::seconds(1) || c.looks_alive())) {
      break;
    }
    c.close();
    ++gone;
  }
  idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(gone));
}

bool PoolCore::park(std::shared_ptr<Connection> connection, Origin& origin) {
  if (shut_down_ || origin.idle.size() >= options_.max_idle_per_endpoint) return false;
  sweep_oldest(origin, Clock::now());
  origin.idle.push_back(std::move(connection));
  return true;
}

void PoolCore::unpark(Connection& connection, Origin& origin) {
  auto& idle = origin.idle;
  auto found =
      std::find_if(idle.begin(), idle.end(), [&](const auto& c) { return c.get() == &connection; });
  if (found != idle.end()) idle.erase(found);
}

void PoolCore::detach(Connection& connection) {
  const std::size_t index = connection.live_index;
  if (index >= live_.size() || live_[index] != &connection) return;
  live_[index] = live_.back();
  live_[index]->live_index = index;
  live_.pop_back();
  open_count_.store(live_.size(), std::memory_order_relaxed);
}

void PoolCore::cancel(std::uint64_t id) {
  // Linear in the open connections: cancelling is rare (a caller giving up on one call).
  for (Connection* connection : live_) {
    if (connection->exchange().id == id && connection->exchange().handler) {
      auto keep = connection->shared_from_this();  // abort() detaches it from live_
      keep->abort(asio::error::operation_aborted);
      return;
    }
  }
}

void PoolCore::cancel_all() {
  std::vector<std::shared_ptr<Connection>> open;
  open.reserve(live_.size());
  for (Connection* connection : live_) open.push_back(connection->shared_from_this());
  for (auto& connection : open) connection->abort(asio::error::operation_aborted);
  for (auto& [key, origin] : origins_) {
    origin->idle.clear();
    origin->awaiting_addresses.clear();
    origin->resolving = false;
    ++origin->resolve_generation;
  }
  // Resolutions in flight complete later, ignored (generation), with operation_aborted or not.
  resolver_.cancel();
}

void PoolCore::shutdown() {
  shut_down_ = true;
  cancel_all();
}

}  // namespace detail

struct Pool::Impl final : detail::PoolCore {
  using PoolCore::PoolCore;
};

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Pool::~Pool() {
  impl_->shutdown();
}

std::uint64_t Pool::async_send(const Endpoint& endpoint, Request request,
                               std::chrono::milliseconds timeout, ResponseHandler handler) {
  return impl_->async_send(endpoint, std::move(request), timeout, std::move(handler));
}

void Pool::cancel(std::uint64_t id) {
  impl_->cancel(id);
}

void Pool::cancel_all() {
  impl_->cancel_all();
}

std::size_t Pool::open_connections() const {
  return impl_->open_connections();
}

std::uint64_t Pool::connections_opened() const {
  return impl_->connections_opened();
}

}  // namespace sqs::http

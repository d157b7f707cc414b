#include "client/client_impl.hpp"

#include <boost/asio/post.hpp>
#include <future>

namespace sqs::detail {

ClientImpl::ClientImpl(client::ResolvedConfig config,
                       std::optional<boost::asio::any_io_executor> executor)
    : config_(std::move(config)),
      tokens_(config_.config.retry.quota),
      rng_(std::random_device{}()) {
  const auto& c = config_.config;
  if (executor) {
    user_executor_ = *executor;
    exec_ = boost::asio::make_strand(*executor);
  } else {
    std::size_t threads = std::max<std::size_t>(1, c.threads);
    io_.emplace(static_cast<int>(threads));
    guard_.emplace(io_->get_executor());
    // One thread runs the loop alone: no strand needed. Several: serialise on a strand.
    if (threads == 1) {
      exec_ = io_->get_executor();
    } else {
      exec_ = boost::asio::make_strand(boost::asio::any_io_executor(io_->get_executor()));
    }
  }
  http::PoolOptions po;
  po.connect_timeout = c.connect_timeout;
  po.verify_peer = c.verify_tls;
  po.ca_file = config_.ca_bundle;
  // On a user's io_context, an idle client must leave no work pending there.
  po.close_idle_in_background = !executor.has_value();
  pool_ = std::make_unique<http::Pool>(exec_, po);
}

void ClientImpl::start_threads() {
  if (!io_) return;
  std::size_t n = std::max<std::size_t>(1, config_.config.threads);
  for (std::size_t i = 0; i < n; ++i) {
    // Each thread keeps the client alive until the loop runs out of work, so a client destroyed
    // from one of its own handlers never frees the loop under a running thread.
    threads_.emplace_back([self = shared_from_this()] { self->io_->run(); });
  }
}

bool ClientImpl::in_loop_thread() const {
  if (io_) return io_->get_executor().running_in_this_thread();
  if (auto* ioe = user_executor_.target<boost::asio::io_context::executor_type>()) {
    return ioe->running_in_this_thread();
  }
  if (auto* s = exec_.target<boost::asio::strand<boost::asio::any_io_executor>>()) {
    return s->running_in_this_thread();
  }
  return false;
}

bool ClientImpl::on_executor() const {
  if (auto* s = exec_.target<boost::asio::strand<boost::asio::any_io_executor>>()) {
    return s->running_in_this_thread();
  }
  if (auto* ioe = exec_.target<boost::asio::io_context::executor_type>()) {
    return ioe->running_in_this_thread();
  }
  return false;
}

void ClientImpl::shutdown() {
  {
    std::lock_guard<std::mutex> lock(submit_mutex_);
    if (closed_.exchange(true)) return;
  }
  auto cancel = [self = shared_from_this()] {
    self->pool_->cancel_all();
    auto ops = self->in_flight_;  // cancel() may untrack
    for (auto* op : ops) op->cancel();
  };
  if (on_executor()) {
    cancel();
  } else {
    boost::asio::post(exec_, cancel);
  }
  guard_.reset();
  auto me = std::this_thread::get_id();
  for (auto& t : threads_) {
    if (t.get_id() == me) {
      t.detach();
    } else if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

ClientImpl::~ClientImpl() {
  auto me = std::this_thread::get_id();
  for (auto& t : threads_) {
    if (t.get_id() == me) {
      t.detach();
    } else if (t.joinable()) {
      t.join();
    }
  }
}

bool ClientImpl::acquire_retry_tokens(int cost) {
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void ClientImpl::release_tokens(int amount) {
  tokens_ = std::min(tokens_ + amount, config_.config.retry.quota);
}

}  // namespace sqs::detail

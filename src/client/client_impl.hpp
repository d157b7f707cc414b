// The state behind sqs::Client: event loop (owned threads or a user's executor, serialised on a
// strand when several threads may run it), connection pool, signer, credentials, retry quota.
// Each call is an Operation (operation.hpp) that runs attempts on this loop.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "auth/sigv4.hpp"
#include "client/resolved_config.hpp"
#include "http/pool.hpp"
#include "sqs/client.hpp"

namespace sqs::detail {

// An operation that can be cancelled by shutdown (its back-off timer, when waiting).
class Cancellable {
 public:
  virtual ~Cancellable() = default;
  virtual void cancel() = 0;
};

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  ClientImpl(client::ResolvedConfig config, std::optional<boost::asio::any_io_executor> executor);
  ~ClientImpl();
  ClientImpl(const ClientImpl&) = delete;
  ClientImpl& operator=(const ClientImpl&) = delete;

  // Starts the owned threads (after construction, since they hold a shared_ptr to us).
  void start_threads();
  // The owner is gone: cancel everything in flight (handlers get `cancelled`), refuse new
  // calls, and join the owned threads (unless called from one of them).
  void shutdown();

  const client::ResolvedConfig& config() const noexcept { return config_; }
  const boost::asio::any_io_executor& executor() const noexcept { return exec_; }
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  // True when the client runs its own io_context (no executor given): once shut down, nothing
  // runs that loop any more.
  bool owns_loop() const noexcept { return io_.has_value(); }
  // True on a thread where blocking for a result of this client would deadlock.
  bool in_loop_thread() const;
  // True when running inside the client's executor (the strand, when there is one).
  bool on_executor() const;

  // Runs f on the client's executor (inline when already there). Returns false, without
  // running f, once the client is shut down: the caller completes its handler itself.
  template <class F>
  bool submit(F& f) {
    if (on_executor()) {
      if (closed()) return false;
      f();
      return true;
    }
    return post(f);
  }
  // Like submit, but never inline. `f` is moved from only when it returns true.
  template <class F>
  bool post(F& f) {
    std::lock_guard<std::mutex> lock(submit_mutex_);
    if (closed()) return false;
    boost::asio::post(exec_, std::move(f));
    return true;
  }

  // --- used by operations, on the loop only ---
  http::Pool& pool() { return *pool_; }
  auth::Signer& signer() { return signer_; }
  // Retry quota of AWS standard mode: take `cost` tokens, false when the bucket is too low.
  bool acquire_retry_tokens(int cost);
  void release_tokens(int amount);
  double random_unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  void track(Cancellable* op) { in_flight_.insert(op); }
  void untrack(Cancellable* op) { in_flight_.erase(op); }

 private:
  client::ResolvedConfig config_;
  mutable std::optional<boost::asio::io_context> io_;  // when the client owns its loop
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  boost::asio::any_io_executor user_executor_;
  boost::asio::any_io_executor exec_;  // where everything of this client runs
  std::vector<std::thread> threads_;
  std::unique_ptr<http::Pool> pool_;
  auth::Signer signer_;
  int tokens_;
  std::mt19937_64 rng_;
  std::set<Cancellable*> in_flight_;  // ops waiting on a back-off timer
  std::atomic<bool> closed_{false};
  std::mutex submit_mutex_;  // orders submit() against shutdown(): nothing posted is lost
};

}  // namespace sqs::detail

#include "auth/credentials_cache.hpp"

#include "auth/shared_slot.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <iostream>

namespace sqs::auth {
namespace {

using SysClock = std::chrono::system_clock;
using TimePoint = SysClock::time_point;

// Cached credentials and the times that decide what a call does with them.
struct Snapshot {
  Credentials credentials;
  bool expires = false;
  TimePoint advisory_at;   // from here: one background refresh, calls keep these
  TimePoint mandatory_at;  // from here: calls wait for the refresh
  TimePoint expires_at;    // from here: unusable
};

}  // namespace

struct CredentialsCache::Core {
  Core(std::string n, Fetch f, CredentialsRefreshOptions o)
      : name(std::move(n)),
        fetch(std::move(f)),
        options(std::move(o)),
        now(wall_clock_of(options.clock)) {
    if (!options.warn) {
      options.warn = [](const std::string& message) {
        std::cerr << "aws-cpp-sqs: warning: " << message << '\n';
      };
    }
  }

  const std::string name;
  const Fetch fetch;
  CredentialsRefreshOptions options;
  const WallClock now;

  SharedSlot<const Snapshot> snapshot;
  // Lock-free hints for the hot path; the truth is under `mutex`.
  std::atomic<bool> fetching{false};
  std::atomic<SysClock::rep> retry_at{SysClock::time_point::min().time_since_epoch().count()};
  std::atomic<std::uint64_t> fetch_count{0};

  std::mutex mutex;
  std::condition_variable wake;
  std::vector<CredentialsCallback> waiters;
  std::optional<Error> last_error;  // of the last fetch, when nothing usable is cached
  int failures = 0;
  bool job = false;
  bool stop = false;
  std::thread worker;

  bool backing_off(TimePoint t) const {
    return t.time_since_epoch().count() < retry_at.load(std::memory_order_relaxed);
  }

  // Usable without waiting at `t`: outside the mandatory window, or inside it while a failed
  // refresh backs off (the credentials are still valid).
  static bool usable(const Snapshot& s, TimePoint t, bool backing_off) {
    if (!s.expires || t < s.mandatory_at) return true;
    return t < s.expires_at && backing_off;
  }

  std::shared_ptr<const Snapshot> make_snapshot(Credentials c, TimePoint fetched) const {
    auto s = std::make_shared<Snapshot>();
    if (c.provider.empty()) c.provider = name;
    s->expires = c.expiration.has_value();
    if (s->expires) {
      const TimePoint exp = *c.expiration;
      const auto life = exp > fetched ? exp - fetched : SysClock::duration::zero();
      // Short-lived credentials would sit in the windows from the start and refresh at every
      // call: the windows start at half and three quarters of the lifetime at the latest.
      s->advisory_at = std::max(exp - options.advisory_window, fetched + life / 2);
      s->mandatory_at = std::max(exp - options.mandatory_window, fetched + life * 3 / 4);
      s->advisory_at = std::min(s->advisory_at, s->mandatory_at);
      s->expires_at = exp;
    }
    s->credentials = std::move(c);
    return s;
  }

  // With `mutex` held.
  void start_fetch_locked(const std::shared_ptr<Core>& self) {
    if (fetching.load(std::memory_order_relaxed) || stop) return;
    fetching.store(true, std::memory_order_relaxed);
    job = true;
    if (!worker.joinable()) worker = std::thread([self] { self->run(); });
    wake.notify_one();
  }

  void refresh_in_background(const std::shared_ptr<Core>& self) {
    if (fetching.load(std::memory_order_relaxed)) return;
    std::lock_guard lock(mutex);
    if (!backing_off(now())) start_fetch_locked(self);
  }

  void run() {
    for (;;) {
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return job || stop; });
        if (stop) break;
        job = false;
      }
      fetch_count.fetch_add(1, std::memory_order_relaxed);
      Result<Credentials> result = Error{};
      try {
        result = fetch();
      } catch (const std::exception& e) {
        result = credentials_error(kFetchFailed, name + ": " + e.what());
      }
      complete(std::move(result));
    }
    std::vector<CredentialsCallback> left;
    {
      std::lock_guard lock(mutex);
      left.swap(waiters);
    }
    for (auto& done : left) {
      done(Error::make(ErrorKind::cancelled, "Cancelled",
                       name + ": the credentials provider was destroyed"));
    }
  }

  std::chrono::milliseconds backoff_for(int n) const {
    auto delay = options.min_backoff;
    for (int i = 1; i < n && delay < options.max_backoff; ++i) delay *= 2;
    return std::min(delay, options.max_backoff);
  }

  void complete(Result<Credentials> result) {
    const TimePoint t = now();
    std::vector<CredentialsCallback> done;
    std::optional<Result<Credentials>> answer;
    std::string warning;
    {
      std::lock_guard lock(mutex);
      if (result) {
        Credentials& c = *result;
        if (options.static_stability && c.expiration && *c.expiration <= t) {
          // IMDS hands out its last credentials during an outage, expired or not.
          warning = name + ": the credentials received have expired; using them for " +
                    std::to_string(options.static_stability_extension.count()) +
                    " s more (static stability)";
          c.expiration = t + options.static_stability_extension;
        }
        if (c.expiration && *c.expiration <= t) {
          // Unusable as they come: a failure (backed off), not a fetch at every call.
          result = credentials_error(kBadAnswer, name + ": the credentials received expired at " +
                                                     format_iso8601(*c.expiration));
        }
      }
      if (result) {
        Credentials& c = *result;
        auto s = make_snapshot(std::move(c), t);
        snapshot.store(s);
        failures = 0;
        last_error.reset();
        retry_at.store(TimePoint::min().time_since_epoch().count(), std::memory_order_relaxed);
        answer = s->credentials;
      } else {
        ++failures;
        retry_at.store((t + backoff_for(failures)).time_since_epoch().count(),
                       std::memory_order_relaxed);
        auto s = snapshot.load();
        if (s && s->expires && t < s->expires_at) {
          answer = s->credentials;  // a failed refresh keeps valid credentials
        } else if (s && options.static_stability) {
          warning = name + ": refreshing the credentials failed (" + result.error().message +
                    "); using the expired ones for " +
                    std::to_string(options.static_stability_extension.count()) +
                    " s more (static stability)";
          auto extended = std::make_shared<Snapshot>(*s);
          extended->expires_at = t + options.static_stability_extension;
          extended->advisory_at = t;  // refresh at every chance the back-off gives
          extended->mandatory_at = extended->expires_at;
          snapshot.store(extended);
          answer = extended->credentials;
        } else {
          last_error = result.error();
          answer = std::move(result);
        }
      }
      done.swap(waiters);
      fetching.store(false, std::memory_order_relaxed);
    }
    if (!warning.empty()) options.warn(warning);
    for (auto& callback : done) callback(*answer);
  }
};

CredentialsCache::CredentialsCache(std::string name, Fetch fetch, CredentialsRefreshOptions options)
    : core_(std::make_shared<Core>(std::move(name), std::move(fetch), std::move(options))) {}

CredentialsCache::~CredentialsCache() {
  std::thread worker;
  {
    std::lock_guard lock(core_->mutex);
    core_->stop = true;
    worker.swap(core_->worker);
  }
  core_->wake.notify_all();
  if (!worker.joinable()) return;
  // The last owner may be a waiter's callback running on the worker itself: it cannot join
  // itself; it holds the core, which it frees when it returns.
  if (worker.get_id() == std::this_thread::get_id()) {
    worker.detach();
  } else {
    worker.join();
  }
}

std::shared_ptr<const Credentials> CredentialsCache::current() {
  auto s = core_->snapshot.load();
  if (!s) return nullptr;
  if (!s->expires) return {s, &s->credentials};
  const TimePoint t = core_->now();
  if (t < s->advisory_at) return {s, &s->credentials};
  const bool backing_off = core_->backing_off(t);
  if (t < s->mandatory_at) {
    if (!backing_off) core_->refresh_in_background(core_);
    return {s, &s->credentials};
  }
  if (t < s->expires_at && backing_off) return {s, &s->credentials};
  return nullptr;
}

void CredentialsCache::async_credentials(CredentialsCallback done) {
  std::optional<Result<Credentials>> answer;
  {
    std::lock_guard lock(core_->mutex);
    const TimePoint t = core_->now();
    const bool backing_off = core_->backing_off(t);
    auto s = core_->snapshot.load();
    if (s && Core::usable(*s, t, backing_off)) {
      if (s->expires && t >= s->advisory_at && !backing_off) core_->start_fetch_locked(core_);
      answer = s->credentials;
    } else if (core_->stop) {
      answer = Error::make(ErrorKind::cancelled, "Cancelled",
                           core_->name + ": the credentials provider was destroyed");
    } else if (!core_->fetching.load(std::memory_order_relaxed) && backing_off &&
               core_->last_error) {
      answer = *core_->last_error;  // failed a moment ago: say so at once, do not hammer
    } else {
      core_->waiters.push_back(std::move(done));
      core_->start_fetch_locked(core_);
      return;
    }
  }
  done(std::move(*answer));
}

Result<Credentials> CredentialsCache::credentials() {
  if (auto c = current()) return *c;
  // Shared: the callback may still be finishing on the worker when get() returns.
  auto promise = std::make_shared<std::promise<Result<Credentials>>>();
  auto answer = promise->get_future();
  async_credentials([promise](Result<Credentials> r) { promise->set_value(std::move(r)); });
  return answer.get();
}

std::uint64_t CredentialsCache::fetches() const {
  return core_->fetch_count.load(std::memory_order_relaxed);
}

}  // namespace sqs::auth

#include "auth/lazy_provider.hpp"

#include "auth/provider_support.hpp"

namespace sqs::auth {

Result<CredentialsProvider*> LazyProvider::chosen() {
  if (auto* p = chosen_.load(std::memory_order_acquire)) return p;
  std::lock_guard lock(mutex_);
  if (auto* p = chosen_.load(std::memory_order_acquire)) return p;
  auto choice = choose_();
  if (!choice) return std::move(choice).error();
  owned_.push_back(std::move(*choice));
  chosen_.store(owned_.back().get(), std::memory_order_release);
  return owned_.back().get();
}

void LazyProvider::forget(CredentialsProvider* provider) {
  CredentialsProvider* expected = provider;
  chosen_.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
}

std::shared_ptr<const Credentials> LazyProvider::current() {
  auto* p = chosen_.load(std::memory_order_acquire);
  return p ? p->current() : nullptr;
}

Result<Credentials> LazyProvider::credentials() {
  for (int round = 0;; ++round) {
    auto p = chosen();
    if (!p) return std::move(p).error();
    auto r = (*p)->credentials();
    // The source went away (only the environment and files say so): choose again, once.
    if (!r && r.error().code == kNotFound && round == 0) {
      forget(*p);
      continue;
    }
    return r;
  }
}

void LazyProvider::async_credentials(CredentialsCallback done) {
  attempt(std::move(done), 0);
}

void LazyProvider::attempt(CredentialsCallback done, int round) {
  auto p = chosen();
  if (!p) return done(std::move(p).error());
  if (auto c = (*p)->current()) return done(*c);
  CredentialsProvider* provider = *p;
  provider->async_credentials(
      [this, provider, round, done = std::move(done)](Result<Credentials> r) mutable {
        // The source went away (only the environment and files say so): choose again, once.
        if (!r && r.error().code == kNotFound && round == 0) {
          forget(provider);
          return attempt(std::move(done), 1);
        }
        done(std::move(r));
      });
}

}  // namespace sqs::auth

// A provider decided at first use and remembered: the profile provider and the default chain
// read the environment and the shared files once, when first asked (no network), and then
// hand every call to the provider that was chosen. Until a choice succeeds, each call tries
// again (a file written later is picked up) and gets the reason it failed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sqs/credentials.hpp"

namespace sqs::auth {

class LazyProvider final : public CredentialsProvider {
 public:
  using Choose = std::function<Result<std::shared_ptr<CredentialsProvider>>()>;
  // An answer of the chosen provider with code CredentialsNotFound (its source went away, e.g.
  // the environment variables were unset) makes the call choose again, once.
  explicit LazyProvider(Choose choose) : choose_(std::move(choose)) {}

  Result<Credentials> credentials() override;
  std::shared_ptr<const Credentials> current() override;
  void async_credentials(CredentialsCallback done) override;

 private:
  Result<CredentialsProvider*> chosen();
  void forget(CredentialsProvider* provider);
  void attempt(CredentialsCallback done, int round);

  const Choose choose_;
  std::atomic<CredentialsProvider*> chosen_{nullptr};  // the hot path's single load
  std::mutex mutex_;
  // Every provider ever chosen stays alive here, so that a pointer loaded from chosen_ stays
  // valid (a new choice is rare: only when a source goes away).
  std::vector<std::shared_ptr<CredentialsProvider>> owned_;
};

}  // namespace sqs::auth

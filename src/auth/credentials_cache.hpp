// The caching, refreshing wrapper of every provider whose credentials expire.
//
// Hot path: current() is one shared_ptr copy (SharedSlot: a spin lock held for a reference-count
// increment) and a clock read; it takes the cache's mutex only in the advisory window, to start
// the one background refresh. The fetch (blocking: HTTP, a process, files) runs on the cache's own
// worker thread, started at the first fetch, so it never runs on a caller's event loop; every
// caller waiting for it is answered from that thread when it ends (single flight: one fetch
// however many wait). See CredentialsRefreshOptions for the windows, back-off and static
// stability.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/provider_support.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

class CredentialsCache final : public CredentialsProvider {
 public:
  using Fetch = std::function<Result<Credentials>()>;

  CredentialsCache(std::string name, Fetch fetch, CredentialsRefreshOptions options);
  ~CredentialsCache() override;  // stops the worker (waits for a fetch in progress)
  CredentialsCache(const CredentialsCache&) = delete;
  CredentialsCache& operator=(const CredentialsCache&) = delete;

  Result<Credentials> credentials() override;
  std::shared_ptr<const Credentials> current() override;
  void async_credentials(CredentialsCallback done) override;

  // Fetches started so far (tests).
  std::uint64_t fetches() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace sqs::auth

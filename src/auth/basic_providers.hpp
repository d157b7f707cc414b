// The providers that need no network: explicit values and the environment variables. Both are
// cheap enough for every call: current() hands out a cached shared_ptr, rebuilt only when the
// values change.
#pragma once

#include <memory>

#include "auth/shared_slot.hpp"

#include "sqs/credentials.hpp"

namespace sqs::auth {

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials c);
  Result<Credentials> credentials() override;
  std::shared_ptr<const Credentials> current() override { return credentials_; }

 private:
  std::shared_ptr<const Credentials> credentials_;  // null when incomplete
  Credentials given_;
};

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, read at each call.
class EnvironmentProvider final : public CredentialsProvider {
 public:
  Result<Credentials> credentials() override;
  std::shared_ptr<const Credentials> current() override;

 private:
  SharedSlot<const Credentials> last_;
};

}  // namespace sqs::auth

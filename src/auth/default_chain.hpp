// The default chain's choice: environment -> web identity -> profile -> container -> instance
// metadata. Each source is checked for being configured (variables, profile keys: no network);
// the first configured one decides, and if it is configured but unusable its error is the
// answer. Instance metadata is the last resort unless AWS_EC2_METADATA_DISABLED=true; with it
// disabled and nothing configured, the answer is an error at once, listing where it looked.
#pragma once

#include <memory>

#include "sqs/credentials.hpp"

namespace sqs::auth {

Result<std::shared_ptr<CredentialsProvider>> choose_default_provider(
    const CredentialsOptions& options);

}  // namespace sqs::auth

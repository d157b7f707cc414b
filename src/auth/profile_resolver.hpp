// What a profile of the shared files says about credentials, turned into a provider:
//   role_arn            -> assume-role (source_profile, chains of them, cycles refused; or
//                          credential_source Environment / Ec2InstanceMetadata / EcsContainer),
//                          or web identity with web_identity_token_file; mfa_serial refused
//   sso_session / sso_* -> SSO
//   credential_process  -> the process
//   aws_access_key_id   -> static keys
// in that order for the named profile. A profile used as a source_profile gives its static keys
// first when it has them (so a profile may name itself as its source), as botocore does.
#pragma once

#include <memory>
#include <string>

#include "auth/shared_config.hpp"
#include "sqs/credentials.hpp"

namespace sqs::auth {

// The provider of profile `name`. Error code CredentialsNotFound when the profile does not
// exist or configures no credentials (the default chain then looks further); any other error
// is a profile configured but unusable.
Result<std::shared_ptr<CredentialsProvider>> make_provider_for_profile(
    const SharedConfig& config, const std::string& name, const CredentialsOptions& options);

// "shared credentials file F and shared config file G (not found)", for messages.
std::string describe_shared_files(const SharedConfig& config);

}  // namespace sqs::auth
